namespace DirectoryService.Grains.Common;

/// <summary>
/// The grain type names, pinned: stored grain state is keyed by them (<c>user/{tenant}/{id}</c>), so
/// renaming a grain class must never change one. These are the names Orleans derived from the class
/// names before they were pinned, so data stored before stays addressable.
/// </summary>
public static class GrainTypes
{
    public const string Tenant = "tenant";
    public const string TenantRegistry = "tenantregistry";
    public const string User = "user";
    public const string KeyBucket = "keybucket";

    /// <summary>No grain has this type now: a principal name's binding is still stored under it (<see cref="UniqueKeys"/>).</summary>
    public const string UpnIndex = "upnindex";

    /// <summary>No grain has this type now: an external id's binding is still stored under it (<see cref="UniqueKeys"/>).</summary>
    public const string ExternalIdIndex = "externalidindex";
    public const string Group = "group";
    public const string Nesting = "nesting";
    public const string DirectoryQuery = "directoryquery";
    public const string MembershipQuery = "membershipquery";
    public const string Import = "import";
    public const string ChangeFeed = "changefeed";
    public const string ChangesQuery = "changesquery";
    public const string Retention = "retention";
}

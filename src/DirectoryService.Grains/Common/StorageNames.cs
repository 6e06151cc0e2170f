namespace DirectoryService.Grains.Common;

/// <summary>The grain storage provider and state names. Renaming one orphans stored data.</summary>
public static class StorageNames
{
    /// <summary>The grain storage provider every directory grain uses.</summary>
    public const string Directory = "directory";

    public const string Tenant = "tenant";
    public const string TenantRegistry = "tenants";
    public const string User = "user";
    public const string Group = "group";
    public const string UpnIndex = "upn";
    public const string ExternalIdIndex = "externalid";
    public const string Retention = "retention";
}

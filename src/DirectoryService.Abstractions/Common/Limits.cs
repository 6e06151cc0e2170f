namespace DirectoryService.Abstractions.Common;

/// <summary>The limits of PRODUCT.md (after Microsoft Graph), in one place.</summary>
public static class Limits
{
    public const int MaxStringLength = 256;
    public const int MaxPageSize = 999;
    public const int DefaultPageSize = 100;
    public const int MaxCheckGroupIds = 20;
    public const int MaxMemberGroups = 11_000;
    public const int MaxMembersPerAdd = 20;
    public const int MaxExtensionAttributes = 100;
    public const int MaxExtensionKeyLength = 64;
    public const int MaxOwners = 100;
    public const int MaxBatchGetIds = 1000;
    public const int MaxVerifiedDomains = 50;
    public const int MaxUpnLocalPartLength = 64;
    public const int GroupsClaimLimit = 200;

    /// <summary>Most groups one user or group may be a direct member of: more could never be answered by GetMemberGroups.</summary>
    public const int MaxDirectMemberOf = MaxMemberGroups;

    /// <summary>Most directory objects one traversal may visit before it is refused with RESOURCE_EXHAUSTED.</summary>
    public const int MaxTraversalVisits = 200_000;

    /// <summary>How long a soft-deleted object stays restorable.</summary>
    public static readonly TimeSpan SoftDeleteRetention = TimeSpan.FromDays(30);
}

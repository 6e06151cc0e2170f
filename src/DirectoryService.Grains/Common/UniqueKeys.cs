using DirectoryService.Abstractions.Common;

namespace DirectoryService.Grains.Common;

/// <summary>
/// Where a unique key of a tenant is bound: in its bucket, the storage spread of the grain id the
/// key had when every key had a grain of its own (<c>upnindex/{tenant}/{upn}</c>,
/// <c>externalidindex/{tenant}/{user|group}/{external id}</c>, <see cref="StateSpreads.Hashed"/>).
/// A bucket keeps its bindings in pages in that partition (<see cref="KeyPages"/>); bindings stored
/// before pages, as the state of that grain id, are found where they are.
/// </summary>
public static class UniqueKeys
{
    private const string UserPrefix = "user/";
    private const string GroupPrefix = "group/";

    /// <summary>The grain id the key's binding was stored under before pages, and that its bucket is named after.</summary>
    public static GrainId RowId(string tenantId, TenantKey key) => key.Kind switch
    {
        UniqueKeyKind.PrincipalName => GrainId.Create(GrainTypes.UpnIndex, GrainKeys.Scoped(tenantId, key.Value)),
        UniqueKeyKind.UserExternalId => GrainId.Create(GrainTypes.ExternalIdIndex, GrainKeys.Scoped(tenantId, UserPrefix + key.Value)),
        _ => GrainId.Create(GrainTypes.ExternalIdIndex, GrainKeys.Scoped(tenantId, GroupPrefix + key.Value)),
    };

    /// <summary>The state name the key's binding is stored under.</summary>
    public static string StateName(UniqueKeyKind kind) => kind == UniqueKeyKind.PrincipalName ? StorageNames.UpnIndex : StorageNames.ExternalIdIndex;

    /// <summary>The grain types and state names of a bucket's rows, as it reads them: its pages, and the rows of single keys stored before pages.</summary>
    public static readonly IReadOnlyList<(GrainType Type, string StateName)> Rows =
        [(GrainType.Create(StateSpreads.SpreadRowType), KeyPages.StateName), (GrainType.Create(GrainTypes.UpnIndex), StorageNames.UpnIndex), (GrainType.Create(GrainTypes.ExternalIdIndex), StorageNames.ExternalIdIndex)];

    /// <summary>The key a stored binding's grain id names, or null if it names none.</summary>
    public static TenantKey? FromRow(GrainId rowId)
    {
        var (_, local) = GrainKeys.Split(rowId.Key.ToString()!);
        var type = rowId.Type.ToString();
        return type == GrainTypes.UpnIndex ? new TenantKey(UniqueKeyKind.PrincipalName, local)
            : type != GrainTypes.ExternalIdIndex ? null
            : local.StartsWith(UserPrefix, StringComparison.Ordinal) ? new TenantKey(UniqueKeyKind.UserExternalId, local[UserPrefix.Length..])
            : local.StartsWith(GroupPrefix, StringComparison.Ordinal) ? new TenantKey(UniqueKeyKind.GroupExternalId, local[GroupPrefix.Length..])
            : null;
    }

    /// <summary>The bucket (storage spread) the key belongs to.</summary>
    public static string BucketOf(string tenantId, TenantKey key) => StateSpreads.Hashed(RowId(tenantId, key).ToString());

    /// <summary>The binder of the key in the tenant: its bucket's grain and the key.</summary>
    public static KeyBinder Binder(IGrainFactory grains, string tenantId, TenantKey key) =>
        new(grains.Reference<IKeyBucketGrain>(GrainKeys.Scoped(tenantId, BucketOf(tenantId, key))), key);

    /// <summary>How many buckets <see cref="BindUnboundAsync"/> writes to at once.</summary>
    private const int BucketsAtOnce = 64;

    /// <summary>
    /// Binds every claimed key that is unbound to its object, the keys of one bucket in one call
    /// (<see cref="IKeyBucketGrain.BindUnboundAsync"/>: one storage write per 100), the first claim
    /// of a key winning; returns how many it bound.
    /// </summary>
    public static async Task<int> BindUnboundAsync(IGrainFactory grains, string tenantId, IEnumerable<KeyClaim> claims)
    {
        var bound = 0;
        var byBucket = claims.GroupBy(c => BucketOf(tenantId, c.Key), StringComparer.Ordinal).ToList();
        var options = new ParallelOptions { MaxDegreeOfParallelism = BucketsAtOnce, TaskScheduler = TaskScheduler.Current };
        await Parallel.ForEachAsync(byBucket, options, async (bucket, _) =>
        {
            var count = await grains.Reference<IKeyBucketGrain>(GrainKeys.Scoped(tenantId, bucket.Key)).BindUnboundAsync([.. bucket]);
            Interlocked.Add(ref bound, count);
        });
        return bound;
    }
}

/// <summary>One unique key of a tenant, addressed through its bucket's grain.</summary>
public sealed record KeyBinder(IKeyBucketGrain Bucket, TenantKey Key)
{
    /// <summary>Binds the key to the object, or throws ALREADY_EXISTS naming the key's field if another object holds it.</summary>
    public Task ReserveAsync(string objectId) => Bucket.ReserveAsync(Key, objectId);

    /// <summary>Unbinds the key if the object holds it.</summary>
    public Task ReleaseAsync(string objectId) => Bucket.ReleaseAsync(Key, objectId);

    /// <summary>The id of the object the key is bound to, if any.</summary>
    public Task<string?> GetOwnerAsync() => Bucket.GetOwnerAsync(Key);
}

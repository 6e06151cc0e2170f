using System.Collections.Immutable;

namespace DirectoryService.Abstractions.Common;

/// <summary>The kinds of unique key a tenant grants: a user principal name, a user's or a group's external id.</summary>
public enum UniqueKeyKind
{
    PrincipalName = 0,
    UserExternalId = 1,
    GroupExternalId = 2,
}

/// <summary>One unique key of a tenant: its kind and its compared value (a principal name in lower case).</summary>
[GenerateSerializer, Immutable, Alias("directory.TenantKey")]
public readonly record struct TenantKey([property: Id(0)] UniqueKeyKind Kind, [property: Id(1)] string Value);

/// <summary>A unique key and the object that is to hold it.</summary>
[GenerateSerializer, Immutable, Alias("directory.KeyClaim")]
public readonly record struct KeyClaim([property: Id(0)] TenantKey Key, [property: Id(1)] string ObjectId);

/// <summary>
/// Binds the unique keys of one bucket of a tenant — principal names and external ids — each to at
/// most one object. Calls on one key are handled one at a time, so of concurrent takers exactly one
/// wins; calls on different keys of the bucket run side by side. Keyed <c>{tenant}/{bucket}</c>,
/// the bucket being the storage partition the keys' rows live in, so the grain loads all of them
/// with one query when it activates.
/// </summary>
[Alias("directory.IKeyBucketGrain")]
public interface IKeyBucketGrain : IGrainWithStringKey
{
    /// <summary>Binds the key to the object, or throws ALREADY_EXISTS if another live or restorable object holds it.</summary>
    [Alias("ReserveAsync")]
    [Idempotent]
    Task ReserveAsync(TenantKey key, string objectId);

    /// <summary>
    /// Binds each of the keys that is bound to no object now, and that no call is working on, to its
    /// object, in as few storage writes as the bucket's partition allows (one per 100 keys); leaves
    /// every other key as it is and returns how many it bound. For an import creating many objects
    /// at once: their own reservations then find their keys bound to them and write nothing, while a
    /// key bound to an object that never comes to hold it is taken over by the next taker, as after
    /// any create that failed. The first claim of a key wins.
    /// </summary>
    [Alias("BindUnboundAsync")]
    [Idempotent]
    Task<int> BindUnboundAsync(ImmutableArray<KeyClaim> claims);

    /// <summary>Unbinds the key if the given object holds it.</summary>
    [Alias("ReleaseAsync")]
    [Idempotent]
    Task ReleaseAsync(TenantKey key, string objectId);

    /// <summary>Returns the id of the object the key is bound to, if any.</summary>
    [Alias("GetOwnerAsync")]
    [Idempotent]
    Task<string?> GetOwnerAsync(TenantKey key);
}

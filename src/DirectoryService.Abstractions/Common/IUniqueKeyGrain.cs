namespace DirectoryService.Abstractions.Common;

/// <summary>
/// Owns one unique key of one tenant — a user principal name, an external id — and binds it to at
/// most one object. Every create or change that takes the key passes through its grain, one at a
/// time, so of concurrent takers exactly one wins.
/// </summary>
[Alias("directory.IUniqueKeyGrain")]
public interface IUniqueKeyGrain : IGrainWithStringKey
{
    /// <summary>Binds the key to the object, or throws ALREADY_EXISTS if another live or restorable object holds it.</summary>
    [Alias("ReserveAsync")]
    [Idempotent]
    Task ReserveAsync(string objectId);

    /// <summary>Unbinds the key if the given object holds it.</summary>
    [Alias("ReleaseAsync")]
    [Idempotent]
    Task ReleaseAsync(string objectId);

    /// <summary>Returns the id of the object the key is bound to, if any.</summary>
    [Alias("GetOwnerAsync")]
    [Idempotent]
    Task<string?> GetOwnerAsync();
}

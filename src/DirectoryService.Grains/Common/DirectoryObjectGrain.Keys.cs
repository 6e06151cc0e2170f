using DirectoryService.Abstractions.Common;
using DirectoryService.Abstractions.Membership;
using DirectoryService.Grains.Indexing;

namespace DirectoryService.Grains.Common;

/// <summary>
/// The unique keys an object takes in its tenant — its external id and, for users, its principal
/// name — bound in the tenant's key buckets (<see cref="KeyBucketGrain"/>): whether it holds one
/// (asked by a bucket deciding a takeover), and the check, once per activation, that each is bound to it.
/// </summary>
public abstract partial class DirectoryObjectGrain<TProfile, TView>
{
    /// <summary>Unique keys a create or change in progress is taking, until its change is stored or has failed.</summary>
    private readonly HashSet<(string Kind, string Value)> _claiming = [];

    /// <summary>Whether this activation has checked that the object's unique keys are bound to it.</summary>
    private bool _keysChecked;

    /// <summary>
    /// The live object's view, after making sure (once per activation) that each of its unique keys
    /// is bound to it — storage restored from older data can hold the object without a binding it
    /// took. A key another object holds meanwhile is left to it and logged by the caller's error.
    /// </summary>
    public async Task<TView> GetWithKeysAsync()
    {
        var profile = RequireProfile();
        if (!_keysChecked)
        {
            foreach (var key in UniqueKeys(profile))
            {
                if (await key.Binding.GetOwnerAsync() != ObjectId)
                {
                    try
                    {
                        await key.Binding.ReserveAsync(ObjectId);
                    }
                    catch (DirectoryException e) when (e.Code == DirectoryErrorCode.AlreadyExists)
                    {
                        // Another object holds it now: the name is theirs; this object keeps its id.
                    }
                }
            }

            _keysChecked = true;
        }

        return View();
    }

    public Task<bool> HoldsExternalIdAsync(string externalId) => Task.FromResult(Holds(OwnedKey.ExternalIdKind, externalId));

    /// <summary>Whether the object holds the key: as last stored (live or restorable), or because a change in progress is taking it.</summary>
    protected bool Holds(string kind, string value)
    {
        var (node, profile, _) = StoredNode();
        return _claiming.Contains((kind, value))
            || (node.State != ObjectState.Missing && UniqueKeys(profile!).Any(k => k.Kind == kind && k.Value == value));
    }

    /// <summary>The unique keys a profile takes in the tenant: its external id (when set) and, for users, the principal name.</summary>
    protected virtual IEnumerable<OwnedKey> UniqueKeys(TProfile profile) =>
        ExternalIdOf(profile) is { Length: > 0 } externalId
            ? [new OwnedKey(OwnedKey.ExternalIdKind, externalId, ExternalIds.Index(GrainFactory, TenantId, Kind, externalId))]
            : [];

    /// <summary>The profile's external id; empty when unset.</summary>
    protected abstract string ExternalIdOf(TProfile profile);

    private void Claim(IEnumerable<OwnedKey> keys) => _claiming.UnionWith(keys.Select(k => (k.Kind, k.Value)));

    private void Unclaim(IEnumerable<OwnedKey> keys) => _claiming.ExceptWith(keys.Select(k => (k.Kind, k.Value)));
}

using DirectoryService.Abstractions.Common;
using DirectoryService.Abstractions.Users;
using DirectoryService.Grains.Common;

namespace DirectoryService.Grains.Users;

/// <summary>The binding of one user principal name to the user holding it.</summary>
[GenerateSerializer, Alias("UpnBinding")]
public sealed class UpnBinding
{
    [Id(0)] public string? UserId { get; set; }
}

/// <summary>
/// Grants one user principal name to one user. Calls are handled one at a time, so of concurrent
/// creates with the same name exactly one wins. A binding left behind by a create that failed after
/// reserving, or by a rename, is taken over once its user no longer holds the name.
/// </summary>
[GrainType(GrainTypes.UpnIndex)]
public sealed class UpnIndexGrain(
    [PersistentState(StorageNames.UpnIndex, StorageNames.Directory)] IPersistentState<UpnBinding> binding)
    : Grain, IUpnIndexGrain
{
    public async Task ReserveAsync(string userId)
    {
        var holder = binding.State.UserId;
        if (holder == userId)
        {
            return;
        }

        if (holder is not null && await HoldsNameAsync(holder))
        {
            throw DirectoryException.AlreadyExists(DomainFields.UserPrincipalName, "another user in the tenant already has this user principal name");
        }

        binding.State.UserId = userId;
        await binding.WriteOrReloadAsync(this);
    }

    public async Task ReleaseAsync(string userId)
    {
        if (binding.State.UserId == userId)
        {
            binding.State.UserId = null;
            await binding.WriteOrReloadAsync(this);
        }
    }

    public Task<string?> GetOwnerAsync() => Task.FromResult(binding.State.UserId);

    /// <summary>
    /// Whether the user exists (live or restorable) and still has this name, or is taking it now. The
    /// user answers without waiting for its own calls, so two users swapping names do not wait on
    /// each other: each finds the other still holding the name and is refused at once.
    /// </summary>
    private async Task<bool> HoldsNameAsync(string userId)
    {
        var (tenantId, name) = GrainKeys.Split(this.GetPrimaryKeyString());
        return await GrainFactory.GetGrain<IUserGrain>(GrainKeys.Scoped(tenantId, userId)).HoldsPrincipalNameAsync(name);
    }
}

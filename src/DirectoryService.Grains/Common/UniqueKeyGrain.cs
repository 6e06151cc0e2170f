using DirectoryService.Abstractions.Common;

namespace DirectoryService.Grains.Common;

/// <summary>The binding of one unique key to the object holding it.</summary>
[GenerateSerializer, Alias("UpnBinding")]
public sealed class KeyBinding
{
    [Id(0)] public string? UserId { get; set; }
}

/// <summary>
/// Grants one unique key to one object. Calls are handled one at a time, so of concurrent takers
/// exactly one wins. A binding left behind by a create that failed after reserving, or by a change
/// of key, is taken over once its object no longer holds the key — which the object answers without
/// waiting on its own calls, so two objects swapping keys are each refused at once instead of
/// waiting on each other.
/// </summary>
public abstract class UniqueKeyGrain(IPersistentState<KeyBinding> binding) : Grain, IUniqueKeyGrain
{
    /// <summary>The field a refusal names, and what it says.</summary>
    protected abstract (string Field, string Taken) Refusal { get; }

    /// <summary>Whether the object still holds (or is taking) this grain's key.</summary>
    protected abstract Task<bool> HoldsAsync(string objectId);

    public async Task ReserveAsync(string objectId)
    {
        var holder = binding.State.UserId;
        if (holder == objectId)
        {
            return;
        }

        if (holder is not null && await HoldsAsync(holder))
        {
            throw DirectoryException.AlreadyExists(Refusal.Field, Refusal.Taken);
        }

        binding.State.UserId = objectId;
        await binding.WriteOrReloadAsync(this);
    }

    public async Task ReleaseAsync(string objectId)
    {
        if (binding.State.UserId == objectId)
        {
            binding.State.UserId = null;
            await binding.WriteOrReloadAsync(this);
        }
    }

    public Task<string?> GetOwnerAsync() => Task.FromResult(binding.State.UserId);
}

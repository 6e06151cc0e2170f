using System.Collections.Immutable;
using DirectoryService.Abstractions.Common;
using DirectoryService.Abstractions.Users;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;

namespace DirectoryService.Grains.Common;

/// <summary>
/// Grants the unique keys of one bucket of a tenant (<c>{tenant}/{bucket}</c>): principal names and
/// external ids, each to at most one object. On activation it reads every binding of its bucket in
/// one query (they share a storage partition: <see cref="UniqueKeys"/>), so finding or taking a key
/// costs no read of its own: an import of 100,000 users reads 4,096 partitions instead of 200,000
/// rows. Calls on one key run one at a time, so of concurrent takers exactly one wins; calls on
/// other keys run beside them, and their writes to the shared partition are group-committed. Every
/// write is conditional on the etag last read or written, so a second activation of the bucket
/// (possible for a moment while silos fail) can never overwrite a binding it did not see.
/// A binding left behind by a create that failed after reserving, or by a change of key, is taken
/// over once its object no longer holds the key — which the object answers without waiting on its
/// own calls, so two objects swapping keys are each refused at once instead of waiting on each other.
/// </summary>
[GrainType(GrainTypes.KeyBucket)]
[Orleans.Concurrency.Reentrant]
public sealed class KeyBucketGrain : Grain, IKeyBucketGrain
{
    /// <summary>The bindings known, as stored; a null entry is a key whose binding must be read again.</summary>
    private readonly Dictionary<TenantKey, Task<GrainState<KeyBinding>>?> _bindings = [];

    /// <summary>The last call queued on each key that has one running.</summary>
    private readonly Dictionary<TenantKey, Task> _turns = [];

    /// <summary>Whether every stored binding of the bucket was read at activation: a key not in <see cref="_bindings"/> is unbound.</summary>
    private bool _complete;

    private IGrainStorage _storage = null!;
    private string _tenantId = "";
    private string _bucket = "";

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        (_tenantId, _bucket) = GrainKeys.Split(this.GetPrimaryKeyString());
        _storage = ServiceProvider.GetRequiredKeyedService<IGrainStorage>(StorageNames.Directory);
        if (_storage is IGrainStateSpreads spreads)
        {
            foreach (var stored in await spreads.ReadSpreadAsync<KeyBinding>(_tenantId, _bucket, UniqueKeys.Rows))
            {
                if (UniqueKeys.FromRow(stored.GrainId) is { } key)
                {
                    _bindings[key] = Task.FromResult(new GrainState<KeyBinding>(stored.State, stored.ETag) { RecordExists = true });
                }
            }

            _complete = true;
        }

        await base.OnActivateAsync(cancellationToken);
    }

    public Task ReserveAsync(TenantKey key, string objectId) => InTurnAsync(key, async () =>
    {
        var current = await BindingAsync(key);
        var holder = current.State?.UserId;
        if (holder == objectId)
        {
            return;
        }

        if (holder is not null && await HoldsAsync(key, holder))
        {
            throw Refusal(key);
        }

        await WriteAsync(key, current, objectId);
    });

    public async Task<int> BindUnboundAsync(ImmutableArray<KeyClaim> claims)
    {
        // Only keys known to be unbound, with no call on them: taken in this turn, before any await,
        // so no other call on them starts until the write is done (each queues behind it).
        foreach (var claim in claims)
        {
            Checked(claim.Key);
            ArgumentException.ThrowIfNullOrEmpty(claim.ObjectId, nameof(claims));
        }

        var free = new List<(TenantKey Key, GrainState<KeyBinding> Next)>();
        var claimed = new HashSet<TenantKey>();
        foreach (var claim in claims)
        {
            if (claimed.Add(claim.Key) && !_turns.ContainsKey(claim.Key) && Known(claim.Key) is { State.UserId: null } current)
            {
                free.Add((claim.Key, Successor(current, claim.ObjectId)));
            }
        }

        if (free.Count == 0)
        {
            return 0;
        }

        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        foreach (var (key, _) in free)
        {
            _turns[key] = done.Task;
        }

        var bound = 0;
        try
        {
            foreach (var chunk in free.Chunk(IGrainStateSpreads.MaxStatesPerWrite))
            {
                try
                {
                    await WriteManyAsync(chunk);
                    foreach (var (key, next) in chunk)
                    {
                        _bindings[key] = Task.FromResult(next);
                    }

                    bound += chunk.Length;
                }
                catch (Exception)
                {
                    // Landed or not: each key is read again when next asked for, and its object's own
                    // reservation settles it as if this call had not been made.
                    foreach (var (key, _) in chunk)
                    {
                        _bindings[key] = null;
                    }
                }
            }
        }
        finally
        {
            done.SetResult();
            foreach (var (key, _) in free)
            {
                if (_turns.GetValueOrDefault(key) == done.Task)
                {
                    _turns.Remove(key);
                }
            }
        }

        return bound;
    }

    /// <summary>The binding that replaces <paramref name="current"/> with <paramref name="holder"/>, written on its etag.</summary>
    private static GrainState<KeyBinding> Successor(GrainState<KeyBinding> current, string? holder) =>
        new(new KeyBinding { UserId = holder }, current.ETag) { RecordExists = current.RecordExists };

    /// <summary>The key's binding if it is known without reading storage; null if it must be read.</summary>
    private GrainState<KeyBinding>? Known(TenantKey key) =>
        _bindings.TryGetValue(key, out var known)
            ? known is { IsCompletedSuccessfully: true } ? known.Result : null
            : _complete ? new GrainState<KeyBinding>(new KeyBinding(), null) : null;

    /// <summary>Writes bindings of this bucket in one request where storage can (they share its partition), else one each.</summary>
    private Task WriteManyAsync(IReadOnlyList<(TenantKey Key, GrainState<KeyBinding> Next)> writes) => _storage is IGrainStateSpreads spreads
        ? spreads.WriteSpreadAsync(_tenantId, _bucket, [.. writes.Select(w => (UniqueKeys.RowId(_tenantId, w.Key), UniqueKeys.StateName(w.Key.Kind), (IGrainState<KeyBinding>)w.Next))])
        : Task.WhenAll(writes.Select(w => _storage.WriteStateAsync(UniqueKeys.StateName(w.Key.Kind), UniqueKeys.RowId(_tenantId, w.Key), w.Next)));

    public Task ReleaseAsync(TenantKey key, string objectId) => InTurnAsync(key, async () =>
    {
        var current = await BindingAsync(key);
        if (current.State?.UserId == objectId)
        {
            await WriteAsync(key, current, null);
        }
    });

    public async Task<string?> GetOwnerAsync(TenantKey key) => (await BindingAsync(Checked(key))).State?.UserId;

    /// <summary>The key's binding as stored: known, read at activation as absent, or read now.</summary>
    private Task<GrainState<KeyBinding>> BindingAsync(TenantKey key)
    {
        if (_bindings.TryGetValue(key, out var known))
        {
            if (known is { IsFaulted: false, IsCanceled: false })
            {
                return known;
            }
        }
        else if (_complete)
        {
            return Task.FromResult(new GrainState<KeyBinding>(new KeyBinding(), null));
        }

        var read = ReadAsync(key);
        _bindings[key] = read;
        return read;
    }

    private async Task<GrainState<KeyBinding>> ReadAsync(TenantKey key)
    {
        var state = new GrainState<KeyBinding>(new KeyBinding(), null);
        await _storage.ReadStateAsync(UniqueKeys.StateName(key.Kind), UniqueKeys.RowId(_tenantId, key), state);
        state.State ??= new KeyBinding();
        return state;
    }

    /// <summary>
    /// Stores the key's new holder, conditional on the etag of <paramref name="current"/>. If the
    /// write fails it may still have landed: what storage holds is read again before the failure is
    /// passed on, or, if that read fails too, on the next call for the key.
    /// </summary>
    private async Task WriteAsync(TenantKey key, GrainState<KeyBinding> current, string? holder)
    {
        var next = Successor(current, holder);
        try
        {
            await _storage.WriteStateAsync(UniqueKeys.StateName(key.Kind), UniqueKeys.RowId(_tenantId, key), next);
            _bindings[key] = Task.FromResult(next);
        }
        catch
        {
            _bindings[key] = null;
            try
            {
                _bindings[key] = Task.FromResult(await ReadAsync(key));
            }
            catch
            {
                // Left null: the next call for the key reads it.
            }

            throw;
        }
    }

    /// <summary>Runs <paramref name="work"/> after every earlier call on the key has ended.</summary>
    private async Task InTurnAsync(TenantKey key, Func<Task> work)
    {
        Checked(key);
        var mine = AfterAsync(_turns.GetValueOrDefault(key), work);
        _turns[key] = mine;
        try
        {
            await mine;
        }
        finally
        {
            if (_turns.GetValueOrDefault(key) == mine)
            {
                _turns.Remove(key);
            }
        }
    }

    private static async Task AfterAsync(Task? earlier, Func<Task> work)
    {
        if (earlier is not null)
        {
            try
            {
                await earlier;
            }
            catch
            {
                // Its caller is told; this call starts from what storage holds.
            }
        }

        await work();
    }

    /// <summary>The key, if it belongs to this bucket: a call routed elsewhere would bind a key where no reader finds it.</summary>
    private TenantKey Checked(TenantKey key)
    {
        ArgumentException.ThrowIfNullOrEmpty(key.Value, nameof(key));
        return UniqueKeys.BucketOf(_tenantId, key) == _bucket
            ? key
            : throw new ArgumentException($"Key {key.Kind} '{key.Value}' belongs to bucket {UniqueKeys.BucketOf(_tenantId, key)}, not {_bucket}.", nameof(key));
    }

    private Task<bool> HoldsAsync(TenantKey key, string objectId) => key.Kind == UniqueKeyKind.PrincipalName
        ? GrainFactory.GetGrain<IUserGrain>(GrainKeys.Scoped(_tenantId, objectId)).HoldsPrincipalNameAsync(key.Value)
        : GrainFactory.Principal(_tenantId, new ObjectRef(objectId, KindOf(key.Kind))).HoldsExternalIdAsync(key.Value);

    private static ObjectKind KindOf(UniqueKeyKind kind) => kind == UniqueKeyKind.GroupExternalId ? ObjectKind.Group : ObjectKind.User;

    private static DirectoryException Refusal(TenantKey key) => key.Kind switch
    {
        UniqueKeyKind.PrincipalName => DirectoryException.AlreadyExists(DomainFields.UserPrincipalName, "another user in the tenant already has this user principal name"),
        UniqueKeyKind.UserExternalId => DirectoryException.AlreadyExists(DomainFields.ExternalId, "another user in the tenant already has this external id"),
        _ => DirectoryException.AlreadyExists(DomainFields.ExternalId, "another group in the tenant already has this external id"),
    };
}

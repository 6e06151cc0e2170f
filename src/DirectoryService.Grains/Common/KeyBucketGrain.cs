using System.Collections.Immutable;
using DirectoryService.Abstractions.Common;
using DirectoryService.Abstractions.Users;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;

namespace DirectoryService.Grains.Common;

/// <summary>
/// Grants the unique keys of one bucket of a tenant (<c>{tenant}/{bucket}</c>): principal names and
/// external ids, each to at most one object. Its bindings are stored in a few rows of one storage
/// partition (<see cref="KeyPages"/>: about 50 keys a row for a tenant of 100,000 users), read with
/// one query when it activates, so finding or taking a key costs no read of its own. Calls on one
/// key run one at a time, so of concurrent takers exactly one wins; calls on other keys run beside
/// them, and their changes are written together: while one write of the bucket's pages is in
/// flight, the changes that arrive meanwhile wait and go in the next. Every page is written on the
/// etag last read or written, and every change on the holder its caller saw, so a second activation
/// of the bucket (possible for a moment while silos fail) can never overwrite a binding it did not see.
/// A binding left behind by a create that failed after reserving, or by a change of key, is taken
/// over once its object no longer holds the key — which the object answers without waiting on its
/// own calls, so two objects swapping keys are each refused at once instead of waiting on each other.
/// </summary>
[GrainType(GrainTypes.KeyBucket)]
[Orleans.Concurrency.Reentrant]
public sealed class KeyBucketGrain : Grain, IKeyBucketGrain
{
    /// <summary>Most changes one write of pages takes: a few pages at most, far within a transaction's limits.</summary>
    private const int ChangesPerWrite = 500;

    /// <summary>The last call queued on each key that has one running.</summary>
    private readonly Dictionary<TenantKey, Task> _turns = [];

    /// <summary>Changes waiting for the next write, in arrival order.</summary>
    private readonly List<Change> _pending = [];

    /// <summary>The bindings as last read or written.</summary>
    private KeyPages _pages = new();

    /// <summary>The last read of the bindings: a failed one is made again by the next call.</summary>
    private Task _loaded = Task.CompletedTask;

    private bool _writing;
    private IGrainStorage _storage = null!;
    private string _tenantId = "";
    private string _bucket = "";

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        (_tenantId, _bucket) = GrainKeys.Split(this.GetPrimaryKeyString());
        _storage = ServiceProvider.GetRequiredKeyedService<IGrainStorage>(StorageNames.Directory);
        _loaded = LoadAsync();
        await _loaded;
        await base.OnActivateAsync(cancellationToken);
    }

    public Task ReserveAsync(TenantKey key, string objectId) => InTurnAsync(key, async () =>
    {
        var holder = await HolderAsync(key);
        if (holder == objectId)
        {
            return;
        }

        if (holder is not null && await HoldsAsync(key, holder))
        {
            throw Refusal(key);
        }

        await StoreAsync(key, holder, objectId);
    });

    public async Task<int> BindUnboundAsync(ImmutableArray<KeyClaim> claims)
    {
        foreach (var claim in claims)
        {
            Checked(claim.Key);
            ArgumentException.ThrowIfNullOrEmpty(claim.ObjectId, nameof(claims));
        }

        await LoadedAsync();

        // Only keys unbound now with no call on them: queued in this turn, before any await, so
        // every other call on them waits for the write (each queues behind it).
        var queued = new List<(TenantKey Key, Task Stored)>();
        var claimed = new HashSet<TenantKey>();
        foreach (var claim in claims)
        {
            if (claimed.Add(claim.Key) && !_turns.ContainsKey(claim.Key) && _pages.HolderOf(claim.Key) is null)
            {
                var stored = StoreAsync(claim.Key, null, claim.ObjectId);
                _turns[claim.Key] = stored;
                queued.Add((claim.Key, stored));
            }
        }

        var bound = 0;
        foreach (var (key, stored) in queued)
        {
            try
            {
                await stored;
                bound++;
            }
            catch (Exception)
            {
                // Landed or not: the pages were read again, and the key's object's own
                // reservation settles it as if this call had not been made.
            }
            finally
            {
                if (_turns.GetValueOrDefault(key) == stored)
                {
                    _turns.Remove(key);
                }
            }
        }

        return bound;
    }

    public Task ReleaseAsync(TenantKey key, string objectId) => InTurnAsync(key, async () =>
    {
        if (await HolderAsync(key) == objectId)
        {
            await StoreAsync(key, objectId, null);
        }
    });

    public Task<string?> GetOwnerAsync(TenantKey key) => HolderAsync(Checked(key));

    private async Task<string?> HolderAsync(TenantKey key)
    {
        await LoadedAsync();
        return _pages.HolderOf(key);
    }

    private Task LoadedAsync()
    {
        if (_loaded.IsFaulted || _loaded.IsCanceled)
        {
            _loaded = LoadAsync();
        }

        return _loaded;
    }

    /// <summary>Reads every page of the bucket, and the rows of single keys stored before pages.</summary>
    private async Task LoadAsync()
    {
        var pages = new List<(int, GrainState<KeyRow>)>();
        var own = new List<(TenantKey, string?)>();
        if (_storage is IGrainStateSpreads spreads)
        {
            foreach (var stored in await spreads.ReadSpreadAsync<KeyRow>(_tenantId, _bucket, UniqueKeys.Rows))
            {
                var row = new GrainState<KeyRow>(stored.State, stored.ETag) { RecordExists = true };
                if (KeyPages.NumberOf(stored.GrainId) is { } number)
                {
                    pages.Add((number, row));
                }
                else if (UniqueKeys.FromRow(stored.GrainId) is { } key)
                {
                    own.Add((key, stored.State.UserId));
                }
            }
        }
        else
        {
            // Storage that cannot read a partition (process memory) never held rows of single keys.
            for (var number = 0; ; number++)
            {
                var row = new GrainState<KeyRow>(new KeyRow(), null);
                await _storage.ReadStateAsync(KeyPages.StateName, KeyPages.RowId(_tenantId, _bucket, number), row);
                if (!row.RecordExists)
                {
                    break;
                }

                pages.Add((number, row));
            }
        }

        _pages = KeyPages.Load(pages, own);
    }

    /// <summary>
    /// Binds the key to <paramref name="holder"/> (null: to none) in the next write of the bucket's
    /// pages, provided it is still bound to <paramref name="expected"/> then; completes once that
    /// write is done. If the write fails it may still have landed: the pages are read again before
    /// the failure is passed on, or, if that read fails too, by the next call.
    /// </summary>
    private Task StoreAsync(TenantKey key, string? expected, string? holder)
    {
        var change = new Change(key, expected, holder, new(TaskCreationOptions.RunContinuationsAsynchronously));
        _pending.Add(change);
        if (!_writing)
        {
            _writing = true;
            _ = WriteAsync();
        }

        return change.Done.Task;
    }

    /// <summary>Writes the pending changes, as many as arrived while the write before was in flight in each.</summary>
    private async Task WriteAsync()
    {
        try
        {
            // Changes made in the same turn as the first go with it.
            await Task.Yield();
            while (_pending.Count > 0)
            {
                var batch = _pending.Take(ChangesPerWrite).ToList();
                _pending.RemoveRange(0, batch.Count);
                await WriteAsync(batch);
            }
        }
        finally
        {
            _writing = false;
        }
    }

    private async Task WriteAsync(List<Change> batch)
    {
        try
        {
            await LoadedAsync();
        }
        catch (Exception e)
        {
            batch.ForEach(c => c.Done.TrySetException(e));
            return;
        }

        // A key bound otherwise than its caller saw was changed by another activation: refused, as a failed etag would be.
        var current = batch.Where(c => _pages.HolderOf(c.Key) == c.Expected).ToList();
        foreach (var stale in batch.Except(current))
        {
            stale.Done.TrySetException(new InconsistentStateException($"Key {stale.Key.Kind} '{stale.Key.Value}' of bucket {_tenantId}/{_bucket} was changed by another writer."));
        }

        var plan = _pages.Plan([.. current.Select(c => (c.Key, c.Holder))]);
        try
        {
            await WriteRowsAsync(plan);
            _pages.Commit(plan);
        }
        catch (Exception e)
        {
            _loaded = LoadAsync();
            try
            {
                await _loaded;
            }
            catch (Exception)
            {
                // Left failed: the next call reads them.
            }

            current.ForEach(c => c.Done.TrySetException(e));
            return;
        }

        current.ForEach(c => c.Done.TrySetResult());
    }

    /// <summary>Writes the plan's page rows: in one request where storage can (they share a partition), else one by one.</summary>
    private async Task WriteRowsAsync(KeyPagesPlan plan)
    {
        if (plan.Pages.Count == 0)
        {
            return;
        }

        if (_storage is IGrainStateSpreads spreads)
        {
            await spreads.WriteSpreadAsync(_tenantId, _bucket, [.. plan.Pages.Select(p => (KeyPages.RowId(_tenantId, _bucket, p.Number), KeyPages.StateName, (IGrainState<KeyRow>)p.Row))]);
            return;
        }

        foreach (var page in plan.Pages)
        {
            await _storage.WriteStateAsync(KeyPages.StateName, KeyPages.RowId(_tenantId, _bucket, page.Number), page.Row);
        }
    }

    /// <summary>A key to bind to <see cref="Holder"/> if it is still bound to <see cref="Expected"/>.</summary>
    private sealed record Change(TenantKey Key, string? Expected, string? Holder, TaskCompletionSource Done);

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
        ? GrainFactory.Reference<IUserGrain>(GrainKeys.Scoped(_tenantId, objectId)).HoldsPrincipalNameAsync(key.Value)
        : GrainFactory.Principal(_tenantId, new ObjectRef(objectId, KindOf(key.Kind))).HoldsExternalIdAsync(key.Value);

    private static ObjectKind KindOf(UniqueKeyKind kind) => kind == UniqueKeyKind.GroupExternalId ? ObjectKind.Group : ObjectKind.User;

    private static DirectoryException Refusal(TenantKey key) => key.Kind switch
    {
        UniqueKeyKind.PrincipalName => DirectoryException.AlreadyExists(DomainFields.UserPrincipalName, "another user in the tenant already has this user principal name"),
        UniqueKeyKind.UserExternalId => DirectoryException.AlreadyExists(DomainFields.ExternalId, "another user in the tenant already has this external id"),
        _ => DirectoryException.AlreadyExists(DomainFields.ExternalId, "another group in the tenant already has this external id"),
    };
}

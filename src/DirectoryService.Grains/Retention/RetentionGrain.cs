using System.Diagnostics;
using DirectoryService.Abstractions.Audit;
using DirectoryService.Abstractions.Changes;
using DirectoryService.Abstractions.Common;
using DirectoryService.Abstractions.Retention;
using DirectoryService.Abstractions.Rows;
using DirectoryService.Abstractions.Tenants;
using DirectoryService.Grains.Common;
using DirectoryService.Grains.Rows;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;

namespace DirectoryService.Grains.Retention;

/// <summary>The days whose deleted objects await their purge.</summary>
[GenerateSerializer, Alias("RetentionState")]
public sealed class RetentionState
{
    [Id(0)] public SortedSet<DateOnly> Days { get; set; } = [];
}

/// <summary>
/// A tenant's scheduled clean-up. Its Orleans reminder (durable in the reminder table, so it
/// survives restarts and moves with the grain) sweeps every <see cref="RetentionOptions.SweepPeriod"/>:
/// each scheduled day whose objects may be past retention is read, and each object is purged in
/// steps that are each safe to repeat — the object marks itself (<c>BeginPurgeAsync</c>), leaves its
/// groups, a group drops its members, and the object removes its keys, rows and state
/// (<c>EndPurgeAsync</c>) — under an audit record naming every purged id. A sweep that fails part way
/// leaves its rows; the next one finishes the work. Reentrant, so deletions scheduling a day never
/// wait behind a sweep; one sweep runs at a time and state writes are serialised.
/// </summary>
[GrainType(GrainTypes.Retention)]
[Reentrant]
public sealed partial class RetentionGrain(
    [PersistentState(StorageNames.Retention, StorageNames.Directory)] IPersistentState<RetentionState> state,
    IRowStore rows,
    IAuditLog audit,
    DirectoryClock clock,
    IOptions<RetentionOptions> options,
    ILogger<RetentionGrain> logger) : Grain, IRetentionGrain, IRemindable
{
    private const string ReminderName = "retention";

    /// <summary>Schedule rows read (and objects purged in parallel) at a time.</summary>
    private const int PageSize = 100;

    /// <summary>The operation audit records of purges name.</summary>
    public const string PurgeOperation = "PurgeDeletedObjects";

    private readonly SemaphoreSlim _writes = new(1, 1);
    private Task? _starting;
    private Task<PurgeSummary>? _sweep;

    private string TenantId => this.GetPrimaryKeyString();

    public Task StartAsync()
    {
        if (_starting is { IsFaulted: true })
        {
            _starting = null;
        }

        return _starting ??= RegisterAsync();
    }

    private async Task RegisterAsync()
    {
        if (await this.GetReminder(ReminderName) is null)
        {
            var period = options.Value.SweepPeriod;
            await this.RegisterOrUpdateReminder(ReminderName, period, period);
        }
    }

    public async Task ScheduleAsync(DateOnly day)
    {
        if (!state.State.Days.Contains(day))
        {
            await ChangeDaysAsync(days => days.Add(day));
        }

        await StartAsync();
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (state.State.Days.Count == 0 && !await TenantExistsAsync())
        {
            // A deleted tenant whose reminder came back (a feed's activation asked for it): nothing left to do.
            if (await this.GetReminder(ReminderName) is { } reminder)
            {
                await this.UnregisterReminder(reminder);
            }

            _starting = null;
            DeactivateOnIdle();
            return;
        }

        await SweepAsync();
        await Task.WhenAll(Feeds().Select(f => f.PurgeAsync()));
    }

    public Task<PurgeSummary> SweepAsync() => SweepOnceAsync(all: false);

    public async Task CloseAsync()
    {
        await SweepOnceAsync(all: true);
        if (state.State.Days.Count > 0)
        {
            throw DirectoryException.Precondition(DomainFields.Id, "the tenant still holds soft-deleted objects within their retention");
        }

        await Task.WhenAll(Feeds().Select(f => f.ClearAsync()));
        if (await this.GetReminder(ReminderName) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
        }

        _starting = null;
        await _writes.WaitAsync();
        try
        {
            await state.ClearOrReloadAsync(this);
        }
        finally
        {
            _writes.Release();
        }
    }

    /// <summary>One sweep at a time: a call during a sweep shares it.</summary>
    private Task<PurgeSummary> SweepOnceAsync(bool all)
    {
        if (_sweep is null || _sweep.IsCompleted)
        {
            _sweep = RunSweepAsync(all);
        }

        return _sweep;
    }

    private async Task<PurgeSummary> RunSweepAsync(bool all)
    {
        // A sweep serves the schedule, not the call that started it: no caller's deadline cuts it short.
        CallDeadline.Clear();
        var now = clock.UtcNow;
        var users = new List<string>();
        var groups = new List<string>();
        foreach (var day in state.State.Days.Where(d => all || PurgeSchedule.FirstDue(d) <= now).ToList())
        {
            var kept = false;
            var set = RowSets.Purges(TenantId, day);
            var after = "";
            while (true)
            {
                var page = await rows.ReadKeysAsync(set, after, RowKeys.End, PageSize);
                var targets = page.Items.Select(PurgeSchedule.Parse).ToList();
                var (purged, keep) = await PurgeAsync(day, targets);
                users.AddRange(purged.Where(p => p.Kind == ObjectKind.User).Select(p => p.Id));
                groups.AddRange(purged.Where(p => p.Kind == ObjectKind.Group).Select(p => p.Id));
                var done = targets.Where(t => !keep.Contains(t)).Select(t => RowWrite.Delete(PurgeSchedule.Key(t))).ToList();
                kept |= keep.Count > 0;
                if (done.Count > 0)
                {
                    await rows.WriteAsync(set, done);
                }

                if (page.Next is null)
                {
                    break;
                }

                after = page.Next;
            }

            if (!kept)
            {
                await ChangeDaysAsync(days => days.Remove(day));
            }
        }

        if (users.Count + groups.Count > 0)
        {
            LogPurged(logger, TenantId, users.Count, groups.Count);
        }

        return new PurgeSummary(users, groups);
    }

    /// <summary>
    /// Purges the objects of one page of a day's schedule: each is asked first (which marks those past
    /// retention), the purge is audited as pending, then each leaves its groups and ends its purge.
    /// Returns the purged objects, and those whose rows stay.
    /// </summary>
    private async Task<(List<ObjectRef> Purged, HashSet<ObjectRef> Kept)> PurgeAsync(DateOnly day, List<ObjectRef> targets)
    {
        var starts = await Task.WhenAll(targets.Select(t => Principal(t).BeginPurgeAsync(day)));
        var purging = targets.Zip(starts).Where(p => p.Second.Step == PurgeStep.Purge).ToList();
        var result = (purging.Select(p => p.First).ToList(), targets.Zip(starts).Where(p => p.Second.Step == PurgeStep.Keep).Select(p => p.First).ToHashSet());
        if (purging.Count == 0)
        {
            return result;
        }

        var record = await audit.AppendAsync(new AuditRecord(
            "", clock.UtcNow, TenantId, Subject: "directory", App: "retention", PurgeOperation,
            [.. purging.Select(p => p.First.Id)], [], AuditResults.Pending, Activity.Current?.TraceId.ToHexString() ?? ""));
        await Task.WhenAll(purging.Select(p => CompleteAsync(p.First, p.Second)));
        await audit.SettleAsync(record, AuditResults.Ok, record.Targets);
        return result;
    }

    /// <summary>The steps after the object marked itself: out of its groups, its own members out (a group), then its keys, rows and state.</summary>
    private async Task CompleteAsync(ObjectRef target, PurgeStart start)
    {
        foreach (var parent in start.MemberOf)
        {
            await GrainFactory.Group(TenantId, parent).DropMemberAsync(target);
        }

        if (target.Kind == ObjectKind.Group)
        {
            await GrainFactory.Group(TenantId, target.Id).DropMembersAsync();
        }

        await Principal(target).EndPurgeAsync();
    }

    private async Task ChangeDaysAsync(Func<SortedSet<DateOnly>, bool> change)
    {
        await _writes.WaitAsync();
        try
        {
            if (change(state.State.Days))
            {
                await state.WriteOrReloadAsync(this);
            }
        }
        finally
        {
            _writes.Release();
        }
    }

    private async Task<bool> TenantExistsAsync()
    {
        try
        {
            await GrainFactory.GetGrain<ITenantGrain>(TenantId).GetAsync();
            return true;
        }
        catch (DirectoryException e) when (e.Code == DirectoryErrorCode.NotFound)
        {
            return false;
        }
    }

    private IEnumerable<IChangeFeedGrain> Feeds() =>
        from kind in new[] { ObjectKind.User, ObjectKind.Group }
        from shard in Enumerable.Range(0, ChangeFeeds.Shards)
        select GrainFactory.Shard(TenantId, kind, shard);

    private Abstractions.Membership.IPrincipalGrain Principal(ObjectRef target) => GrainFactory.Principal(TenantId, target);

    [LoggerMessage(Level = LogLevel.Information, Message = "Tenant {Tenant}: purged {Users} users and {Groups} groups past their soft-delete retention")]
    private static partial void LogPurged(ILogger logger, string tenant, int users, int groups);
}

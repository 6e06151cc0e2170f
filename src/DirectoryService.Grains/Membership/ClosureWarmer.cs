using System.Diagnostics;
using DirectoryService.Abstractions.Indexing;
using DirectoryService.Abstractions.Rows;
using DirectoryService.Abstractions.Tenants;
using DirectoryService.Grains.Indexing;
using DirectoryService.Grains.Rows;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DirectoryService.Grains.Membership;

/// <summary>Warming the closure cache at silo start (section <c>Directory:WarmUp</c>).</summary>
public sealed class WarmUpOptions
{
    public const string Section = "Directory:WarmUp";

    /// <summary>Whether a starting silo fills its closure cache before it reports ready.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>The longest a starting silo waits on warming before it reports ready anyway.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Groups warmed at once (each is a grain call, and a storage read if the group is not active).</summary>
    public int Concurrency { get; set; } = 32;

    /// <summary>Most groups warmed per tenant; the rest fill on first use.</summary>
    public int MaxGroupsPerTenant { get; set; } = ClosureCache.MaxEntriesPerTenant / 2;
}

/// <summary>
/// Fills this silo's <see cref="ClosureCache"/> with the closure of every group of every tenant
/// when the silo starts, so that a user's first sign-in after a restart costs its own two reads (its
/// name's grain, its user grain) instead of a walk up through groups that are not active yet. The
/// silo reports ready (gRPC health SERVING) only once warming is done or its time is up; it serves
/// calls meanwhile, only more slowly.
/// <para>
/// Warming changes nothing and is never needed for exactness: a closure is cached in the tenant's
/// current view like any fill, so a change of nesting during warming discards it as it would any other.
/// </para>
/// </summary>
public sealed partial class ClosureWarmer(
    IGrainFactory grains, SignInReads reads, IRowStore rows, RowCodec codec, IOptions<WarmUpOptions> options, ILogger<ClosureWarmer> logger)
    : ILifecycleParticipant<ISiloLifecycle>
{
    private const int TenantPage = 100;
    private const int GroupPage = 500;

    /// <summary>Soft-deleted groups too: their members still name them (for a restore), so a first sign-in asks for them.</summary>
    private static readonly GroupFilter AllGroups = new() { Deletion = DeletionFilter.Any };

    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _groups;

    /// <summary>Completes when warming is done, failed or timed out; until then the silo is not ready.</summary>
    public Task Completion => _done.Task;

    /// <summary>Groups warmed so far.</summary>
    public int Groups => Volatile.Read(ref _groups);

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(ClosureWarmer), ServiceLifecycleStage.Active, started =>
        {
            // In the background: the silo must be active to serve the grain calls warming makes.
            _ = Task.Run(RunAsync);
            return Task.CompletedTask;
        });

    private async Task RunAsync()
    {
        var settings = options.Value;
        try
        {
            if (!settings.Enabled)
            {
                return;
            }

            using var timeout = new CancellationTokenSource(settings.Timeout);
            var watch = Stopwatch.StartNew();
            try
            {
                var tenants = await WarmAllAsync(timeout.Token);
                LogWarmed(logger, Groups, tenants, watch.ElapsedMilliseconds);
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested)
            {
                LogTimedOut(logger, Groups, settings.Timeout);
            }
        }
        catch (Exception e)
        {
            // Warming only saves first reads; the silo serves without it.
            LogFailed(logger, e, Groups);
        }
        finally
        {
            _done.TrySetResult();
        }
    }

    /// <summary>Warms every tenant in turn; returns how many there were.</summary>
    public async Task<int> WarmAllAsync(CancellationToken cancellationToken)
    {
        var tenants = 0;
        string? after = null;
        do
        {
            var page = await grains.GetGrain<ITenantRegistryGrain>(0).ListAsync(after, TenantPage);
            foreach (var tenantId in page.Items)
            {
                await WarmTenantAsync(tenantId, cancellationToken);
                tenants++;
            }

            after = page.Next;
        }
        while (after is not null);
        return tenants;
    }

    /// <summary>Fills the closures of the tenant's groups, in id order, up to the per-tenant cap.</summary>
    public async Task WarmTenantAsync(string tenantId, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var index = new IndexReader(rows, codec);
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = settings.Concurrency, CancellationToken = cancellationToken };
        var left = settings.MaxGroupsPerTenant;
        string? after = null;
        do
        {
            var page = await index.ReadAsync(bucket => RowSets.GroupIndex(tenantId, bucket), AllGroups, after, Math.Min(GroupPage, left), cancellationToken);
            await Parallel.ForEachAsync(page.Items, parallel, async (group, _) =>
            {
                await reads.WarmGroupAsync(tenantId, group.Id);
                Interlocked.Increment(ref _groups);
            });
            left -= page.Items.Count;
            after = page.Next;
        }
        while (after is not null && left > 0);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Warmed the closures of {Groups} groups in {Tenants} tenants in {Milliseconds} ms")]
    private static partial void LogWarmed(ILogger logger, int groups, int tenants, long milliseconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Warming stopped after {Timeout} with {Groups} groups warmed; the rest fill on first use")]
    private static partial void LogTimedOut(ILogger logger, int groups, TimeSpan timeout);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Warming failed after {Groups} groups; the rest fill on first use")]
    private static partial void LogFailed(ILogger logger, Exception exception, int groups);
}

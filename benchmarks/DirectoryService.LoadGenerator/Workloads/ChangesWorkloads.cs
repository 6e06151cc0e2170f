using System.Threading.Channels;
using DirectoryService.Grpc.V1;
using Grpc.Core;

namespace DirectoryService.LoadGenerator.Workloads;

/// <summary>
/// A delta call with nothing to report: each caller asks DeltaUsers with the token its previous
/// answer gave (no user changes while it runs). What a mirror that polls pays when nothing changed.
/// </summary>
public sealed class EmptyDeltaWorkload(TenantClients tenant) : IWorkload
{
    private readonly Changes.ChangesClient _client = tenant.Changes;
    private string[] _tokens = [];
    private long _mismatches;

    public long Mismatches => Interlocked.Read(ref _mismatches);

    public async Task PrepareAsync()
    {
        var latest = (await _client.DeltaUsersAsync(new DeltaRequest { Latest = true })).DeltaToken;
        _tokens = [.. Enumerable.Repeat(latest, 1024)];
    }

    public async Task ExecuteAsync(int worker, long iteration)
    {
        var answer = await _client.DeltaUsersAsync(new DeltaRequest { Token = _tokens[worker] });
        if (answer.Users.Count != 0 || answer.DeltaToken.Length == 0)
        {
            Interlocked.Increment(ref _mismatches);
        }

        _tokens[worker] = answer.DeltaToken;
    }
}

/// <summary>
/// Followers of the groups feed: each caller holds one WatchChanges stream (from the time the run
/// starts) and one iteration is one group change delivered to it; heartbeats are not counted. Run in
/// the background of a membership-writing workload (<c>add-remove+watch</c>), its rate against the
/// writers' says whether the feed keeps up, and the writers' figures what following costs them.
/// </summary>
public sealed class WatchWorkload(TenantClients tenant, int followers) : IWorkload
{
    private readonly List<Channel<GroupDelta>> _changes = [];

    public long Mismatches => 0;

    public async Task PrepareAsync()
    {
        var token = (await tenant.Changes.DeltaGroupsAsync(new DeltaRequest { Latest = true })).DeltaToken;
        for (var i = 0; i < followers; i++)
        {
            var changes = Channel.CreateUnbounded<GroupDelta>();
            _changes.Add(changes);
            var call = tenant.Changes.WatchChanges(new WatchChangesRequest { Kind = ChangeKind.Groups, Token = token, HeartbeatSeconds = 5 });
            _ = Task.Run(async () =>
            {
                try
                {
                    await foreach (var message in call.ResponseStream.ReadAllAsync())
                    {
                        foreach (var change in message.Groups)
                        {
                            changes.Writer.TryWrite(change);
                        }
                    }
                }
                catch (RpcException e)
                {
                    changes.Writer.TryComplete(e);
                }
            });
        }
    }

    /// <summary>
    /// Takes the next change; gives up after a second without one (when the writers have stopped at
    /// the end of the run), which counts as one more operation per follower at most.
    /// </summary>
    public async Task ExecuteAsync(int worker, long iteration)
    {
        using var idle = new CancellationTokenSource(TimeSpan.FromSeconds(1));
        try
        {
            await _changes[worker].Reader.ReadAsync(idle.Token);
        }
        catch (OperationCanceledException) when (idle.IsCancellationRequested)
        {
        }
    }
}

using DirectoryService.Gateway.Tests.Infrastructure;
using DirectoryService.Grpc.V1;
using DirectoryService.Testing;
using Grpc.Core;
using P = DirectoryService.Security.Permissions;
using V1 = DirectoryService.Grpc.V1;

namespace DirectoryService.Gateway.Tests.Changes;

/// <summary>WatchChanges: changes pushed as they are acknowledged, heartbeats with resumable tokens, and its refusals.</summary>
[Collection(SiloCollection.Name)]
public sealed class WatchTests(SiloFixture silo)
{
    [Fact]
    public async Task Watch_PushesAcknowledgedChanges_ThenHeartbeatsWithAResumableToken()
    {
        var t = await silo.NewTenantAsync();
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var call = t.Changes.WatchChanges(new WatchChangesRequest { Kind = ChangeKind.Users, HeartbeatSeconds = 1 }, cancellationToken: cancel.Token);

        // The first heartbeat says the stream is following; then a change must arrive without polling.
        var first = await NextAsync(call, cancel.Token);
        Assert.True(first.Heartbeat);
        var ana = await t.CreateUserAsync("ana");
        var pushed = await NextAsync(call, cancel.Token);
        while (pushed.Heartbeat)
        {
            pushed = await NextAsync(call, cancel.Token);
        }

        Assert.False(pushed.Heartbeat);
        Assert.Equal(ana, Assert.Single(pushed.Users).User);
        var beat = await NextAsync(call, cancel.Token);
        Assert.True(beat.Heartbeat);
        Assert.Empty(beat.Users);
        cancel.Cancel();

        // A heartbeat's token resumes after everything before it: a later change, and nothing else.
        var ben = await t.CreateUserAsync("ben");
        var page = await t.Changes.DeltaUsersAsync(new DeltaRequest { Token = beat.Token });
        Assert.Equal([ben.Id], page.Users.Select(u => u.Id));
    }

    [Fact]
    public async Task Watch_FromAToken_ReplaysWhatCameAfterIt()
    {
        var t = await silo.NewTenantAsync();
        var token = (await t.Changes.DeltaGroupsAsync(new DeltaRequest { Latest = true })).DeltaToken;
        var group = await t.CreateGroupAsync("team");
        var ana = await t.CreateUserAsync("ana");
        await t.AddAsync(group, ana);

        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var call = t.Changes.WatchChanges(new WatchChangesRequest { Kind = ChangeKind.Groups, Token = token }, cancellationToken: cancel.Token);
        var message = await NextAsync(call, cancel.Token);
        var change = Assert.Single(message.Groups);
        Assert.Equal(group.Id, change.Id);
        Assert.Equal([ana.Id], change.MembersAdded.Select(m => m.Id));
    }

    [Fact]
    public async Task Watch_RefusesPrecisely()
    {
        var t = await silo.NewTenantAsync();
        var usersOnly = new V1.Changes.ChangesClient(silo.Authorized(ClusterSettings.Token(t.Id, [P.UserRead])));
        await FailsAsync(StatusCode.PermissionDenied, null, usersOnly, new WatchChangesRequest { Kind = ChangeKind.Groups });
        await FailsAsync(StatusCode.InvalidArgument, "kind", t.Changes, new WatchChangesRequest());
        await FailsAsync(StatusCode.InvalidArgument, "heartbeat_seconds", t.Changes, new WatchChangesRequest { Kind = ChangeKind.Users, HeartbeatSeconds = 61 });
        var usersToken = (await t.Changes.DeltaUsersAsync(new DeltaRequest { Latest = true })).DeltaToken;
        await FailsAsync(StatusCode.FailedPrecondition, "token", t.Changes, new WatchChangesRequest { Kind = ChangeKind.Groups, Token = usersToken });
    }

    private static async Task FailsAsync(StatusCode code, string? field, V1.Changes.ChangesClient client, WatchChangesRequest request) =>
        await RpcAssert.Fails(code, field, async () =>
        {
            using var call = client.WatchChanges(request);
            await call.ResponseStream.MoveNext(CancellationToken.None);
        });

    private static async Task<WatchChangesResponse> NextAsync(AsyncServerStreamingCall<WatchChangesResponse> call, CancellationToken cancel)
    {
        Assert.True(await call.ResponseStream.MoveNext(cancel), "the stream ended");
        return call.ResponseStream.Current;
    }
}

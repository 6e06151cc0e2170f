using DirectoryService.Gateway.Tests.Infrastructure;
using DirectoryService.Grpc.V1;
using DirectoryService.Security;
using DirectoryService.Testing;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using V1 = DirectoryService.Grpc.V1;

namespace DirectoryService.Gateway.Tests.Security;

/// <summary>A body that is not a valid message is INVALID_ARGUMENT, audited like any refused write, changes nothing, and costs the logs little.</summary>
[Collection(SiloCollection.Name)]
public sealed class GarbledRequestTests(SiloFixture silo)
{
    private static readonly Marshaller<byte[]> Raw = Marshallers.Create(b => b, b => b);

    private static Task<byte[]> SendAsync(CallInvoker invoker, string service, string method, byte[] body) =>
        invoker.AsyncUnaryCall(new Method<byte[], byte[]>(MethodType.Unary, service, method, Raw, Raw), null, new CallOptions(), body).ResponseAsync;

    /// <summary>Bytes that no protobuf parser accepts: an invalid tag (field 0), a truncated length, a bad wire type.</summary>
    public static TheoryData<byte[]> Garbage => [[0x00, 0x01], [0x0a, 0x7f, 0x01], [0x0f, 0x01, 0x02], [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]];

    [Theory]
    [MemberData(nameof(Garbage))]
    public async Task AGarbledWrite_IsInvalidArgument_AuditedAndChangesNothing(byte[] body)
    {
        var t = await silo.NewTenantAsync();
        var writer = silo.Authorized(ClusterSettings.Token(t.Id, Permissions.DirectoryReadWrite));
        var calls = silo.GrainCalls.Calls;

        var error = await Assert.ThrowsAsync<RpcException>(() => SendAsync(writer, "directory.v1.Groups", "CreateGroup", body));
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("not a valid directory.v1.CreateGroupRequest", error.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(calls, silo.GrainCalls.Calls);
        Assert.Empty((await t.Groups.ListGroupsAsync(new ListGroupsRequest())).Groups);

        var audit = new V1.Audit.AuditClient(silo.Authorized(ClusterSettings.Token(t.Id, Permissions.AuditRead)));
        var records = (await audit.ListAuditRecordsAsync(new ListAuditRecordsRequest())).Records;
        Assert.Contains(records, r => r.Operation == "/directory.v1.Groups/CreateGroup" && r.Result == "InvalidArgument");
    }

    [Fact]
    public async Task AGarbledMessageInAnImportStream_EndsItWithInvalidArgument_AuditedAndChangesNothing()
    {
        var t = await silo.NewTenantAsync();
        var writer = silo.Authorized(ClusterSettings.Token(t.Id, Permissions.DirectoryReadWrite));
        var records = new ImportRecordsRequest { Records = { new ImportRecord { User = new ImportUser { ExternalId = "X", UserPrincipalName = t.Upn("x"), DisplayName = "X" } } } };

        using var call = writer.AsyncDuplexStreamingCall(new Method<byte[], byte[]>(MethodType.DuplexStreaming, "directory.v1.Import", "ImportRecords", Raw, Raw), null, new CallOptions());
        var error = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            await call.RequestStream.WriteAsync([0x00, 0x01]);
            await call.RequestStream.WriteAsync(Google.Protobuf.MessageExtensions.ToByteArray(records));
            await call.RequestStream.CompleteAsync();
            while (await call.ResponseStream.MoveNext(CancellationToken.None))
            {
            }
        });

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("not a valid directory.v1.ImportRecordsRequest", error.Status.Detail, StringComparison.Ordinal);
        Assert.Empty((await t.Users.ListUsersAsync(new ListUsersRequest())).Users);
        var audit = new V1.Audit.AuditClient(silo.Authorized(ClusterSettings.Token(t.Id, Permissions.AuditRead)));
        var logged = (await audit.ListAuditRecordsAsync(new ListAuditRecordsRequest())).Records;
        Assert.Contains(logged, r => r.Operation == "/directory.v1.Import/ImportRecords" && r.Result == "InvalidArgument");
    }

    [Fact]
    public async Task AGarbledRead_IsInvalidArgument()
    {
        var t = await silo.NewTenantAsync();
        var reader = silo.Authorized(ClusterSettings.Token(t.Id, Permissions.DirectoryRead));
        var status = await Outcomes.StatusOf(() => SendAsync(reader, "directory.v1.SignIn", "ResolveSignIn", [0x00, 0x00]));
        Assert.Equal(StatusCode.InvalidArgument, status);
    }

    [Fact]
    public async Task AFloodOfGarbage_LogsAtMostAFewWarnings_AndNoErrors()
    {
        var t = await silo.NewTenantAsync();
        var writer = silo.Authorized(ClusterSettings.Token(t.Id, Permissions.DirectoryReadWrite));
        var before = silo.Logs.Entries.Count;
        for (var i = 0; i < 300; i++)
        {
            Assert.Equal(StatusCode.InvalidArgument, await Outcomes.StatusOf(() => SendAsync(writer, "directory.v1.Users", "UpdateUser", [0x00, (byte)i])));
        }

        var logged = silo.Logs.Entries.Skip(before).ToList();
        Assert.DoesNotContain(logged, e => e.Level >= LogLevel.Error);
        Assert.InRange(logged.Count(e => e.Message.Contains("not a valid message", StringComparison.Ordinal)), 0, 2);
    }
}

using DirectoryService.Gateway.Tests.Infrastructure;
using DirectoryService.Grpc.V1;
using Grpc.Core;

namespace DirectoryService.Gateway.Tests.Import;

/// <summary>Import records as an HR export would produce them, positioned by a running line number.</summary>
public sealed class ImportRecordsFactory(string domain)
{
    private long _line;

    public ImportRecord User(string externalId, string? local = null, string manager = "", Action<ImportUser>? configure = null)
    {
        local ??= externalId.ToLowerInvariant();
        var user = new ImportUser
        {
            ExternalId = externalId,
            UserPrincipalName = $"{local}@{domain}",
            DisplayName = "User " + externalId,
            GivenName = "Given " + externalId,
            Surname = "Surname",
            Department = "Sales",
            JobTitle = "Clerk",
            EmployeeId = "E-" + externalId,
            ManagerExternalId = manager,
        };
        configure?.Invoke(user);
        return new ImportRecord { Position = ++_line, User = user };
    }

    public ImportRecord Group(string externalId, Action<ImportGroup>? configure = null)
    {
        var group = new ImportGroup { ExternalId = externalId, DisplayName = "Group " + externalId, Description = "imported" };
        configure?.Invoke(group);
        return new ImportRecord { Position = ++_line, Group = group };
    }

    public ImportRecord Member(string group, string member, bool isGroup = false) => new()
    {
        Position = ++_line,
        Membership = new ImportMembership { GroupExternalId = group, MemberExternalId = member, MemberIsGroup = isGroup },
    };

    /// <summary>The position the next record will get.</summary>
    public long Next => _line + 1;

    /// <summary>
    /// Opens an import of the tenant that creates users A, B and C and group G, then makes the three
    /// members of G (one batch each, both answered), and leaves the stream open: the "member of"
    /// updates G handed over to the import are not applied yet.
    /// </summary>
    public static async Task<AsyncDuplexStreamingCall<ImportRecordsRequest, ImportRecordsResponse>> OpenWithThreeMembersAsync(TestTenant t)
    {
        var r = new ImportRecordsFactory(t.Domain);
        var call = t.Import.ImportRecords();
        await call.RequestStream.WriteAsync(new ImportRecordsRequest { Records = { r.User("A"), r.User("B"), r.User("C"), r.Group("G") } });
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
        await call.RequestStream.WriteAsync(new ImportRecordsRequest { Records = { r.Member("G", "A"), r.Member("G", "B"), r.Member("G", "C") } });
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
        return call;
    }
}

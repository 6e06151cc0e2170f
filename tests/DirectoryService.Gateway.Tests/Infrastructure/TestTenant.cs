using DirectoryService.Grpc.V1;
using Grpc.Core;
using Grpc.Core.Interceptors;
using DirectoryService.Security;
using DirectoryService.Testing;
using V1 = DirectoryService.Grpc.V1;

namespace DirectoryService.Gateway.Tests.Infrastructure;

/// <summary>Clients that act in one tenant, with helpers that create objects the way a client app would.</summary>
public sealed class TestTenant
{
    private int _users;

    /// <summary>Clients for an application of tenant <paramref name="id"/> holding <paramref name="permissions"/> (read-write by default).</summary>
    public TestTenant(SiloFixture silo, string id, string domain, params string[] permissions)
    {
        Id = id;
        Domain = domain;
        var invoker = silo.Authorized(ClusterSettings.Token(id, permissions.Length > 0 ? permissions : [Permissions.DirectoryReadWrite]));
        Users = new V1.Users.UsersClient(invoker);
        Groups = new V1.Groups.GroupsClient(invoker);
        Members = new V1.Members.MembersClient(invoker);
        SignIn = new V1.SignIn.SignInClient(invoker);
        Import = new V1.Import.ImportClient(invoker);
        Changes = new V1.Changes.ChangesClient(invoker);
    }

    public string Id { get; }

    public string Domain { get; }

    /// <summary>Ids of the tenant's own objects, for probes that need one.</summary>
    public string? OwnUserId { get; set; }

    public string? OwnGroupId { get; set; }

    public V1.Users.UsersClient Users { get; }

    public V1.Groups.GroupsClient Groups { get; }

    public V1.Members.MembersClient Members { get; }

    public V1.SignIn.SignInClient SignIn { get; }

    public V1.Import.ImportClient Import { get; }

    public V1.Changes.ChangesClient Changes { get; }

    /// <summary>Imports the batches in one stream (each batch one request); returns every rejection and the summary.</summary>
    public async Task<(List<ImportRejection> Rejections, ImportRecordsResponse Last)> ImportAsync(params IEnumerable<ImportRecord>[] batches)
    {
        var rejections = new List<ImportRejection>();
        ImportRecordsResponse? last = null;
        // Each batch is sent as given (ImportUpload would cut them at 1,000 records): tests need their bounds.
        using var call = Import.ImportRecords();
        var reading = Task.Run(async () =>
        {
            while (await call.ResponseStream.MoveNext(CancellationToken.None))
            {
                rejections.AddRange(call.ResponseStream.Current.Rejections);
                last = call.ResponseStream.Current;
            }
        });
        foreach (var batch in batches)
        {
            await call.RequestStream.WriteAsync(new ImportRecordsRequest { Records = { batch } });
        }

        await call.RequestStream.CompleteAsync();
        await reading;
        Assert.True(last?.Done, "the import's last answer says it is done");
        return (rejections, last!);
    }

    public string Upn(string local) => $"{local}@{Domain}";

    public async Task<User> CreateUserAsync(string? local = null, Action<User>? configure = null)
    {
        local ??= "user" + Interlocked.Increment(ref _users);
        var user = new User { UserPrincipalName = Upn(local), DisplayName = "User " + local };
        configure?.Invoke(user);
        return await Users.CreateUserAsync(new CreateUserRequest { User = user });
    }

    public async Task<Group> CreateGroupAsync(string name = "group", bool securityEnabled = true) =>
        await Groups.CreateGroupAsync(new CreateGroupRequest
        {
            Group = new Group { DisplayName = name, SecurityEnabled = securityEnabled },
        });

    public Task<AddMembersResponse> AddAsync(Group group, params object[] members)
    {
        var request = new AddMembersRequest { GroupId = group.Id };
        request.Members.AddRange(members.Select(Ref));
        return Members.AddMembersAsync(request).ResponseAsync;
    }

    public async Task RemoveAsync(Group group, object member) =>
        await Members.RemoveMemberAsync(new RemoveMemberRequest { GroupId = group.Id, Member = Ref(member) });

    public async Task<List<string>> MemberGroupsAsync(object principal, bool securityOnly = false)
    {
        var response = await SignIn.GetMemberGroupsAsync(new GetMemberGroupsRequest { Principal = Ref(principal), SecurityEnabledOnly = securityOnly });
        return [.. response.GroupIds];
    }

    public async Task<List<string>> TransitiveMemberIdsAsync(Group group)
    {
        var ids = new List<string>();
        var request = new ListMembersRequest { GroupId = group.Id, PageSize = 999 };
        do
        {
            var page = await Members.ListTransitiveMembersAsync(request);
            ids.AddRange(page.Members.Select(m => m.Id));
            request.PageToken = page.NextPageToken;
        }
        while (request.PageToken != "");
        return ids;
    }

    public static DirectoryObjectRef Ref(object member) => member switch
    {
        User u => new DirectoryObjectRef { Id = u.Id, Type = ObjectType.User },
        Group g => new DirectoryObjectRef { Id = g.Id, Type = ObjectType.Group },
        DirectoryObjectRef r => r,
        _ => throw new ArgumentException($"not a member: {member}"),
    };

    /// <summary>The users with these external ids, by external id (each must be exactly one).</summary>
    public async Task<Dictionary<string, User>> UsersByExternalIdAsync(params string[] externalIds)
    {
        var found = new Dictionary<string, User>();
        foreach (var id in externalIds)
        {
            found[id] = Assert.Single((await Users.ListUsersAsync(new ListUsersRequest { ExternalId = id })).Users);
        }

        return found;
    }

    /// <summary>The groups with these external ids, by external id (each must be exactly one).</summary>
    public async Task<Dictionary<string, Group>> GroupsByExternalIdAsync(params string[] externalIds)
    {
        var found = new Dictionary<string, Group>();
        foreach (var id in externalIds)
        {
            found[id] = Assert.Single((await Groups.ListGroupsAsync(new ListGroupsRequest { ExternalId = id })).Groups);
        }

        return found;
    }
}

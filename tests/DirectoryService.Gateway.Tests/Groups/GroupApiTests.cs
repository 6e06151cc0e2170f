using DirectoryService.Gateway.Tests.Infrastructure;
using DirectoryService.Grpc.V1;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace DirectoryService.Gateway.Tests.Groups;

[Collection(SiloCollection.Name)]
public sealed class GroupApiTests(SiloFixture silo)
{
    [Fact]
    public async Task CreateGetUpdateGroup_RoundTripsEveryField()
    {
        var t = await silo.NewTenantAsync();
        var owner = await t.CreateUserAsync();
        var group = await t.Groups.CreateGroupAsync(new CreateGroupRequest
        {
            Group = new Group { DisplayName = "Engineering", Description = "All engineers", MailNickname = "eng", SecurityEnabled = true, OwnerIds = { owner.Id, owner.Id.ToUpperInvariant() } },
        });

        Assert.Equal([owner.Id], group.OwnerIds);
        Assert.Equal(group, await t.Groups.GetGroupAsync(new GetGroupRequest { Id = group.Id }));

        var updated = await t.Groups.UpdateGroupAsync(new UpdateGroupRequest
        {
            Group = new Group { Id = group.Id, Description = "Engineers and friends", DisplayName = "not in mask", Etag = group.Etag },
            UpdateMask = new FieldMask { Paths = { "description" } },
        });
        Assert.Equal("Engineers and friends", updated.Description);
        Assert.Equal("Engineering", updated.DisplayName);
        Assert.NotEqual(group.Etag, updated.Etag);
    }

    [Fact]
    public async Task CreateGroup_ValidatesEveryField_AndCreatesNothing()
    {
        var t = await silo.NewTenantAsync();
        var ghost = Guid.NewGuid().ToString();
        var cases = new (string Field, Group Group)[]
        {
            ("group.display_name", new Group()),
            ("group.display_name", new Group { DisplayName = new string('x', 257) }),
            ("group.description", new Group { DisplayName = "g", Description = new string('x', 257) }),
            ("group.mail_nickname", new Group { DisplayName = "g", MailNickname = new string('x', 257) }),
            ("group.owner_ids[0]", new Group { DisplayName = "g", OwnerIds = { "nope" } }),
            ("group.owner_ids", new Group { DisplayName = "g", OwnerIds = { Enumerable.Range(0, 101).Select(_ => Guid.NewGuid().ToString()) } }),
        };
        foreach (var (field, group) in cases)
        {
            await RpcAssert.Fails(StatusCode.InvalidArgument, field, () => t.Groups.CreateGroupAsync(new CreateGroupRequest { Group = group }));
        }

        await RpcAssert.Fails(StatusCode.NotFound, "group.owner_ids[0]", () => t.Groups.CreateGroupAsync(new CreateGroupRequest { Group = new Group { DisplayName = "g", OwnerIds = { ghost } } }));
        Assert.Empty((await t.Groups.ListGroupsAsync(new ListGroupsRequest())).Groups);
    }

    [Fact]
    public async Task UpdateGroup_RejectsStaleEtagAndUnknownPath()
    {
        var t = await silo.NewTenantAsync();
        var group = await t.CreateGroupAsync();
        await t.Groups.UpdateGroupAsync(new UpdateGroupRequest { Group = new Group { Id = group.Id, DisplayName = "v2" }, UpdateMask = new FieldMask { Paths = { "display_name" } } });

        await RpcAssert.Fails(StatusCode.FailedPrecondition, "group.etag", () => t.Groups.UpdateGroupAsync(new UpdateGroupRequest
        {
            Group = new Group { Id = group.Id, DisplayName = "v3", Etag = group.Etag },
            UpdateMask = new FieldMask { Paths = { "display_name" } },
        }));
        await RpcAssert.Fails(StatusCode.InvalidArgument, "update_mask", () => t.Groups.UpdateGroupAsync(new UpdateGroupRequest
        {
            Group = new Group { Id = group.Id },
            UpdateMask = new FieldMask { Paths = { "members" } },
        }));
        Assert.Equal("v2", (await t.Groups.GetGroupAsync(new GetGroupRequest { Id = group.Id })).DisplayName);
    }

    [Fact]
    public async Task GroupNotFound_ForUnknownIdAndOtherTenant()
    {
        var a = await silo.NewTenantAsync();
        var b = await silo.NewTenantAsync();
        var group = await a.CreateGroupAsync();
        await RpcAssert.Fails(StatusCode.NotFound, "id", () => b.Groups.GetGroupAsync(new GetGroupRequest { Id = group.Id }));
        await RpcAssert.Fails(StatusCode.NotFound, "id", () => a.Groups.GetGroupAsync(new GetGroupRequest { Id = Guid.NewGuid().ToString() }));
        await RpcAssert.Fails(StatusCode.NotFound, "id", () => b.Groups.DeleteGroupAsync(new DeleteGroupRequest { Id = group.Id }));
        await RpcAssert.Fails(StatusCode.InvalidArgument, "id", () => a.Groups.GetGroupAsync(new GetGroupRequest { Id = "" }));
    }

    [Fact]
    public async Task GroupWrites_ReportNotFound_ForUnknownGroups()
    {
        var t = await silo.NewTenantAsync();
        var id = Guid.NewGuid().ToString();
        await RpcAssert.Fails(StatusCode.NotFound, "group.id", () => t.Groups.UpdateGroupAsync(new UpdateGroupRequest { Group = new Group { Id = id, DisplayName = "x" }, UpdateMask = new FieldMask { Paths = { "display_name" } } }));
        await RpcAssert.Fails(StatusCode.NotFound, "id", () => t.Groups.RestoreGroupAsync(new RestoreGroupRequest { Id = id }));
        await RpcAssert.Fails(StatusCode.InvalidArgument, "group", () => t.Groups.CreateGroupAsync(new CreateGroupRequest()));
        await RpcAssert.Fails(StatusCode.InvalidArgument, "group.id", () => t.Groups.UpdateGroupAsync(new UpdateGroupRequest { Group = new Group { Id = "nope" }, UpdateMask = new FieldMask { Paths = { "display_name" } } }));
    }

    [Fact]
    public async Task UpdateGroup_ChecksNewOwnersExist()
    {
        var t = await silo.NewTenantAsync();
        var group = await t.CreateGroupAsync();
        await RpcAssert.Fails(StatusCode.NotFound, "group.owner_ids[0]", () => t.Groups.UpdateGroupAsync(new UpdateGroupRequest
        {
            Group = new Group { Id = group.Id, OwnerIds = { Guid.NewGuid().ToString() } },
            UpdateMask = new FieldMask { Paths = { "owner_ids" } },
        }));
        Assert.Equal(group, await t.Groups.GetGroupAsync(new GetGroupRequest { Id = group.Id }));
    }

    [Fact]
    public async Task DeleteAndRestoreGroup()
    {
        var t = await silo.NewTenantAsync();
        var group = await t.CreateGroupAsync();
        await RpcAssert.Fails(StatusCode.FailedPrecondition, "etag", () => t.Groups.DeleteGroupAsync(new DeleteGroupRequest { Id = group.Id, Etag = "W/\"0\"" }));
        await t.Groups.DeleteGroupAsync(new DeleteGroupRequest { Id = group.Id, Etag = group.Etag });
        await RpcAssert.Fails(StatusCode.NotFound, "id", () => t.Groups.GetGroupAsync(new GetGroupRequest { Id = group.Id }));
        Assert.Equal([group.Id], (await t.Groups.ListGroupsAsync(new ListGroupsRequest { ShowDeleted = true })).Groups.Select(g => g.Id));

        await t.Groups.RestoreGroupAsync(new RestoreGroupRequest { Id = group.Id });
        Assert.Equal(group.Id, (await t.Groups.GetGroupAsync(new GetGroupRequest { Id = group.Id })).Id);
        await RpcAssert.Fails(StatusCode.FailedPrecondition, "id", () => t.Groups.RestoreGroupAsync(new RestoreGroupRequest { Id = group.Id }));
    }

    [Fact]
    public async Task ListGroups_FiltersAndPages()
    {
        var t = await silo.NewTenantAsync();
        var sec = await t.Groups.CreateGroupAsync(new CreateGroupRequest { Group = new Group { DisplayName = "Sec One", MailNickname = "sec1", SecurityEnabled = true } });
        var dist = await t.Groups.CreateGroupAsync(new CreateGroupRequest { Group = new Group { DisplayName = "Dist One", MailNickname = "dist1" } });
        var sec2 = await t.Groups.CreateGroupAsync(new CreateGroupRequest { Group = new Group { DisplayName = "Sec Two", SecurityEnabled = true } });

        Assert.Equal(new[] { sec.Id, sec2.Id }.Order(), (await t.Groups.ListGroupsAsync(new ListGroupsRequest { DisplayNamePrefix = "sec" })).Groups.Select(g => g.Id).Order());
        Assert.Equal([dist.Id], (await t.Groups.ListGroupsAsync(new ListGroupsRequest { SecurityEnabled = false })).Groups.Select(g => g.Id));
        Assert.Equal([sec.Id], (await t.Groups.ListGroupsAsync(new ListGroupsRequest { MailNickname = "SEC1" })).Groups.Select(g => g.Id));

        var seen = new List<string>();
        var request = new ListGroupsRequest { PageSize = 1 };
        do
        {
            var page = await t.Groups.ListGroupsAsync(request);
            seen.AddRange(page.Groups.Select(g => g.Id));
            request.PageToken = page.NextPageToken;
        }
        while (request.PageToken != "");
        Assert.Equal(new[] { sec.Id, dist.Id, sec2.Id }.Order(StringComparer.Ordinal), seen);
    }

    [Fact]
    public async Task BatchGetGroups_ReturnsExistingOnes()
    {
        var t = await silo.NewTenantAsync();
        var g1 = await t.CreateGroupAsync();
        var response = await t.Groups.BatchGetGroupsAsync(new BatchGetGroupsRequest { Ids = { g1.Id, Guid.NewGuid().ToString() } });
        Assert.Equal([g1.Id], response.Groups.Select(g => g.Id));
        await RpcAssert.Fails(StatusCode.InvalidArgument, "ids[0]", () => t.Groups.BatchGetGroupsAsync(new BatchGetGroupsRequest { Ids = { "x" } }));
    }
}

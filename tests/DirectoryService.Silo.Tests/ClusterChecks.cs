using DirectoryService.Testing;
using DirectoryService.Grpc.V1;

namespace DirectoryService.Silo.Tests;

/// <summary>What must hold after any failure: nothing acknowledged is lost and both directions of membership agree.</summary>
public static class ClusterChecks
{
    /// <summary>A fresh tenant with one group, and a write load adding new users to it.</summary>
    public static async Task<(WriteLoad Load, string GroupId, DirectoryClient Client)> PrepareLoadAsync(SiloProcess silo, string name)
    {
        var tenant = name + "-" + Guid.NewGuid().ToString("N")[..6];
        await DirectoryClient.CreateTenantAsync(silo.Channel, tenant);
        var client = new DirectoryClient(silo.Channel, tenant);
        var group = await client.Groups.CreateGroupAsync(new CreateGroupRequest { Group = new Group { DisplayName = "All users", SecurityEnabled = true } });
        return (new WriteLoad(tenant, $"{tenant}.example.com", group.Id), group.Id, client);
    }

    public static async Task AssertNothingAcknowledgedLostAsync(DirectoryClient reader, WriteLoad load, string groupId)
    {
        var users = (await reader.AllUsersAsync()).Select(u => u.Id).ToHashSet();
        var missingUsers = load.AcknowledgedUsers.Where(id => !users.Contains(id)).ToList();
        Assert.True(missingUsers.Count == 0, $"{missingUsers.Count} acknowledged users are missing ({load})");

        // Reading the member list first activates the group, which replays any owed "member of" updates.
        var forward = await reader.MembersOfAsync(groupId);
        var removed = load.AcknowledgedRemovals.ToHashSet();
        var missingMembers = load.AcknowledgedMemberships.Where(id => !forward.Contains(id) && !removed.Contains(id)).ToList();
        Assert.True(missingMembers.Count == 0, $"{missingMembers.Count} acknowledged memberships are missing ({load})");
        var lingering = removed.Where(forward.Contains).ToList();
        Assert.True(lingering.Count == 0, $"{lingering.Count} acknowledged removals did not hold ({load})");

        var disagreements = new List<string>();
        foreach (var chunk in users.Chunk(32))
        {
            var memberOf = await Task.WhenAll(chunk.Select(async id => (Id: id, Groups: await reader.Members.ListMemberOfAsync(
                new ListMemberOfRequest { Principal = new DirectoryObjectRef { Id = id, Type = ObjectType.User }, PageSize = 999 },
                deadline: DateTime.UtcNow.AddSeconds(30)))));
            disagreements.AddRange(memberOf.Where(m => m.Groups.GroupIds.Contains(groupId) != forward.Contains(m.Id)).Select(m => m.Id));
        }

        Assert.True(disagreements.Count == 0, $"{disagreements.Count} users where the group's list and the user's 'member of' disagree");
    }
}

using DirectoryService.Grpc.V1;

namespace DirectoryService.Silo.Tests;

/// <summary>
/// A tenant's directory as its clients read it, in terms of external ids (so that two tenants
/// loaded by the same import compare equal although the service chose different ids): every user's
/// properties and manager, every group, both directions of every membership, and every sign-in.
/// </summary>
public sealed record DirectorySnapshot(
    SortedDictionary<string, string> Users,
    SortedDictionary<string, string> Groups,
    SortedSet<string> Members,
    SortedSet<string> MemberOf,
    SortedDictionary<string, string> SignIns)
{
    public static async Task<DirectorySnapshot> ReadAsync(DirectoryClient client)
    {
        var users = await client.AllUsersAsync();
        var groups = await client.AllGroupsAsync();
        var external = users.ToDictionary(u => u.Id, u => u.ExternalId);
        foreach (var g in groups)
        {
            external[g.Id] = g.ExternalId;
        }

        string Ext(string id) => external.GetValueOrDefault(id, "?" + id);

        var members = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var g in groups)
        {
            members.UnionWith((await client.MembersOfAsync(g.Id)).Select(m => $"{g.ExternalId}>{Ext(m)}"));
        }

        var memberOf = new SortedSet<string>(StringComparer.Ordinal);
        var signIns = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var u in users)
        {
            var of = await client.Members.ListMemberOfAsync(new ListMemberOfRequest { Principal = new DirectoryObjectRef { Id = u.Id, Type = ObjectType.User }, PageSize = 999 }, deadline: Deadline());
            memberOf.UnionWith(of.GroupIds.Select(g => $"{Ext(g)}>{u.ExternalId}"));
            var signIn = await client.SignIn.ResolveSignInAsync(new ResolveSignInRequest { UserPrincipalName = u.UserPrincipalName }, deadline: Deadline());
            signIns[u.ExternalId] = $"{signIn.AccountEnabled} {string.Join(',', signIn.GroupIds.Select(Ext).Order(StringComparer.Ordinal))}";
        }

        foreach (var g in groups)
        {
            var of = await client.Members.ListMemberOfAsync(new ListMemberOfRequest { Principal = new DirectoryObjectRef { Id = g.Id, Type = ObjectType.Group }, PageSize = 999 }, deadline: Deadline());
            memberOf.UnionWith(of.GroupIds.Select(p => $"{Ext(p)}>{g.ExternalId}"));
        }

        return new DirectorySnapshot(
            new(users.ToDictionary(u => u.ExternalId, u => $"{u.UserPrincipalName} {u.DisplayName} {u.GivenName} {u.Surname} {u.Department} {u.JobTitle} {u.EmployeeId} {u.AccountEnabled} manager={(u.ManagerId.Length == 0 ? "" : Ext(u.ManagerId))}"), StringComparer.Ordinal),
            new(groups.ToDictionary(g => g.ExternalId, g => $"{g.DisplayName} {g.Description} {g.SecurityEnabled}"), StringComparer.Ordinal),
            members, memberOf, signIns);
    }

    /// <summary>Asserts that two snapshots hold the same directory, naming the first difference.</summary>
    public void AssertSameAs(DirectorySnapshot other)
    {
        Same("users", Users, other.Users);
        Same("groups", Groups, other.Groups);
        Assert.True(Members.SetEquals(other.Members), $"members differ: {string.Join(' ', Members.Except(other.Members).Take(5))} | {string.Join(' ', other.Members.Except(Members).Take(5))}");
        Assert.True(MemberOf.SetEquals(other.MemberOf), $"memberOf differ: {string.Join(' ', MemberOf.Except(other.MemberOf).Take(5))} | {string.Join(' ', other.MemberOf.Except(MemberOf).Take(5))}");
        Same("sign-ins", SignIns, other.SignIns);
    }

    private static void Same(string what, SortedDictionary<string, string> a, SortedDictionary<string, string> b)
    {
        var diff = a.Keys.Union(b.Keys).FirstOrDefault(k => a.GetValueOrDefault(k) != b.GetValueOrDefault(k));
        Assert.True(diff is null, $"{what} differ at {diff}: '{(diff is null ? "" : a.GetValueOrDefault(diff))}' vs '{(diff is null ? "" : b.GetValueOrDefault(diff))}'");
    }

    private static DateTime Deadline() => DateTime.UtcNow.AddSeconds(30);
}

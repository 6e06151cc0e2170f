using DirectoryService.Grpc.Clients;
using DirectoryService.Grpc.V1;
using V1 = DirectoryService.Grpc.V1;

namespace DirectoryService.Testing;

/// <summary>Compares a <see cref="DirectoryMirror"/> with the directory read through the normal API: users, groups (each field, etag included) and every group's live members.</summary>
public static class MirrorChecks
{
    /// <summary>
    /// The differences, leaving out the objects in <paramref name="uncertain"/>: those a write whose
    /// outcome the test could not know (its silo died under it) may still change.
    /// </summary>
    public static async Task<List<string>> DifferencesAsync(V1.Users.UsersClient users, V1.Groups.GroupsClient groups, V1.Members.MembersClient members, DirectoryMirror mirror, IReadOnlySet<string>? uncertain = null)
    {
        uncertain ??= new HashSet<string>();
        var differences = new List<string>();
        var liveUsers = await PagesAsync(t => users.ListUsersAsync(new ListUsersRequest { PageSize = 999, PageToken = t }).ResponseAsync, r => (r.Users, r.NextPageToken));
        Compare("user", liveUsers.ToDictionary(u => u.Id), mirror.Users, differences, uncertain);
        var liveGroups = await PagesAsync(t => groups.ListGroupsAsync(new ListGroupsRequest { PageSize = 999, PageToken = t }).ResponseAsync, r => (r.Groups, r.NextPageToken));
        Compare("group", liveGroups.ToDictionary(g => g.Id), mirror.Groups, differences, uncertain);
        foreach (var group in liveGroups.Where(g => !uncertain.Contains(g.Id)))
        {
            var listed = await PagesAsync(t => members.ListMembersAsync(new ListMembersRequest { GroupId = group.Id, PageSize = 999, PageToken = t }).ResponseAsync, r => (r.Members, r.NextPageToken));
            var expected = listed.Select(m => m.Id).Where(id => !uncertain.Contains(id)).Order(StringComparer.Ordinal).ToList();
            var mirrored = mirror.LiveMembers(group.Id).Where(id => !uncertain.Contains(id)).ToList();
            if (!expected.SequenceEqual(mirrored))
            {
                differences.Add($"group {group.Id} members: directory [{string.Join(",", expected)}], mirror [{string.Join(",", mirrored)}]");
            }
        }

        return differences;
    }

    private static void Compare<T>(string kind, Dictionary<string, T> directory, Dictionary<string, T> mirror, List<string> differences, IReadOnlySet<string> uncertain)
        where T : Google.Protobuf.IMessage<T>
    {
        foreach (var (id, value) in directory.Where(d => !uncertain.Contains(d.Key)))
        {
            if (!mirror.TryGetValue(id, out var copy))
            {
                differences.Add($"{kind} {id} missing from the mirror");
            }
            else if (!value.Equals(copy))
            {
                differences.Add($"{kind} {id} differs: directory {value}, mirror {copy}");
            }
        }

        differences.AddRange(mirror.Keys.Where(id => !directory.ContainsKey(id) && !uncertain.Contains(id)).Select(id => $"{kind} {id} in the mirror but not live"));
    }

    private static async Task<List<TItem>> PagesAsync<TResponse, TItem>(Func<string, Task<TResponse>> read, Func<TResponse, (IEnumerable<TItem> Items, string Next)> page)
    {
        var all = new List<TItem>();
        var token = "";
        do
        {
            var (items, next) = page(await read(token));
            all.AddRange(items);
            token = next;
        }
        while (token.Length > 0);
        return all;
    }
}

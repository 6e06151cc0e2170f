using DirectoryService.Grpc.V1;

namespace DirectoryService.Grpc.Clients;

/// <summary>
/// A client's copy of a tenant kept exact from the Changes API: what a sync job holds. It applies
/// delta pages and stream messages in order, keeping the last state per object, and the member
/// references of every group it knows (removed groups included, so a restore needs nothing more);
/// <see cref="LiveMembers"/> answers what ListMembers answers. After each page it keeps that page's
/// token, so a follower that stops anywhere resumes from the last page it applied.
/// </summary>
public sealed class DirectoryMirror
{
    private readonly Dictionary<string, HashSet<(string Id, ObjectType Type)>> _edges = new(StringComparer.Ordinal);

    /// <summary>Live users by id.</summary>
    public Dictionary<string, User> Users { get; } = new(StringComparer.Ordinal);

    /// <summary>Live groups by id.</summary>
    public Dictionary<string, Group> Groups { get; } = new(StringComparer.Ordinal);

    /// <summary>The token to continue the users feed from (empty: enumerate).</summary>
    public string UsersToken { get; set; } = "";

    /// <summary>The token to continue the groups feed from (empty: enumerate).</summary>
    public string GroupsToken { get; set; } = "";

    /// <summary>Objects applied so far (each page's items counted, duplicates included).</summary>
    public long Applied { get; private set; }

    public void Apply(UserDelta change)
    {
        Applied++;
        if (change.User is { } user)
        {
            Users[change.Id] = user;
        }
        else
        {
            Users.Remove(change.Id);
        }
    }

    public void Apply(GroupDelta change)
    {
        Applied++;
        if (change.Group is { } group)
        {
            Groups[change.Id] = group;
        }
        else
        {
            Groups.Remove(change.Id);
        }

        if (change.Removed?.Reason == RemovedReason.Gone)
        {
            _edges.Remove(change.Id);
            return;
        }

        if (!_edges.TryGetValue(change.Id, out var edges))
        {
            _edges[change.Id] = edges = [];
        }

        edges.UnionWith(change.MembersAdded.Select(m => (m.Id, m.Type)));
        edges.ExceptWith(change.MembersRemoved.Select(m => (m.Id, m.Type)));
    }

    public void Apply(WatchChangesResponse message, ChangeKind kind)
    {
        foreach (var user in message.Users)
        {
            Apply(user);
        }

        foreach (var group in message.Groups)
        {
            Apply(group);
        }

        if (kind == ChangeKind.Users)
        {
            UsersToken = message.Token;
        }
        else
        {
            GroupsToken = message.Token;
        }
    }

    /// <summary>A copy of the mirror as it is now (tokens included), for a reader while another thread applies changes.</summary>
    public DirectoryMirror Snapshot()
    {
        var copy = new DirectoryMirror { UsersToken = UsersToken, GroupsToken = GroupsToken, Applied = Applied };
        foreach (var (id, user) in Users)
        {
            copy.Users[id] = user;
        }

        foreach (var (id, group) in Groups)
        {
            copy.Groups[id] = group;
        }

        foreach (var (id, edges) in _edges)
        {
            copy._edges[id] = [.. edges];
        }

        return copy;
    }

    /// <summary>The group's direct members whose member is live, by id: what ListMembers answers.</summary>
    public IEnumerable<string> LiveMembers(string groupId) =>
        _edges.TryGetValue(groupId, out var edges)
            ? edges.Where(e => e.Type == ObjectType.Group ? Groups.ContainsKey(e.Id) : Users.ContainsKey(e.Id)).Select(e => e.Id).Order(StringComparer.Ordinal)
            : [];

    /// <summary>
    /// Reads the users feed from <see cref="UsersToken"/> to its end (every page of one round) and
    /// applies it, keeping each page's token.
    /// </summary>
    public Task SyncUsersAsync(V1.Changes.ChangesClient client, int pageSize = 0, CancellationToken cancellationToken = default) =>
        SyncAsync(async () =>
        {
            var answer = await client.DeltaUsersAsync(new DeltaRequest { Token = UsersToken, PageSize = pageSize }, cancellationToken: cancellationToken);
            answer.Users.ToList().ForEach(Apply);
            UsersToken = answer.DeltaToken.Length > 0 ? answer.DeltaToken : answer.NextPageToken;
            return answer.DeltaToken.Length > 0;
        });

    /// <summary>Reads the groups feed from <see cref="GroupsToken"/> to its end and applies it.</summary>
    public Task SyncGroupsAsync(V1.Changes.ChangesClient client, int pageSize = 0, CancellationToken cancellationToken = default) =>
        SyncAsync(async () =>
        {
            var answer = await client.DeltaGroupsAsync(new DeltaRequest { Token = GroupsToken, PageSize = pageSize }, cancellationToken: cancellationToken);
            answer.Groups.ToList().ForEach(Apply);
            GroupsToken = answer.DeltaToken.Length > 0 ? answer.DeltaToken : answer.NextPageToken;
            return answer.DeltaToken.Length > 0;
        });

    /// <summary>Applies pages until one ends the round.</summary>
    private static async Task SyncAsync(Func<Task<bool>> page)
    {
        while (!await page())
        {
        }
    }
}

using System.Collections.Immutable;
using DirectoryService.Abstractions.Changes;
using DirectoryService.Abstractions.Common;
using DirectoryService.Abstractions.Indexing;
using DirectoryService.Grains.Common;
using Orleans.Concurrency;

namespace DirectoryService.Grains.Changes;

/// <summary>
/// Reads a tenant's changes (<see cref="IChangesQueryGrain"/>). A page cursor a cursor reads each feed
/// shard after its position, keeps the distinct objects the records name (with the member edges
/// named for groups) and asks each object's grain for its current state; an enumeration lists the
/// tenant's objects, live and soft-deleted, through their grains, with every member edge of each
/// group. Stateless: it runs on the silo that received the request.
/// </summary>
[GrainType(GrainTypes.ChangesQuery)]
[StatelessWorker]
[Reentrant] // Holds nothing between calls: a stream waiting for changes must not hold up other readers.
public sealed class ChangesQueryGrain(DirectoryClock clock) : Grain, IChangesQueryGrain
{
    /// <summary>Member edges one page carries at most, whatever its page size.</summary>
    public const int MaxMembersPerPage = 5000;

    private string TenantId => this.GetPrimaryKeyString();

    public async Task<ChangePage<UserChange>> ReadUsersAsync(ChangeCursor? cursor, int limit, CancellationToken cancellationToken)
    {
        cursor = cursor?.Fresh(clock.UtcNow) ?? await StartAsync(ObjectKind.User);
        if (cursor.Enumeration is { } enumeration)
        {
            var page = await GrainFactory.GetGrain<IDirectoryQueryGrain>(TenantId)
                .ListUsersAsync(new UserFilter { Deletion = DeletionFilter.Any }, enumeration.AfterObject, limit, cancellationToken);
            ImmutableArray<UserChange> users = [.. page.Items.Select(v => new UserChange(v.Id, v))];
            return page.Next is null
                ? new ChangePage<UserChange>(users, cursor with { Enumeration = null }, CaughtUp: true)
                : new ChangePage<UserChange>(users, cursor with { Enumeration = new EnumerationCursor(page.Next) }, CaughtUp: false);
        }

        var read = await ReadFeedAsync(cursor, limit);
        var changes = await Task.WhenAll(read.Objects.Keys.Select(id => GrainFactory.User(TenantId, id).GetChangeAsync()));
        return new ChangePage<UserChange>([.. changes], read.Next, read.CaughtUp);
    }

    public async Task<ChangePage<GroupChange>> ReadGroupsAsync(ChangeCursor? cursor, int limit, CancellationToken cancellationToken)
    {
        cursor = cursor?.Fresh(clock.UtcNow) ?? await StartAsync(ObjectKind.Group);
        if (cursor.Enumeration is { } enumeration)
        {
            return await EnumerateGroupsAsync(cursor, enumeration, limit, cancellationToken);
        }

        var read = await ReadFeedAsync(cursor, limit);
        var changes = await Task.WhenAll(read.Objects.Select(o => GrainFactory.Group(TenantId, o.Key).GetChangeAsync([.. o.Value])));
        return new ChangePage<GroupChange>([.. changes], read.Next, read.CaughtUp);
    }

    public async Task<ChangeCursor> LatestAsync(ObjectKind kind)
    {
        var since = clock.UtcNow;
        var heads = await Task.WhenAll(Enumerable.Range(0, ChangeFeeds.Shards).Select(s => GrainFactory.Shard(TenantId, kind, s).ReadAsync(long.MaxValue - 1, 1)));
        return new ChangeCursor(kind, [.. heads.Select(h => h.Head)], since);
    }

    public async Task<bool> WaitAsync(ChangeCursor at, TimeSpan timeout, CancellationToken cancellationToken)
    {
        at.Fresh(clock.UtcNow);
        var waits = at.Positions.Select((p, s) => (Position: p, Head: GrainFactory.Shard(TenantId, at.Kind, s).WaitAsync(p, timeout))).ToList();
        var pending = waits.Select(w => w.Head).ToList();
        while (pending.Count > 0)
        {
            var done = await Task.WhenAny(pending);
            pending.Remove(done);
            if (await done > waits.First(w => w.Head == done).Position)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>An enumeration's start: the feed's end now, so that every change made while it runs comes after it.</summary>
    private async Task<ChangeCursor> StartAsync(ObjectKind kind) => await LatestAsync(kind) with { Enumeration = new EnumerationCursor(null) };

    /// <summary>
    /// Up to <paramref name="limit"/> groups in id order, each with its member edges; a group with more
    /// edges than the page has room for continues on the next page (the same group again, with the
    /// following edges).
    /// </summary>
    private async Task<ChangePage<GroupChange>> EnumerateGroupsAsync(ChangeCursor cursor, EnumerationCursor at, int limit, CancellationToken cancellationToken)
    {
        var items = new List<GroupChange>();
        var room = MaxMembersPerPage;
        if (at.InGroup is { } inGroup)
        {
            var (item, next) = await MembersAsync(inGroup, at.AfterMember, room);
            items.Add(item);
            room -= item.Added.Length;
            if (next is not null)
            {
                return new ChangePage<GroupChange>([.. items], cursor with { Enumeration = at with { AfterMember = next } }, CaughtUp: false);
            }

            at = new EnumerationCursor(inGroup);
            if (items.Count >= limit)
            {
                return new ChangePage<GroupChange>([.. items], cursor with { Enumeration = at }, CaughtUp: false);
            }
        }

        var page = await GrainFactory.GetGrain<IDirectoryQueryGrain>(TenantId)
            .ListGroupsAsync(new GroupFilter { Deletion = DeletionFilter.Any }, at.AfterObject, limit - items.Count, cancellationToken);
        foreach (var group in page.Items)
        {
            if (room == 0)
            {
                return new ChangePage<GroupChange>([.. items], cursor with { Enumeration = new EnumerationCursor(at.AfterObject) }, CaughtUp: false);
            }

            var (item, next) = await MembersAsync(group.Id, null, room);
            items.Add(item);
            room -= item.Added.Length;
            if (next is not null)
            {
                return new ChangePage<GroupChange>([.. items], cursor with { Enumeration = new EnumerationCursor(at.AfterObject, group.Id, next) }, CaughtUp: false);
            }

            at = new EnumerationCursor(group.Id);
        }

        return page.Next is null
            ? new ChangePage<GroupChange>([.. items], cursor with { Enumeration = null }, CaughtUp: true)
            : new ChangePage<GroupChange>([.. items], cursor with { Enumeration = new EnumerationCursor(at.AfterObject) }, CaughtUp: false);
    }

    /// <summary>A group as it is now with up to <paramref name="room"/> of its member edges after <paramref name="after"/>, and where the next ones start (null: none left).</summary>
    private async Task<(GroupChange Item, string? Next)> MembersAsync(string groupId, string? after, int room)
    {
        var group = GrainFactory.Group(TenantId, groupId);
        var members = await group.GetMembersAsync(after, room);
        var view = await group.GetChangeAsync([]);
        return (view with { Added = [.. members.Items] }, members.Next);
    }

    /// <summary>
    /// Reads the shards after the cursor's positions and keeps, in feed order, the distinct objects
    /// (up to <paramref name="limit"/>) and the member edges (up to <see cref="MaxMembersPerPage"/>)
    /// their records name; the next cursor stands after the last record kept in each shard.
    /// </summary>
    private async Task<FeedPage> ReadFeedAsync(ChangeCursor cursor, int limit)
    {
        var readAt = clock.UtcNow;
        var reads = await Task.WhenAll(cursor.Positions.Select((p, s) => GrainFactory.Shard(TenantId, cursor.Kind, s).ReadAsync(p, limit)));
        var objects = new Dictionary<string, HashSet<ObjectRef>>(StringComparer.Ordinal);
        var members = 0;
        var positions = cursor.Positions.ToArray();
        var since = DateTimeOffset.MaxValue;
        var caughtUp = true;
        // Shards take turns to go first, so a busy one cannot keep the others waiting.
        var first = (int)(cursor.Positions.Sum() % reads.Length);
        foreach (var s in Enumerable.Range(0, reads.Length).Select(i => (first + i) % reads.Length))
        {
            var records = reads[s].Records;
            var kept = 0;
            foreach (var record in records)
            {
                var known = objects.TryGetValue(record.ObjectId, out var edges);
                if ((!known && objects.Count >= limit) || (members > 0 && members + record.Members.Length > MaxMembersPerPage))
                {
                    break;
                }

                if (!known)
                {
                    objects[record.ObjectId] = edges = [];
                }

                foreach (var member in record.Members)
                {
                    members += edges!.Add(member) ? 1 : 0;
                }

                positions[s] = record.Position;
                kept++;
            }

            // What is after the new position was appended no earlier than the first record left
            // (or, when none was read, than the last one kept); a shard read to its head, after readAt.
            var shardCaughtUp = kept == records.Length && positions[s] >= reads[s].Head;
            caughtUp &= shardCaughtUp;
            var bound = shardCaughtUp ? readAt
                : kept < records.Length ? records[kept].AppendedAt
                : kept > 0 ? records[kept - 1].AppendedAt
                : cursor.Since;
            since = bound < since ? bound : since;
        }

        since = since == DateTimeOffset.MaxValue ? readAt : since;
        return new FeedPage(objects, new ChangeCursor(cursor.Kind, [.. positions], since < cursor.Since ? cursor.Since : since), caughtUp);
    }

    private sealed record FeedPage(Dictionary<string, HashSet<ObjectRef>> Objects, ChangeCursor Next, bool CaughtUp);
}

using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using DirectoryService.Abstractions.Common;

namespace DirectoryService.Abstractions.Changes;

/// <summary>How a tenant's change feeds are laid out: per kind, <see cref="Shards"/> shards, an object always in the same one.</summary>
public static class ChangeFeeds
{
    /// <summary>
    /// Shards per tenant and kind. Each is one storage partition written by one grain (Azure serves
    /// about 2,000 entities/s per partition), so a tenant's feed of a kind takes about 8,000 changes/s.
    /// Fixed: delta tokens carry one position per shard.
    /// </summary>
    public const int Shards = 4;

    /// <summary>Most member edges one notice names; larger changes append several.</summary>
    public const int MaxMembersPerNotice = 256;

    /// <summary>How long a delta token stays valid; change records are kept a day longer.</summary>
    public static readonly TimeSpan TokenLifetime = TimeSpan.FromDays(7);

    /// <summary>How long change records are kept: a token's lifetime and a day.</summary>
    public static readonly TimeSpan Retention = TokenLifetime + TimeSpan.FromDays(1);

    /// <summary>The ErrorInfo reason of a token too old to follow: the client must start again without a token.</summary>
    public const string ExpiredToken = "DELTA_TOKEN_EXPIRED";

    /// <summary>The ErrorInfo reason of a token of another tenant or kind.</summary>
    public const string ForeignToken = "DELTA_TOKEN_FOREIGN";

    /// <summary>The refusal of a token that can no longer be followed (too old, or from another layout of the feed).</summary>
    public static DirectoryException Expired() => DirectoryException.Precondition(ExpiredToken, ErrorField.Request("token"),
        $"has expired (a delta token is valid for {TokenLifetime.TotalDays:0} days after the changes it stands before): start again without a token");

    /// <summary>Refuses a cursor whose age is past <see cref="TokenLifetime"/> at <paramref name="now"/>.</summary>
    public static ChangeCursor Fresh(this ChangeCursor cursor, DateTimeOffset now) =>
        now - cursor.Since > TokenLifetime ? throw Expired() : cursor;

    public static string KindName(ObjectKind kind) => kind == ObjectKind.User ? "users" : "groups";

    /// <summary>The shard an object's notices go to: a stable hash of its id.</summary>
    public static int ShardOf(string objectId) =>
        (int)(BinaryPrimitives.ReadUInt32BigEndian(SHA256.HashData(Encoding.UTF8.GetBytes(objectId))) % Shards);

    public static IChangeFeedGrain Shard(this IGrainFactory grains, string tenantId, ObjectKind kind, int shard) =>
        grains.Reference<IChangeFeedGrain>(GrainKeys.Scoped(tenantId, $"{KindName(kind)}/{shard}"));

    public static IChangeFeedGrain FeedOf(this IGrainFactory grains, string tenantId, ObjectKind kind, string objectId) =>
        grains.Shard(tenantId, kind, ShardOf(objectId));

    /// <summary>
    /// Appends the notice that an object (and, for a change of members, these member references) may
    /// have changed, to the object's shard; a change of more than <see cref="MaxMembersPerNotice"/>
    /// references appends several notices, <see cref="NoticesAtOnce"/> at a time. Returns once every one is durable.
    /// </summary>
    public static async Task NoticeAsync(this IGrainFactory grains, string tenantId, ObjectKind kind, string objectId, IReadOnlyList<ObjectRef> members)
    {
        var feed = grains.FeedOf(tenantId, kind, objectId);
        if (members.Count == 0)
        {
            await feed.AppendAsync(new ChangeNotice(objectId, []));
            return;
        }

        foreach (var wave in members.Chunk(MaxMembersPerNotice).Chunk(NoticesAtOnce))
        {
            await Task.WhenAll(wave.Select(c => feed.AppendAsync(new ChangeNotice(objectId, [.. c]))));
        }
    }

    /// <summary>
    /// Most notices of one change in flight at once: what the feed writes in one batch. A group that
    /// replays the owed rows of a whole import (90,000 members: 350 notices) sent them all at once,
    /// and those at the back of the feed's queue ran out of their call's time while the front was
    /// written — the replay failed, and started again, every second.
    /// </summary>
    public const int NoticesAtOnce = 8;
}

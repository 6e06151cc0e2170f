using System.Collections.Immutable;
using DirectoryService.Abstractions.Common;

namespace DirectoryService.Abstractions.Changes;

/// <summary>
/// One shard of a tenant's change feed of one kind (keyed <c>{tenant}/{users|groups}/{shard}</c>,
/// <see cref="ChangeFeeds"/>): a durable, gap-free sequence of notices "this object (and these of
/// its member edges) may have changed". An object's grain appends the notice inside its own turn,
/// before it stores the change, so every acknowledged change has a durable notice with a lower
/// position than any read that could miss it; readers resolve a notice by asking the object's grain
/// for its current state, which queues behind a change in progress.
/// </summary>
[Alias("directory.IChangeFeedGrain")]
public interface IChangeFeedGrain : IGrainWithStringKey
{
    /// <summary>
    /// Appends a notice and returns its position once it is durable. Concurrent appends share one
    /// storage write. Interleaves: appends queue inside the grain, which writes them in order.
    /// Retried when the shard's silo leaves mid-call: a notice appended twice is read twice, which
    /// readers allow for (notices are at least once; a reader resolves each to the object's state).
    /// </summary>
    [Alias("AppendAsync")]
    [Idempotent]
    [Orleans.Concurrency.AlwaysInterleave]
    Task<long> AppendAsync(ChangeNotice notice);

    /// <summary>Up to <paramref name="limit"/> durable records after position <paramref name="after"/>, in order, and the last durable position.</summary>
    [Alias("ReadAsync")]
    [Idempotent]
    [Orleans.Concurrency.AlwaysInterleave]
    Task<FeedRead> ReadAsync(long after, int limit);

    /// <summary>Returns the last durable position once it is past <paramref name="after"/>, or after <paramref name="timeout"/>, whichever is first.</summary>
    [Alias("WaitAsync")]
    [Idempotent]
    [Orleans.Concurrency.AlwaysInterleave]
    Task<long> WaitAsync(long after, TimeSpan timeout);

    /// <summary>
    /// Removes the records past <see cref="ChangeFeeds.Retention"/>, unless that was done within the
    /// last hour (appends do it too). Run by the tenant's retention reminder, so an idle shard is
    /// purged as well; reads nothing when there is nothing to do.
    /// </summary>
    [Alias("PurgeAsync")]
    [Idempotent]
    Task PurgeAsync();

    /// <summary>Removes every record and the shard's root, for a tenant being deleted; the shard starts empty afterwards.</summary>
    [Alias("ClearAsync")]
    [Idempotent]
    Task ClearAsync();
}

/// <summary>What an object's grain appends: the object, and for a change of a group's members the member edges it touches.</summary>
[GenerateSerializer, Immutable, Alias("ChangeNotice")]
public sealed record ChangeNotice(
    [property: Id(0)] string ObjectId,
    [property: Id(1)] ImmutableArray<ObjectRef> Members);

/// <summary>A durable notice: its position in the shard, when it was appended, and what it names.</summary>
[GenerateSerializer, Immutable, Alias("ChangeRecord")]
public sealed record ChangeRecord(
    [property: Id(0)] long Position,
    [property: Id(1)] DateTimeOffset AppendedAt,
    [property: Id(2)] string ObjectId,
    [property: Id(3)] ImmutableArray<ObjectRef> Members);

/// <summary>A read of a shard: records in order, and the last durable position when it was read.</summary>
[GenerateSerializer, Immutable, Alias("FeedRead")]
public sealed record FeedRead(
    [property: Id(0)] ImmutableArray<ChangeRecord> Records,
    [property: Id(1)] long Head);

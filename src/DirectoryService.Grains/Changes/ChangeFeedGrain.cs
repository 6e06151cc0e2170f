using System.Collections.Immutable;
using DirectoryService.Abstractions.Changes;
using DirectoryService.Abstractions.Common;
using DirectoryService.Abstractions.Retention;
using DirectoryService.Abstractions.Rows;
using DirectoryService.Grains.Common;
using DirectoryService.Grains.Rows;
using Microsoft.Extensions.Logging;

namespace DirectoryService.Grains.Changes;

/// <summary>
/// One shard of a tenant's change feed (<see cref="IChangeFeedGrain"/>). Positions are cut into
/// buckets of 1,024, each a row set of its own — record rows (<see cref="ChangeRows"/>: a batch's
/// records in runs, as few rows as fit) and a head row <c>h</c> holding the last position written
/// there, written together in one atomic write per batch — so no storage partition grows past a bucket (Azurite's cost per write grows with the
/// partition it lands in; Azure's does not, but caps a partition's rate). A root row set remembers
/// the current bucket and the oldest one kept. Appends that arrive while a batch is being written
/// wait and go in the next one (up to 99 records, never across a bucket's end), so a busy feed costs
/// one storage write per batch, not per change. Batches are written one after another and each is
/// atomic, so any read of the rows, bucket after bucket, sees a prefix of the feed: a reader never
/// sees position p without every durable position below it.
/// </summary>
[GrainType(GrainTypes.ChangeFeed)]
public sealed partial class ChangeFeedGrain(IRowStore rows, RowCodec codec, DirectoryClock clock, ILogger<ChangeFeedGrain> logger) : Grain, IChangeFeedGrain
{
    private const string RootKey = "b";
    private const string HeadKey = "h";

    /// <summary>Positions per bucket, as a shift: 1,024.</summary>
    private const int BucketBits = 10;

    /// <summary>Records per batch: an atomic write holds 100 rows, the head among them (a batch needs fewer: its records go in runs).</summary>
    private const int MaxBatch = 99;

    /// <summary>Member edges per batch: keeps a batch far below Azure's 4 MiB transaction payload.</summary>
    private const int MaxBatchMembers = ChangeFeeds.NoticesAtOnce * ChangeFeeds.MaxMembersPerNotice;

    /// <summary>Recent records kept in memory, so followers that keep up never read storage.</summary>
    private const int TailCapacity = 4096;

    /// <summary>
    /// Positions a new activation skips: should a batch of an earlier activation whose outcome was
    /// unknown still land, its positions cannot collide with the ones this activation hands out.
    /// </summary>
    private const long ActivationGap = 1 << BucketBits;

    private static readonly TimeSpan PurgePeriod = TimeSpan.FromHours(1);

    private readonly Queue<(ChangeNotice Notice, TaskCompletionSource<long> Done)> _pending = new();
    private readonly List<ChangeRecord> _tail = [];

    /// <summary>The last durable position.</summary>
    private long _head;

    /// <summary>The next position to hand out.</summary>
    private long _next;

    /// <summary>The tail holds every record after this position.</summary>
    private long _tailFloor;

    /// <summary>The bucket the root names as current (batches go to it or a later one; -1 before the root exists), and the oldest bucket kept.</summary>
    private long _bucket = -1;
    private long _oldestBucket;

    private DateTimeOffset _lastAppendedAt;
    /// <summary>When this activation last purged (null: not yet), and when it began.</summary>
    private DateTimeOffset? _lastPurge;
    private DateTimeOffset _activatedAt;
    private bool _writing;
    private bool _purging;
    private TaskCompletionSource _appended = NewSignal();
    private string? _shard;
    private string _tenant = "";

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        (_tenant, _shard) = GrainKeys.Split(this.GetPrimaryKeyString());
        if (await rows.GetAsync(Root, RootKey) is { } row)
        {
            var root = codec.Decode<FeedRoot>(row.Value);
            (_bucket, _oldestBucket, _head, _lastAppendedAt) = (root.Bucket, root.OldestBucket, root.Head, root.AppendedAt);
            if (await rows.GetAsync(Bucket(_bucket), HeadKey) is { } headRow && codec.Decode<FeedHead>(headRow.Value) is { } head && head.Position > _head)
            {
                (_head, _lastAppendedAt) = (head.Position, head.AppendedAt);
            }
        }

        _tailFloor = _head;
        _next = _head == 0 ? 1 : _head + ActivationGap;
        _activatedAt = clock.UtcNow;

        // The tenant's retention reminder purges idle shards too; a tenant registers it when created,
        // and this covers tenants created before reminders existed. Not awaited: appends never wait on it.
        _ = StartRetentionAsync();
        await base.OnActivateAsync(cancellationToken);
    }

    private async Task StartRetentionAsync()
    {
        CallDeadline.Clear();
        try
        {
            await GrainFactory.GetGrain<IRetentionGrain>(_tenant).StartAsync();
        }
        catch (Exception e)
        {
            LogRetentionNotStarted(logger, e, this.GetPrimaryKeyString());
        }
    }

    public Task PurgeAsync() => _lastPurge is { } last && clock.UtcNow - last <= PurgePeriod ? Task.CompletedTask : PurgeOldAsync();

    public async Task ClearAsync()
    {
        if (_bucket < 0)
        {
            return;
        }

        for (var bucket = _oldestBucket; bucket <= _bucket; bucket++)
        {
            await DeleteAsync(Bucket(bucket), ChangeRows.Prefix, _ => true);
            await rows.WriteAsync(Bucket(bucket), [RowWrite.Delete(HeadKey)]);
        }

        // The root stays (one row), so the shard's positions never repeat should the tenant id be used again.
        _tail.Clear();
        _tailFloor = _head;
        _oldestBucket = _bucket;
        await rows.WriteAsync(Root, [RowWrite.Upsert(RootKey, codec.Encode(new FeedRoot(_bucket, _oldestBucket, _head, _lastAppendedAt)))]);
    }

    public Task<long> AppendAsync(ChangeNotice notice)
    {
        var done = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending.Enqueue((notice, done));
        if (!_writing)
        {
            _writing = true;
            _ = WriteBatchesAsync();
        }

        return done.Task;
    }

    public async Task<FeedRead> ReadAsync(long after, int limit)
    {
        limit = Math.Clamp(limit, 1, 1000);
        if (after >= _tailFloor)
        {
            var from = FirstAfter(after);
            return new FeedRead([.. _tail.Skip(from).Take(limit)], _head);
        }

        // Older than the tail: from storage, bucket after bucket. Rows of a batch still being written may show up; they are durable.
        var head = _head;
        var records = new List<ChangeRecord>();
        for (var bucket = BucketOf(after + 1); bucket <= _bucket && records.Count < limit; bucket++)
        {
            // A row holds one record or a run of them: the first row read may hold none past the
            // position, so a page can give fewer records than rows; read on until the bucket ends.
            var from = bucket == BucketOf(after + 1) ? ChangeRows.After(after) : ChangeRows.Prefix;
            while (records.Count < limit)
            {
                var page = await rows.ReadAsync(Bucket(bucket), from, ChangeRows.End, limit - records.Count);
                records.AddRange(page.Items.SelectMany(r => ChangeRows.Read(r, codec)).Where(r => r.Position > after).Take(limit - records.Count));
                if (page.Next is null || page.Items.Count == 0)
                {
                    break;
                }

                from = page.Items[^1].Key;
            }
        }

        return new FeedRead([.. records], Math.Max(head, records.Count == 0 ? 0 : records[^1].Position));
    }

    public async Task<long> WaitAsync(long after, TimeSpan timeout)
    {
        if (_head <= after)
        {
            await Task.WhenAny(_appended.Task, Task.Delay(timeout));
        }

        return _head;
    }

    private RowSet Root => RowSets.Changes(_tenant, _shard!);

    private RowSet Bucket(long bucket) => RowSets.Changes(_tenant, $"{_shard}/{bucket:x}");

    private static long BucketOf(long position) => position >> BucketBits;

    /// <summary>Writes the queued notices, batch after batch, until none is left.</summary>
    private async Task WriteBatchesAsync()
    {
        // The loop writes every appender's notices: no first appender's deadline cuts it short.
        CallDeadline.Clear();
        try
        {
            while (_pending.Count > 0)
            {
                // A batch stays within its bucket: one atomic write.
                var room = Math.Min(MaxBatch, ((BucketOf(_next) + 1) << BucketBits) - _next);
                var batch = new List<(ChangeNotice Notice, TaskCompletionSource<long> Done)>();
                var members = 0;
                while (_pending.Count > 0 && batch.Count < room && (batch.Count == 0 || members + _pending.Peek().Notice.Members.Length <= MaxBatchMembers))
                {
                    var item = _pending.Dequeue();
                    members += item.Notice.Members.Length;
                    batch.Add(item);
                }

                await WriteBatchAsync(batch);
            }
        }
        finally
        {
            _writing = false;
        }
    }

    private async Task WriteBatchAsync(List<(ChangeNotice Notice, TaskCompletionSource<long> Done)> batch)
    {
        // Appended-at times never go backwards within a shard, so a position's time bounds every later one's.
        var now = clock.UtcNow;
        var at = now > _lastAppendedAt ? now : _lastAppendedAt;
        var records = batch.Select((b, i) => new ChangeRecord(_next + i, at, b.Notice.ObjectId, b.Notice.Members)).ToList();
        var last = records[^1].Position;
        var bucket = BucketOf(_next);
        _next = last + 1;
        try
        {
            if (bucket != _bucket)
            {
                // The root names a bucket before anything is written to it, so an activation finds every record.
                await rows.WriteAsync(Root, [RowWrite.Upsert(RootKey, codec.Encode(new FeedRoot(bucket, _oldestBucket, _head, _lastAppendedAt)))]);
                _bucket = bucket;
            }

            await rows.WriteAsync(Bucket(bucket), [.. ChangeRows.Write(records, codec), RowWrite.Upsert(HeadKey, codec.Encode(new FeedHead(last, at)))]);
        }
        catch (Exception e)
        {
            // Outcome unknown: the positions are never handed out again, and the next activation starts from storage.
            LogAppendFailed(logger, e, this.GetPrimaryKeyString(), batch.Count);
            foreach (var item in batch)
            {
                item.Done.TrySetException(e);
            }

            DeactivateOnIdle();
            return;
        }

        _head = last;
        _lastAppendedAt = at;
        _tail.AddRange(records);
        if (_tail.Count > TailCapacity)
        {
            var drop = _tail.Count - TailCapacity;
            _tailFloor = _tail[drop - 1].Position;
            _tail.RemoveRange(0, drop);
        }

        for (var i = 0; i < batch.Count; i++)
        {
            batch[i].Done.TrySetResult(records[i].Position);
        }

        var signal = _appended;
        _appended = NewSignal();
        signal.TrySetResult();

        // Writes drive the purge too (at most hourly), so a busy shard never waits for the reminder.
        if (now - (_lastPurge ?? _activatedAt) > PurgePeriod)
        {
            _ = PurgeOldAsync();
        }
    }

    /// <summary>
    /// Removes the records older than the retention (a token's lifetime and a day): whole buckets
    /// whose newest record is that old, oldest first, then the old records of the current bucket.
    /// </summary>
    private async Task PurgeOldAsync()
    {
        CallDeadline.Clear();
        if (_purging || _bucket < 0)
        {
            return;
        }

        _purging = true;
        _lastPurge = clock.UtcNow;
        try
        {
            var cutoff = clock.UtcNow - ChangeFeeds.Retention;
            while (_bucket >= 0 && _oldestBucket < _bucket)
            {
                if (await rows.GetAsync(Bucket(_oldestBucket), HeadKey) is { } head && codec.Decode<FeedHead>(head.Value).AppendedAt >= cutoff)
                {
                    return;
                }

                await DeleteAsync(Bucket(_oldestBucket), ChangeRows.Prefix, _ => true);
                await rows.WriteAsync(Bucket(_oldestBucket), [RowWrite.Delete(HeadKey)]);
                _oldestBucket++;
                await rows.WriteAsync(Root, [RowWrite.Upsert(RootKey, codec.Encode(new FeedRoot(_bucket, _oldestBucket, _head, _lastAppendedAt)))]);
            }

            if (_bucket >= 0)
            {
                await DeleteAsync(Bucket(_bucket), ChangeRows.Prefix, r => r.AppendedAt < cutoff);
            }
        }
        catch (Exception e)
        {
            // The next write or the reminder tries again; the records are kept meanwhile.
            LogPurgeFailed(logger, e, this.GetPrimaryKeyString());
        }
        finally
        {
            _purging = false;
        }
    }

    /// <summary>
    /// Deletes a bucket's record rows in order while <paramref name="old"/> holds (appended-at times
    /// only grow along a bucket; the records of a row share theirs: one batch).
    /// </summary>
    private async Task DeleteAsync(RowSet bucket, string after, Func<ChangeRecord, bool> old)
    {
        while (true)
        {
            var page = await rows.ReadAsync(bucket, after, ChangeRows.End, 100);
            var gone = page.Items.TakeWhile(r => ChangeRows.Read(r, codec) is [var first, ..] && old(first)).ToList();
            if (gone.Count > 0)
            {
                await rows.WriteAsync(bucket, [.. gone.Select(r => RowWrite.Delete(r.Key))]);
            }

            if (gone.Count < page.Items.Count || page.Next is null)
            {
                return;
            }

            after = gone[^1].Key;
        }
    }

    /// <summary>The index in the tail of the first record after <paramref name="position"/>.</summary>
    private int FirstAfter(long position)
    {
        int low = 0, high = _tail.Count;
        while (low < high)
        {
            var mid = (low + high) / 2;
            if (_tail[mid].Position <= position)
            {
                low = mid + 1;
            }
            else
            {
                high = mid;
            }
        }

        return low;
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Change feed {Feed}: the tenant's retention reminder could not be checked; appends purge meanwhile")]
    private static partial void LogRetentionNotStarted(ILogger logger, Exception exception, string feed);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Change feed {Feed}: removing records past their retention failed")]
    private static partial void LogPurgeFailed(ILogger logger, Exception exception, string feed);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Change feed {Feed}: a batch of {Count} records could not be written")]
    private static partial void LogAppendFailed(ILogger logger, Exception exception, string feed, int count);
}

/// <summary>The head row of a bucket: the last position written there, and when.</summary>
[GenerateSerializer, Immutable, Alias("FeedHead")]
public sealed record FeedHead([property: Id(0)] long Position, [property: Id(1)] DateTimeOffset AppendedAt);

/// <summary>The root row of a shard: the current bucket, the oldest bucket kept, and the head when the current bucket began.</summary>
[GenerateSerializer, Immutable, Alias("FeedRoot")]
public sealed record FeedRoot(
    [property: Id(0)] long Bucket,
    [property: Id(1)] long OldestBucket,
    [property: Id(2)] long Head,
    [property: Id(3)] DateTimeOffset AppendedAt);

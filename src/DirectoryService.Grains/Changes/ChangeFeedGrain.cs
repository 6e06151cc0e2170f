using System.Collections.Immutable;
using DirectoryService.Abstractions.Changes;
using DirectoryService.Abstractions.Common;
using DirectoryService.Abstractions.Rows;
using DirectoryService.Grains.Common;
using DirectoryService.Grains.Rows;
using Microsoft.Extensions.Logging;

namespace DirectoryService.Grains.Changes;

/// <summary>
/// One shard of a tenant's change feed (<see cref="IChangeFeedGrain"/>), stored as a row set of its
/// own: record rows <c>r{position:x16}</c> and a head row <c>h</c> holding the last position, written
/// together in one atomic write per batch. Appends that arrive while a batch is being written wait
/// and go in the next one (up to 99 records), so a busy feed costs one storage write per batch, not
/// per change. Batches are written one after another, and each is atomic, so any read of the rows
/// sees a prefix of the feed: a reader never sees position p without every durable position below it.
/// </summary>
[GrainType(GrainTypes.ChangeFeed)]
public sealed partial class ChangeFeedGrain(IRowStore rows, RowCodec codec, DirectoryClock clock, ILogger<ChangeFeedGrain> logger) : Grain, IChangeFeedGrain
{
    private const string HeadKey = "h";
    private const string RecordPrefix = "r";

    /// <summary>Records per batch: an atomic write holds 100 rows, the head among them.</summary>
    private const int MaxBatch = 99;

    /// <summary>Member edges per batch: keeps a batch far below Azure's 4 MiB transaction payload.</summary>
    private const int MaxBatchMembers = 8 * ChangeFeeds.MaxMembersPerNotice;

    /// <summary>Recent records kept in memory, so followers that keep up never read storage.</summary>
    private const int TailCapacity = 4096;

    /// <summary>
    /// Positions a new activation skips: should a batch of an earlier activation whose outcome was
    /// unknown still land, its positions cannot collide with the ones this activation hands out.
    /// </summary>
    private const long ActivationGap = 1024;

    private static readonly TimeSpan PurgePeriod = TimeSpan.FromHours(1);

    private readonly Queue<(ChangeNotice Notice, TaskCompletionSource<long> Done)> _pending = new();
    private readonly List<ChangeRecord> _tail = [];

    /// <summary>The last durable position.</summary>
    private long _head;

    /// <summary>The next position to hand out.</summary>
    private long _next;

    /// <summary>The tail holds every record after this position.</summary>
    private long _tailFloor;

    private DateTimeOffset _lastAppendedAt;

    /// <summary>When the oldest record still stored was appended (null: none is stored).</summary>
    private DateTimeOffset? _oldestAt;

    private bool _writing;
    private bool _purging;
    private TaskCompletionSource _appended = NewSignal();

    private RowSet Set
    {
        get
        {
            var (tenant, local) = GrainKeys.Split(this.GetPrimaryKeyString());
            return RowSets.Changes(tenant, local);
        }
    }

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (await rows.GetAsync(Set, HeadKey) is { } row)
        {
            var head = codec.Decode<FeedHead>(row.Value);
            (_head, _lastAppendedAt) = (head.Position, head.AppendedAt);
        }

        _tailFloor = _head;
        if ((await rows.ReadAsync(Set, RecordPrefix, RecordPrefix + "~", 1)).Items is [var oldest, ..])
        {
            _oldestAt = codec.Decode<ChangeRecord>(oldest.Value).AppendedAt;
        }

        _next = _head == 0 ? 1 : _head + ActivationGap;
        var due = PurgePeriod / 60 * (1 + Random.Shared.Next(59));
        this.RegisterGrainTimer(_ => PurgeAsync(), new GrainTimerCreationOptions(due, PurgePeriod));
        await base.OnActivateAsync(cancellationToken);
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

        // Older than the tail: from storage. Rows of a batch still being written may show up; they are durable.
        var head = _head;
        var page = await rows.ReadAsync(Set, RecordKey(after), RecordPrefix + "~", limit);
        ImmutableArray<ChangeRecord> records = [.. page.Items.Select(r => codec.Decode<ChangeRecord>(r.Value))];
        return new FeedRead(records, Math.Max(head, records.IsEmpty ? 0 : records[^1].Position));
    }

    public async Task<long> WaitAsync(long after, TimeSpan timeout)
    {
        if (_head <= after)
        {
            await Task.WhenAny(_appended.Task, Task.Delay(timeout));
        }

        return _head;
    }

    /// <summary>Writes the queued notices, batch after batch, until none is left.</summary>
    private async Task WriteBatchesAsync()
    {
        try
        {
            while (_pending.Count > 0)
            {
                var batch = new List<(ChangeNotice Notice, TaskCompletionSource<long> Done)>();
                var members = 0;
                while (_pending.Count > 0 && batch.Count < MaxBatch && (batch.Count == 0 || members + _pending.Peek().Notice.Members.Length <= MaxBatchMembers))
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
        _next = last + 1;
        List<RowWrite> writes = [.. records.Select(r => RowWrite.Upsert(RecordKey(r.Position), codec.Encode(r))),
            RowWrite.Upsert(HeadKey, codec.Encode(new FeedHead(last, at)))];
        try
        {
            await rows.WriteAsync(Set, writes);
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

        // Writes drive the purge too, so a busy shard never waits for its timer to drop old records.
        _oldestAt ??= at;
        if (now - _oldestAt > ChangeFeeds.Retention && !_purging)
        {
            _ = PurgeAsync();
        }
    }

    /// <summary>Removes the records older than the retention (a token's lifetime and a day), oldest first.</summary>
    private async Task PurgeAsync()
    {
        if (_purging)
        {
            return;
        }

        _purging = true;
        try
        {
            var cutoff = clock.UtcNow - ChangeFeeds.Retention;
            var after = RecordPrefix;
            while (true)
            {
                var page = await rows.ReadAsync(Set, after, RecordPrefix + "~", 100);
                var records = page.Items.Select(r => (r.Key, Record: codec.Decode<ChangeRecord>(r.Value))).ToList();
                var old = records.TakeWhile(r => r.Record.AppendedAt < cutoff).ToList();
                if (old.Count > 0)
                {
                    await rows.WriteAsync(Set, [.. old.Select(r => RowWrite.Delete(r.Key))]);
                }

                if (old.Count < records.Count || page.Next is null)
                {
                    _oldestAt = old.Count < records.Count ? records[old.Count].Record.AppendedAt : null;
                    return;
                }

                after = old[^1].Key;
            }
        }
        catch (Exception e)
        {
            // The next write or the timer tries again; the records are kept meanwhile.
            LogPurgeFailed(logger, e, this.GetPrimaryKeyString());
        }
        finally
        {
            _purging = false;
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

    /// <summary>The row key of the record at <paramref name="position"/>: keys sort as positions do, so reading after it reads the later records.</summary>
    private static string RecordKey(long position) => RecordPrefix + position.ToString("x16");

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Change feed {Feed}: removing records past their retention failed")]
    private static partial void LogPurgeFailed(ILogger logger, Exception exception, string feed);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Change feed {Feed}: a batch of {Count} records could not be written")]
    private static partial void LogAppendFailed(ILogger logger, Exception exception, string feed, int count);
}

/// <summary>The head row of a feed shard: the last position written, and when.</summary>
[GenerateSerializer, Immutable, Alias("FeedHead")]
public sealed record FeedHead([property: Id(0)] long Position, [property: Id(1)] DateTimeOffset AppendedAt);

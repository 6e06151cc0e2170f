using DirectoryService.Abstractions.Common;
using DirectoryService.Abstractions.Rows;
using DirectoryService.Grains.Rows;

namespace DirectoryService.Grains.Groups;

/// <summary>
/// One group activation's access to its member row set (<see cref="MemberRows"/>): the layout,
/// the buckets (with the <see cref="BucketCache"/>), the nested groups, the owed-updates row, and
/// the atomic writes that keep them in step. The group grain is the set's only writer, so what this
/// holds in memory is what storage holds, as long as every write goes through here. A write whose
/// outcome is unknown empties the cache and calls <paramref name="unknownOutcome"/>, so that the
/// grain drops the activation and the next call starts from storage.
/// </summary>
public sealed class GroupMemberRows(IRowStore rows, RowSet set, Action unknownOutcome)
{
    private readonly BucketCache _buckets = new(BucketCache.DefaultMaxBytes);

    /// <summary>Buckets of the layout that storage was found not to hold (a new group's first, until written): a split must not delete them.</summary>
    private readonly HashSet<string> _unwritten = new(StringComparer.Ordinal);

    /// <summary>The group's buckets and nested-group count, read once per activation; null until then.</summary>
    private MemberLayout? _layout;

    /// <summary>Whether storage holds a layout row equal to <see cref="_layout"/>.</summary>
    private bool _layoutStored;

    /// <summary>The nested groups (the <c>n:</c> rows), read on the first cycle check; null until then.</summary>
    private HashSet<string>? _nested;

    /// <summary>Counts stored changes of nested groups, so a read that raced one is done again.</summary>
    private long _nestedVersion;

    /// <summary>Most rows <see cref="PreloadAsync"/> reads: a group of up to ~60 buckets (some 10,000 members).</summary>
    private const int PreloadRows = 64;

    /// <summary>The owed rows <see cref="PreloadAsync"/> read, for the outbox's first read.</summary>
    private readonly OwedReadAhead _owedAhead = new();

    /// <summary>
    /// Reads the whole row set in one request, if nothing of it was read yet and it holds at most
    /// <see cref="PreloadRows"/> rows: the layout, the buckets and the owed rows, which the first
    /// call of a bulk import to a cold group would otherwise read with a request each. A larger set
    /// is read as needed, as before. From calls that do not interleave, before they read the set.
    /// </summary>
    public async Task PreloadAsync()
    {
        if (_layout is not null)
        {
            return;
        }

        var version = _owedAhead.Version;
        var page = await rows.ReadAsync(set, "", RowKeys.End, PreloadRows);
        if (page.Next is not null || _layout is not null)
        {
            return;
        }

        var buckets = page.Items.Where(r => r.Key.StartsWith(MemberBuckets.Prefix, StringComparison.Ordinal))
            .ToDictionary(r => MemberBuckets.BucketOfKey(r.Key), r => r.Value, StringComparer.Ordinal);
        var layoutRow = page.Items.FirstOrDefault(r => r.Key == MemberRows.Layout);
        (_layout, _layoutStored) = layoutRow is null
            ? (LayoutOf([.. page.Items.Select(r => r.Key)]), false)
            : (MemberLayout.Decode(layoutRow.Value), true);
        foreach (var bucket in _layout.Buckets)
        {
            if (buckets.TryGetValue(bucket, out var value))
            {
                _buckets.Set(bucket, value);
            }
            else
            {
                KnowEmpty(bucket);
            }
        }

        _owedAhead.Keep(version, [.. page.Items.Where(r => r.Key.StartsWith(MemberRows.Owed, StringComparison.Ordinal))]);
    }

    /// <summary>
    /// A new group has no member rows: its activation knows the empty layout and its one empty
    /// bucket without reading them, and its first change writes the layout with its buckets (one
    /// atomic write; before, the create wrote the layout by itself and the first change read the
    /// bucket back — two requests per group that a bulk import of 10,000 groups waited on). A later
    /// activation of a group that never changed finds no layout row and reads it from the rows.
    /// </summary>
    public void Created()
    {
        _owedAhead.Forget();
        (_layout, _layoutStored) = (MemberLayout.Empty, false);
        foreach (var bucket in _layout.Buckets)
        {
            KnowEmpty(bucket);
        }
    }

    /// <summary>Records that a bucket of the layout has no row: it reads as empty, and a split has nothing of it to delete.</summary>
    private void KnowEmpty(string bucket)
    {
        _buckets.Set(bucket, []);
        _unwritten.Add(bucket);
    }

    /// <summary>The group's layout. Only from calls that do not interleave: they alone change it.</summary>
    public async Task<MemberLayout> LayoutAsync()
    {
        if (_layout is null)
        {
            var row = await rows.GetAsync(set, MemberRows.Layout);
            (_layout, _layoutStored) = row is null ? (await ScanLayoutAsync(), false) : (MemberLayout.Decode(row.Value), true);
        }

        return _layout;
    }

    /// <summary>The bucket holding <paramref name="memberId"/>; after <see cref="LayoutAsync"/>.</summary>
    public string BucketOf(string memberId) => MemberBuckets.BucketOf(MemberBuckets.Hash(memberId), _layout!.Buckets);

    /// <summary>The members of one bucket, in the group's order.</summary>
    public async Task<List<ObjectRef>> ReadBucketAsync(string bucket)
    {
        if (!_buckets.TryGet(bucket, out var value))
        {
            var row = await rows.GetAsync(set, MemberBuckets.Key(bucket));
            if (row is null)
            {
                _unwritten.Add(bucket);
            }

            value = row?.Value ?? [];
            _buckets.Set(bucket, value);
        }

        return MemberBuckets.Decode(value);
    }

    /// <summary>Keeps up to <paramref name="maxBytes"/> of buckets in memory from now on, for a bulk import.</summary>
    public void WidenCache(int maxBytes) => _buckets.Widen(maxBytes);

    /// <summary>The candidates that are not direct members (reading only the buckets they fall in).</summary>
    public async Task<List<ObjectRef>> AbsentAsync(IReadOnlyList<ObjectRef> candidates)
    {
        await LayoutAsync();
        var names = candidates.Select(c => BucketOf(c.Id)).Distinct().ToList();
        var contents = await Task.WhenAll(names.Select(ReadBucketAsync));
        var present = contents.SelectMany(b => b).Select(m => m.Id).ToHashSet(StringComparer.Ordinal);
        return [.. candidates.Where(c => !present.Contains(c.Id))];
    }

    /// <summary>
    /// Reads the buckets the candidates fall in, first splitting any bucket they would overfill, and
    /// returns their members.
    /// </summary>
    private async Task<Dictionary<string, List<ObjectRef>>> BucketsToAddAsync(List<ObjectRef> candidates)
    {
        while (true)
        {
            await LayoutAsync();
            var names = candidates.Select(c => BucketOf(c.Id)).Distinct().ToList();
            var contents = await Task.WhenAll(names.Select(ReadBucketAsync));
            var buckets = names.Zip(contents).ToDictionary(b => b.First, b => b.Second);
            var full = buckets.FirstOrDefault(b => b.Value.Count + candidates.Count(c => BucketOf(c.Id) == b.Key) > MemberBuckets.Capacity);
            if (full.Key is null)
            {
                return buckets;
            }

            await SplitAsync(full.Key, full.Value);
        }
    }

    /// <summary>Up to <paramref name="limit"/> direct members after id <paramref name="after"/>, in id order.</summary>
    public async Task<Page<ObjectRef>> PageAsync(string? after, int limit)
    {
        var start = after is null ? null : MemberBuckets.Hash(after);
        var members = new List<ObjectRef>();
        foreach (var bucket in (await LayoutAsync()).Buckets.ToList())
        {
            if (start is not null && MemberBuckets.Before(bucket, start))
            {
                continue;
            }

            members.AddRange((await ReadBucketAsync(bucket)).Where(m => after is null || MemberBuckets.After(m, after)));
            if (members.Count > limit)
            {
                return new Page<ObjectRef>(members.GetRange(0, limit), members[limit - 1].Id);
            }
        }

        return new Page<ObjectRef>(members, null);
    }

    /// <summary>
    /// The nested groups, read once per activation and then kept in step with the group's own
    /// writes. Cycle checks call it interleaved with writes, so a read that a stored change of
    /// nesting overtook is done again.
    /// </summary>
    public async Task<HashSet<string>> NestedAsync()
    {
        while (_nested is null)
        {
            var version = _nestedVersion;
            var read = await ReadNestedAsync();
            if (version == _nestedVersion)
            {
                _nested ??= read;
            }
        }

        return _nested;
    }

    /// <summary>Most rows one write may delete: an atomic write holds at most 100 changes.</summary>
    public const int MaxDeletesPerWrite = 100;

    /// <summary>
    /// Splits every bucket that <paramref name="joining"/> would overfill, so that changes adding
    /// them in any split (<see cref="Pack"/>) write exactly the buckets they fall in.
    /// </summary>
    public Task MakeRoomAsync(IReadOnlyList<ObjectRef> joining) => BucketsToAddAsync([.. joining]);

    /// <summary>
    /// Splits members (in id order) into runs that each fall in at most <paramref name="maxBuckets"/>
    /// buckets of the current layout: one change each, rewriting as few buckets as possible.
    /// </summary>
    public IEnumerable<List<ObjectRef>> Pack(IEnumerable<ObjectRef> members, int maxBuckets)
    {
        var run = new List<ObjectRef>();
        var buckets = new HashSet<string>(StringComparer.Ordinal);
        foreach (var m in members)
        {
            if (buckets.Add(BucketOf(m.Id)) && buckets.Count > maxBuckets)
            {
                yield return run;
                (run, buckets) = ([], [BucketOf(m.Id)]);
            }

            run.Add(m);
        }

        if (run.Count > 0)
        {
            yield return run;
        }
    }

    /// <summary>
    /// Turns a change of members into every row it touches — the buckets it joins or leaves (split
    /// first where joining would overfill one), the nested-group rows, the change's own row of the
    /// "member of" updates it owes (<paramref name="owedRow"/>) and the layout when it changes — and
    /// writes them in one atomic write. Members already present (joining) or absent (leaving) are
    /// left out; returns the change as applied, which is empty when nothing was written.
    /// </summary>
    public async Task<MemberChange> ApplyAsync(MemberChange change, string owedRow)
    {
        var buckets = await BucketsToAddAsync([.. change.Joining]);
        foreach (var leaving in change.Leaving.Select(m => BucketOf(m.Id)).Where(b => !buckets.ContainsKey(b)).Distinct().ToList())
        {
            buckets[leaving] = await ReadBucketAsync(leaving);
        }

        var applied = new MemberChange(
            [.. change.Joining.Where(m => !buckets[BucketOf(m.Id)].Any(b => b.Id == m.Id))],
            [.. change.Leaving.Where(m => buckets[BucketOf(m.Id)].Contains(m))]);
        if (applied.IsEmpty)
        {
            return applied;
        }

        var writes = new List<RowWrite>();
        foreach (var (bucket, members) in buckets)
        {
            var joining = applied.Joining.Where(m => BucketOf(m.Id) == bucket).ToList();
            var leaving = applied.Leaving.Where(m => BucketOf(m.Id) == bucket).ToList();
            if (joining.Count + leaving.Count > 0)
            {
                writes.Add(RowWrite.Upsert(MemberBuckets.Key(bucket), MemberBuckets.Encode([.. members.Except(leaving), .. joining])));
            }
        }

        var (nestedJoining, nestedLeaving) = (applied.NestedJoining, applied.NestedLeaving);
        writes.AddRange(nestedJoining.Select(id => RowWrite.Upsert(MemberRows.Nested + id, [])));
        writes.AddRange(nestedLeaving.Select(id => RowWrite.Delete(MemberRows.Nested + id)));
        writes.Add(RowWrite.Upsert(owedRow, MemberRows.EncodeChanges(applied.Owed)));
        await WriteChangeAsync(writes, nestedJoining, nestedLeaving);
        return applied;
    }

    /// <summary>Writes a change's rows with the layout if it changed, in one atomic write, and brings the in-memory view up to date.</summary>
    private async Task WriteChangeAsync(List<RowWrite> writes, List<string> nestedAdded, List<string> nestedRemoved)
    {
        var layout = _layout!;
        var nestedDelta = nestedAdded.Count - nestedRemoved.Count;
        var next = nestedDelta == 0 ? layout : new MemberLayout(layout.Buckets, layout.NestedCount + nestedDelta);
        var writeLayout = !_layoutStored || next != layout;
        if (writeLayout)
        {
            writes.Add(LayoutWrite(next));
        }

        await WriteAsync(writes);
        _layout = next;
        _layoutStored |= writeLayout;
        if (nestedAdded.Count + nestedRemoved.Count > 0)
        {
            _nestedVersion++;
            _nested?.UnionWith(nestedAdded);
            _nested?.ExceptWith(nestedRemoved);
        }
    }

    /// <summary>The owed rows as stored, in key order (the changes' order): each row's key and the "member of" updates it holds.</summary>
    public async Task<List<(string Row, List<MemberOfChange> Changes)>> ReadOwedAsync()
    {
        var owed = _owedAhead.Take() ?? await rows.ReadAllAsync(set, MemberRows.Owed[..^1], RowKeys.Before(MemberRows.Owed));
        return [.. owed.Select(r => (r.Key, MemberRows.DecodeChanges(r.Value)))];
    }

    /// <summary>Deletes owed rows (at most <see cref="MaxDeletesPerWrite"/>), all or none.</summary>
    public Task DeleteOwedAsync(IReadOnlyList<string> owedRows)
    {
        _owedAhead.Forget();
        return rows.WriteAsync(set, [.. owedRows.Select(RowWrite.Delete)]);
    }

    private async Task<HashSet<string>> ReadNestedAsync()
    {
        // The layout tells whether there are any; most groups have none, and then nothing is read.
        var count = _layout?.NestedCount
            ?? (await rows.GetAsync(set, MemberRows.Layout) is { } row ? MemberLayout.Decode(row.Value).NestedCount : -1);
        if (count == 0)
        {
            return [];
        }

        var keys = await rows.ReadAllKeysAsync(set, MemberRows.Nested, RowKeys.Before(MemberRows.Nested));
        return [.. keys.Select(k => k[MemberRows.Nested.Length..])];
    }

    /// <summary>The layout read from the rows themselves, for a group without a layout row (its creation's last write failed).</summary>
    private async Task<MemberLayout> ScanLayoutAsync()
    {
        var buckets = await rows.ReadAllKeysAsync(set, MemberBuckets.Prefix, RowKeys.Before(MemberBuckets.Prefix));
        var nested = await rows.ReadAllKeysAsync(set, MemberRows.Nested, RowKeys.Before(MemberRows.Nested));
        return LayoutOf([.. buckets, .. nested]);
    }

    /// <summary>The layout the keys of a set's bucket and nested-group rows describe (other keys are ignored).</summary>
    private static MemberLayout LayoutOf(IReadOnlyCollection<string> keys) => new(
        keys.Where(k => k.StartsWith(MemberBuckets.Prefix, StringComparison.Ordinal)).Select(MemberBuckets.BucketOfKey),
        keys.Count(k => k.StartsWith(MemberRows.Nested, StringComparison.Ordinal)));

    /// <summary>Replaces a full bucket by its 16 children, with the layout that lists them: a split only moves members, so it is its own atomic write.</summary>
    private async Task SplitAsync(string bucket, List<ObjectRef> members)
    {
        var children = MemberBuckets.Children(bucket).ToList();
        var next = new MemberLayout(_layout!.Buckets.Where(b => b != bucket).Concat(children), _layout.NestedCount);
        var writes = children.Select(child => RowWrite.Upsert(
            MemberBuckets.Key(child),
            MemberBuckets.Encode([.. members.Where(m => MemberBuckets.Hash(m.Id).StartsWith(child, StringComparison.Ordinal))]))).ToList();
        if (!_unwritten.Contains(bucket))
        {
            writes.Add(RowWrite.Delete(MemberBuckets.Key(bucket)));
        }

        writes.Add(LayoutWrite(next));
        await WriteAsync(writes);
        (_layout, _layoutStored) = (next, true);
    }

    /// <summary>Writes member rows atomically and keeps the bucket cache in step.</summary>
    private async Task WriteAsync(List<RowWrite> writes)
    {
        _owedAhead.Forget();
        try
        {
            await rows.WriteAsync(set, writes);
        }
        catch
        {
            _buckets.Clear();
            _unwritten.Clear();
            unknownOutcome();
            throw;
        }

        foreach (var write in writes.Where(w => w.Key.StartsWith(MemberBuckets.Prefix, StringComparison.Ordinal)))
        {
            var bucket = MemberBuckets.BucketOfKey(write.Key);
            _unwritten.Remove(bucket);
            if (write.Value is { } value)
            {
                _buckets.Set(bucket, value);
            }
            else
            {
                _buckets.Remove(bucket);
            }
        }
    }

    private static RowWrite LayoutWrite(MemberLayout layout) => RowWrite.Upsert(MemberRows.Layout, layout.Encode());
}

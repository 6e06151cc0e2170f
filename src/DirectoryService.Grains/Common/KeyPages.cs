using DirectoryService.Abstractions.Common;

namespace DirectoryService.Grains.Common;

/// <summary>
/// A stored row of a key bucket: a page of bindings (<see cref="Keys"/>), or, as stored before
/// pages, the binding of one key (<see cref="UserId"/>, the row of the key's own grain id). One
/// type for both, so a bucket reads all its rows with one query.
/// </summary>
[GenerateSerializer, Alias("UpnBinding")]
public sealed class KeyRow
{
    /// <summary>A row of one key: the object holding it, or null.</summary>
    [Id(0)] public string? UserId { get; set; }

    /// <summary>A page: each key in it and its holder; an empty holder unbinds a key that still has a row of its own.</summary>
    [Id(1)] public List<PagedKey>? Keys { get; set; }
}

/// <summary>One key of a page and the id of the object holding it ("" for none).</summary>
[GenerateSerializer, Immutable, Alias("directory.PagedKey")]
public readonly record struct PagedKey([property: Id(0)] TenantKey Key, [property: Id(1)] string Holder);

/// <summary>
/// The bindings of one key bucket and how they are stored: in pages, rows of the bucket's storage
/// partition holding up to about <see cref="PageBytes"/> of bindings each, so that a bucket of 50
/// keys is one row, not 50 (Azurite keeps ~500 bytes of its own beside every row, and saves them
/// all every few seconds). A new key goes to a page with room, the last first; pages are numbered
/// from 0 and never removed, so they can be found by counting. Keys stored before pages, each in a
/// row of its own (<see cref="UniqueKeys.RowId"/>), are read as they were; a page entry for such a
/// key overrides its row, so changing it writes only the page. Not thread-safe: one activation's state.
/// </summary>
public sealed class KeyPages
{
    /// <summary>About how many bytes of bindings a page holds before new keys go to the next.</summary>
    public const int PageBytes = 24 * 1024;

    /// <summary>The state name page rows are stored under.</summary>
    public const string StateName = "keypage";

    private const string RowPrefix = "keys";

    private readonly List<Page> _pages = [];
    private readonly Dictionary<TenantKey, int> _pageOf = [];
    private readonly Dictionary<TenantKey, string?> _ownRows = [];

    /// <summary>How many pages are stored.</summary>
    public int PageCount => _pages.Count;

    /// <summary>The row id of page <paramref name="number"/> of the bucket: kept in the bucket's own spread.</summary>
    public static GrainId RowId(string tenantId, string bucket, int number) =>
        StateSpreads.SpreadRowId(tenantId, bucket, RowPrefix + number.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>The page number a row id names, or null if it names no page.</summary>
    public static int? NumberOf(GrainId rowId) =>
        StateSpreads.RowName(rowId) is { } name && name.StartsWith(RowPrefix, StringComparison.Ordinal)
            && int.TryParse(name.AsSpan(RowPrefix.Length), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var number)
            ? number
            : null;

    /// <summary>The bindings as stored: the pages (by number, each with its etag) and the rows of single keys.</summary>
    public static KeyPages Load(IEnumerable<(int Number, GrainState<KeyRow> Row)> pages, IEnumerable<(TenantKey Key, string? Holder)> ownRows)
    {
        var loaded = new KeyPages();
        foreach (var (key, holder) in ownRows)
        {
            loaded._ownRows[key] = holder;
        }

        var byNumber = pages.ToDictionary(p => p.Number, p => p.Row);
        for (var number = 0; byNumber.TryGetValue(number, out var row); number++)
        {
            var page = new Page(row);
            foreach (var entry in row.State?.Keys ?? [])
            {
                page.Entries[entry.Key] = entry.Holder;
                loaded._pageOf[entry.Key] = number;
            }

            page.Bytes = page.Entries.Keys.Sum(EntryBytes);
            loaded._pages.Add(page);
        }

        return loaded;
    }

    /// <summary>The id of the object the key is bound to, or null.</summary>
    public string? HolderOf(TenantKey key) =>
        _pageOf.TryGetValue(key, out var number)
            ? _pages[number].Entries[key] is { Length: > 0 } holder ? holder : null
            : _ownRows.GetValueOrDefault(key);

    /// <summary>
    /// The page rows to write so that each key of <paramref name="changes"/> is bound to its holder
    /// (null: to none): each touched page with all its entries, on the etag it was read or written
    /// with (a new page on none). Changes nothing here until <see cref="Commit"/>.
    /// </summary>
    public KeyPagesPlan Plan(IReadOnlyList<(TenantKey Key, string? Holder)> changes)
    {
        var next = new Dictionary<int, Dictionary<TenantKey, string>>();
        var bytes = new Dictionary<int, int>();
        Dictionary<TenantKey, string> Touch(int number)
        {
            if (!next.TryGetValue(number, out var entries))
            {
                entries = number < _pages.Count ? new(_pages[number].Entries) : [];
                next[number] = entries;
                bytes[number] = number < _pages.Count ? _pages[number].Bytes : 0;
            }

            return entries;
        }

        var placed = new Dictionary<TenantKey, int>();
        foreach (var (key, holder) in changes)
        {
            // An unbinding must still override a row of the key's own; otherwise it leaves no entry.
            var stored = holder ?? (_ownRows.GetValueOrDefault(key) is null ? null : "");
            if (_pageOf.TryGetValue(key, out var number) || placed.TryGetValue(key, out number))
            {
                var entries = Touch(number);
                if (stored is not null)
                {
                    entries[key] = stored;
                }
                else if (entries.Remove(key))
                {
                    bytes[number] -= EntryBytes(key);
                }
            }
            else if (stored is not null)
            {
                var room = RoomFor(key, bytes);
                Touch(room)[key] = stored;
                bytes[room] += EntryBytes(key);
                placed[key] = room;
            }
        }

        return new KeyPagesPlan([.. next.Select(p => new PlannedPage(p.Key, p.Value, bytes[p.Key], new GrainState<KeyRow>(
            new KeyRow { Keys = [.. p.Value.Select(e => new PagedKey(e.Key, e.Value))] },
            p.Key < _pages.Count ? _pages[p.Key].Row.ETag : null) { RecordExists = p.Key < _pages.Count && _pages[p.Key].Row.RecordExists }))]);
    }

    /// <summary>Adopts a plan whose rows were all written (each row's state then holds its new etag).</summary>
    public void Commit(KeyPagesPlan plan)
    {
        foreach (var planned in plan.Pages.OrderBy(p => p.Number))
        {
            if (planned.Number < _pages.Count)
            {
                foreach (var key in _pages[planned.Number].Entries.Keys.Where(k => !planned.Entries.ContainsKey(k)))
                {
                    _pageOf.Remove(key);
                }
            }

            var page = new Page(planned.Row);
            foreach (var (key, holder) in planned.Entries)
            {
                page.Entries[key] = holder;
                _pageOf[key] = planned.Number;
            }

            page.Bytes = planned.Bytes;
            if (planned.Number < _pages.Count)
            {
                _pages[planned.Number] = page;
            }
            else
            {
                _pages.Add(page);
            }
        }
    }

    /// <summary>About how many bytes a key's entry takes in a page: its value in UTF-8 at worst, its holder's id, framing.</summary>
    private static int EntryBytes(TenantKey key) => 3 * key.Value.Length + 48;

    /// <summary>The page a new key goes to: the last with room for it, counting what is planned; else a new one.</summary>
    private int RoomFor(TenantKey key, Dictionary<int, int> planned)
    {
        var count = Math.Max(_pages.Count, planned.Count == 0 ? 0 : planned.Keys.Max() + 1);
        for (var number = count - 1; number >= 0; number--)
        {
            var used = planned.TryGetValue(number, out var b) ? b : _pages[number].Bytes;
            if (used + EntryBytes(key) <= PageBytes)
            {
                return number;
            }
        }

        return count;
    }

    private sealed class Page(GrainState<KeyRow> row)
    {
        public GrainState<KeyRow> Row { get; } = row;

        public Dictionary<TenantKey, string> Entries { get; } = [];

        public int Bytes { get; set; }
    }
}

/// <summary>The page rows one write stores (<see cref="KeyPages.Plan"/>).</summary>
public sealed record KeyPagesPlan(IReadOnlyList<PlannedPage> Pages);

/// <summary>One page as it is to be stored: its entries, their estimated bytes, and the row state written (on the page's last etag).</summary>
public sealed record PlannedPage(int Number, IReadOnlyDictionary<TenantKey, string> Entries, int Bytes, GrainState<KeyRow> Row);

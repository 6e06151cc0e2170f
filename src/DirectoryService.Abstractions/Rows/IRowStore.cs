using DirectoryService.Abstractions.Common;

namespace DirectoryService.Abstractions.Rows;

/// <summary>
/// Durable sorted row sets, for state that grows without bound and must never be loaded or
/// rewritten whole: adding one member writes one row, listing reads one page.
/// </summary>
public interface IRowStore
{
    /// <summary>Up to <paramref name="limit"/> rows with keys after <paramref name="after"/> and before <paramref name="before"/>, in key order.</summary>
    Task<Page<Row>> ReadAsync(RowSet set, string after, string before, int limit);

    /// <summary>Up to <paramref name="limit"/> keys (without values) after <paramref name="after"/> and before <paramref name="before"/>, in order.</summary>
    Task<Page<string>> ReadKeysAsync(RowSet set, string after, string before, int limit);

    /// <summary>
    /// Up to <paramref name="limit"/> rows of a span: every set of <paramref name="from"/>'s tenant
    /// and kind, in owner order and each in key order, starting in <paramref name="from"/> after key
    /// <paramref name="after"/>. Only for kinds declared spanned (<see cref="RowSet.Spanned"/>), whose
    /// sets the store keeps side by side so a span is one range read. For sets whose owner is a
    /// prefix of their keys (listing-index buckets), span order is key order.
    /// </summary>
    Task<Page<Row>> ReadSpanAsync(RowSet from, string after, int limit);

    /// <summary>One row, or null.</summary>
    Task<Row?> GetAsync(RowSet set, string key);

    /// <summary>
    /// Applies changes to one set, all or none. A store refuses more changes than it can apply
    /// atomically (the table store: 100); the directory's own writes carry at most a few dozen.
    /// </summary>
    Task WriteAsync(RowSet set, IReadOnlyList<RowWrite> writes);
}

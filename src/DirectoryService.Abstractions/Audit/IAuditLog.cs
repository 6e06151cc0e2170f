using DirectoryService.Abstractions.Common;

namespace DirectoryService.Abstractions.Audit;

/// <summary>
/// An append-only log per tenant. A record is appended once and never removed; a write's record is
/// appended as <see cref="AuditResults.Pending"/> before the write runs and settled once with the
/// outcome, after which nothing changes it.
/// </summary>
public interface IAuditLog
{
    /// <summary>Durably appends a record, assigning its id (time-ordered); returns the stored record.</summary>
    Task<AuditRecord> AppendAsync(AuditRecord record);

    /// <summary>Durably records the outcome of a pending record (and the targets its call ended up naming).</summary>
    Task SettleAsync(AuditRecord pending, string result, IReadOnlyList<string> targets);

    /// <summary>A tenant's records in time order within [<paramref name="from"/>, <paramref name="to"/>), continuing after record id <paramref name="after"/>.</summary>
    Task<Page<AuditRecord>> ListAsync(string tenantId, DateTimeOffset? from, DateTimeOffset? to, string? after, int limit);
}

/// <summary>The results a record can hold besides a status code name.</summary>
public static class AuditResults
{
    public const string Ok = "OK";

    /// <summary>A write was accepted and its outcome never recorded (its silo stopped mid-call).</summary>
    public const string Pending = "PENDING";
}

/// <summary>Record ids order records by time: <c>{ticks:D19}-{random}</c>.</summary>
public static class AuditIds
{
    public static string New(DateTimeOffset time) => $"{time.UtcTicks:D19}-{Guid.NewGuid():N}";

    /// <summary>The smallest id at or after a time.</summary>
    public static string AtOrAfter(DateTimeOffset time) => $"{time.UtcTicks:D19}";

    /// <summary>The id range a listing reads: from its start time (inclusive) or after its cursor (exclusive), up to its end time.</summary>
    public static (string Lower, bool LowerInclusive, string Upper) Range(DateTimeOffset? from, DateTimeOffset? to, string? after) =>
        (after ?? (from is { } f ? AtOrAfter(f) : ""), after is null, to is { } t ? AtOrAfter(t) : "~");
}

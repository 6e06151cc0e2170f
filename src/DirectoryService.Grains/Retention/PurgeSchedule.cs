using DirectoryService.Abstractions.Common;
using DirectoryService.Abstractions.Retention;
using DirectoryService.Abstractions.Rows;
using DirectoryService.Grains.Rows;

namespace DirectoryService.Grains.Retention;

/// <summary>
/// The purge schedule: a row per deleted object in the set of its deletion day
/// (<see cref="RowSets.Purges"/>), and the day in the tenant's <see cref="RetentionGrain"/>. A row is
/// a hint, never the truth: the object decides when asked (restored, deleted again later, or not
/// yet due), so a row that outlives its reason is simply dropped.
/// </summary>
public static class PurgeSchedule
{
    /// <summary>The UTC day of a deletion: the schedule set its row goes to.</summary>
    public static DateOnly DayOf(DateTimeOffset deletedAt) => DateOnly.FromDateTime(deletedAt.UtcDateTime);

    /// <summary>When every object deleted on <paramref name="day"/> is past its retention.</summary>
    public static DateTimeOffset AllDue(DateOnly day) => new DateTimeOffset(day.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero) + Limits.SoftDeleteRetention;

    /// <summary>When the first object deleted on <paramref name="day"/> may be past its retention.</summary>
    public static DateTimeOffset FirstDue(DateOnly day) => new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero) + Limits.SoftDeleteRetention;

    public static string Key(ObjectRef target) => (target.Kind == ObjectKind.Group ? "g:" : "u:") + target.Id;

    public static ObjectRef Parse(string key) => new(key[2..], key[0] == 'g' ? ObjectKind.Group : ObjectKind.User);

    /// <summary>
    /// Puts an object being deleted on the schedule: its row and its day, both durable when this
    /// returns, and before the deletion is stored, so no deleted object is ever left off it.
    /// </summary>
    public static Task AddAsync(IGrainFactory grains, IRowStore rows, string tenantId, ObjectRef target, DateTimeOffset deletedAt)
    {
        var day = DayOf(deletedAt);
        return Task.WhenAll(
            rows.WriteAsync(RowSets.Purges(tenantId, day), [RowWrite.Upsert(Key(target), [])]),
            grains.GetGrain<IRetentionGrain>(tenantId).ScheduleAsync(day));
    }
}

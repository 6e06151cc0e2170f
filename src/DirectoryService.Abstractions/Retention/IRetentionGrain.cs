using DirectoryService.Abstractions.Common;

namespace DirectoryService.Abstractions.Retention;

/// <summary>
/// A tenant's scheduled clean-up (keyed by tenant id), driven by a durable Orleans reminder: purges
/// the objects past their soft-delete retention (<see cref="Limits.SoftDeleteRetention"/>) and has
/// the change feed drop records past theirs. Objects put themselves on its schedule when deleted.
/// </summary>
[Alias("directory.IRetentionGrain")]
public interface IRetentionGrain : IGrainWithStringKey
{
    /// <summary>Makes sure the tenant's reminder is registered (once per activation it asks storage).</summary>
    [Alias("StartAsync")]
    [Idempotent]
    Task StartAsync();

    /// <summary>Notes that objects deleted on <paramref name="day"/> (UTC) await their purge; each wrote its own schedule row first.</summary>
    [Alias("ScheduleAsync")]
    [Idempotent]
    Task ScheduleAsync(DateOnly day);

    /// <summary>
    /// Purges every scheduled object whose retention has passed (what the reminder runs each period)
    /// and lets the change feed drop old records. Returns the ids purged.
    /// </summary>
    [Alias("SweepAsync")]
    [Idempotent]
    Task<PurgeSummary> SweepAsync();

    /// <summary>
    /// For a tenant being deleted (it holds no live or restorable objects): purges what is left, clears
    /// the change feed and the schedule, and unregisters the reminder.
    /// </summary>
    [Alias("CloseAsync")]
    [Idempotent]
    Task CloseAsync();
}

/// <summary>What a sweep purged.</summary>
[GenerateSerializer, Immutable, Alias("PurgeSummary")]
public sealed record PurgeSummary(
    [property: Id(0)] IReadOnlyList<string> Users,
    [property: Id(1)] IReadOnlyList<string> Groups);

/// <summary>What an object answers when its scheduled purge comes (<c>BeginPurgeAsync</c>).</summary>
public enum PurgeStep
{
    /// <summary>Past its retention: the purge goes on (the object counts as gone from now on, whatever the clock).</summary>
    Purge,

    /// <summary>Deleted on the scheduled day and not yet past retention: keep the schedule row.</summary>
    Keep,

    /// <summary>Restored, deleted again on another day (that day's row stands), or gone already: drop the row.</summary>
    Drop,
}

/// <summary>An object's answer to its scheduled purge, with the groups it must leave when it is purged.</summary>
[GenerateSerializer, Immutable, Alias("PurgeStart")]
public sealed record PurgeStart(
    [property: Id(0)] PurgeStep Step,
    [property: Id(1)] IReadOnlyList<string> MemberOf);

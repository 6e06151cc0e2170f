namespace DirectoryService.Abstractions.Common;

/// <summary>
/// The time by which the current call must be answered, carried with it: set by the door when a
/// write begins (<c>Directory:Gateway:WriteTimeout</c>, or the caller's deadline if sooner), in
/// Orleans's <see cref="RequestContext"/>, which travels with every grain call the write makes, on
/// any silo. Storage gives each operation only what is left of it, so a write whose storage stalls
/// ends near its deadline whatever path it took — no step waits out a full timeout of its own.
/// </summary>
public static class CallDeadline
{
    private const string Key = "directory.deadline";

    /// <summary>Sets the deadline of the current call (UTC); the flow that set it, and what it calls, see it.</summary>
    public static void Set(DateTimeOffset deadline) => RequestContext.Set(Key, deadline.UtcTicks);

    /// <summary>The current call's deadline (UTC), or null.</summary>
    public static DateTimeOffset? Current => RequestContext.Get(Key) is long ticks ? new DateTimeOffset(ticks, TimeSpan.Zero) : null;

    /// <summary>
    /// Removes the deadline from the current flow: for work that outlives the call that started it
    /// or serves other calls too (a group-commit loop, a feed's batch writer, background upkeep), which
    /// must not be cut short by the first caller's deadline.
    /// </summary>
    public static void Clear() => RequestContext.Remove(Key);

    /// <summary>What is left of the current call's deadline at <paramref name="now"/>; null when the call has none (reads, background work).</summary>
    public static TimeSpan? Remaining(DateTimeOffset now) =>
        RequestContext.Get(Key) is long ticks ? new DateTimeOffset(ticks, TimeSpan.Zero) - now : null;
}

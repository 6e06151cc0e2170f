namespace DirectoryService.Grains.Common;

/// <summary>
/// The time the directory stamps on objects and measures retention by. Kept apart from the
/// <see cref="TimeProvider"/> Orleans itself runs on, so tests can move directory time (a
/// FakeTimeProvider) without stopping the runtime's own timers.
/// </summary>
public sealed class DirectoryClock(TimeProvider time)
{
    public DateTimeOffset UtcNow => time.GetUtcNow();
}

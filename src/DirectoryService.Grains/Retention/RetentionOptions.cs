namespace DirectoryService.Grains.Retention;

/// <summary>Scheduled clean-up (<c>Directory:Retention</c>).</summary>
public sealed class RetentionOptions
{
    public const string Section = "Directory:Retention";

    /// <summary>
    /// How often each tenant's reminder sweeps: objects are purged at most this long after their
    /// retention ends (they count as gone from that moment anyway), change records after theirs.
    /// </summary>
    public TimeSpan SweepPeriod { get; set; } = TimeSpan.FromHours(1);
}

namespace DirectoryService.Grains.Membership;

/// <summary>
/// Read leases (<c>Directory:ReadLease</c>): a silo answers from its caches only while every peer
/// that granted it a lease has renewed it recently, so a change waits on an unresponsive silo at
/// most <see cref="ReachTimeout"/> plus one lease, not until failure detection declares it dead.
/// </summary>
public sealed class ReadLeaseOptions
{
    public const string Section = "Directory:ReadLease";

    /// <summary>Off: caches are always trusted and a change waits on an unresponsive silo until it answers or is declared dead.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How long a grant lasts, counted on the reader's monotonic clock from when it asked.</summary>
    public TimeSpan Duration { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How often a reader asks each peer to renew; a few renewals fit in one lease.</summary>
    public TimeSpan RenewEvery { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>How long a change waits for a silo's invalidation before it revokes that silo's lease and waits the lease out instead.</summary>
    public TimeSpan ReachTimeout { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The most two silos' monotonic clocks may differ in rate (0.01: 1 %); a grantor waits a lease out stretched by it twice.</summary>
    public double ClockDrift { get; set; } = 0.01;

    /// <summary>How long after its last grant a grantor waits before a reader's lease has surely ended on the reader's clock.</summary>
    public TimeSpan WaitOut => Duration * ((1 + ClockDrift) * (1 + ClockDrift));

    /// <summary>The longest a change waits on one unresponsive silo: the reach timeout, then at most one lease (renewed just before).</summary>
    public TimeSpan Bound => ReachTimeout + WaitOut;
}

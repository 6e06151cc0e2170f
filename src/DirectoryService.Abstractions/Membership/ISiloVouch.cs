namespace DirectoryService.Abstractions.Membership;

/// <summary>
/// Whether this silo can vouch for what it answers: it has not been frozen (a stop-the-world pause,
/// SIGSTOP, a frozen VM) since it last confirmed that it is an active member of the cluster. After a
/// freeze it must not answer from its caches or its activations — the cluster may have declared it
/// dead and moved on — until it has read the membership table again and dropped its caches.
/// </summary>
public interface ISiloVouch
{
    /// <summary>Whether the silo can vouch right now; otherwise <see cref="Problem"/> says why.</summary>
    bool IsTrusted { get; }

    string Problem { get; }

    /// <summary>Returns true at once while trusted; otherwise waits (at most <paramref name="timeout"/>) for the silo to confirm its membership.</summary>
    ValueTask<bool> WaitTrustedAsync(TimeSpan timeout, CancellationToken cancellationToken);
}

namespace DirectoryService.LoadGenerator.Workloads;

/// <summary>One kind of call under load. <see cref="ExecuteAsync"/> makes exactly one RPC.</summary>
public interface IWorkload
{
    /// <summary>Creates what the calls need (not measured).</summary>
    Task PrepareAsync();

    Task ExecuteAsync(int worker, long iteration);

    /// <summary>Answers that disagreed with what the workload knows to be true.</summary>
    long Mismatches { get; }
}

using System.Collections.Immutable;

namespace DirectoryService.Abstractions.Import;

/// <summary>
/// One bulk import into one tenant, keyed by <c>{tenant}/{import id}</c>, for as long as its stream
/// lasts: it applies batch after batch, remembering the external ids it resolved (bounded) and the
/// counts. Nothing durable: an import cut short is simply run again (records are idempotent).
/// </summary>
[Alias("directory.IImportGrain")]
public interface IImportGrain : IGrainWithStringKey
{
    /// <summary>
    /// The ids of every object the batch may touch — those its records find now, and the ids chosen
    /// for those it would create — for the audit record stored before the batch is applied.
    /// </summary>
    [Alias("PlanAsync")]
    [ResponseTimeout("00:05:00")]
    Task<ImmutableArray<string>> PlanAsync(ImportBatch batch);

    /// <summary>Applies a planned batch: its users, then its groups, then its memberships.</summary>
    [Alias("ApplyAsync")]
    [ResponseTimeout("00:10:00")]
    Task<ImportBatchOutcome> ApplyAsync(ImportBatch batch);

    /// <summary>
    /// Applies a planned batch only if every record of it is unchanged, and returns its outcome;
    /// returns null, having changed nothing, as soon as a record would create, update or be
    /// rejected (or the batch nests groups) — then the batch is audited and applied with
    /// <see cref="ApplyAsync"/>. A batch that changes nothing needs no audit record of its own.
    /// </summary>
    [Alias("ApplyUnchangedAsync")]
    [ResponseTimeout("00:10:00")]
    Task<ImportBatchOutcome?> ApplyUnchangedAsync(ImportBatch batch);

    /// <summary>
    /// Completes the import: the members apply the "member of" updates their groups handed over
    /// (see <c>MembershipImports</c>). Once it returns, every read on every silo sees the import —
    /// if this activation applied every batch: it returns how many records it applied, and a caller
    /// that applied more must not acknowledge the import (the updates handed over to an earlier
    /// activation are delivered by their groups, later).
    /// </summary>
    [Alias("CompleteAsync")]
    [ResponseTimeout("00:10:00")]
    Task<long> CompleteAsync();

    /// <summary>Ends the import (completing what it handed over, if the stream broke first): the activation goes away.</summary>
    [Alias("EndAsync")]
    [ResponseTimeout("00:10:00")]
    Task EndAsync();
}

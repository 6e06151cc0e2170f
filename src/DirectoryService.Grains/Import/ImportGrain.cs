using System.Collections.Immutable;
using DirectoryService.Abstractions.Common;
using DirectoryService.Abstractions.Import;
using DirectoryService.Grains.Common;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Placement;

namespace DirectoryService.Grains.Import;

/// <summary>
/// One import into one tenant, batch by batch: users, then groups, then memberships, each record
/// through the grains that own what it touches, so that every rule, cache invalidation and
/// "member of" update of the single-object API applies; the keys of the objects a batch creates are
/// bound first, many per storage write (<see cref="KeysAhead"/>), and the parts of a joined batch of
/// users are applied one after the other. Holds the batch being applied and a bounded cache of
/// external ids (<see cref="ExternalIdResolver"/>), whatever the import's size. Placed on the silo
/// whose gateway reads the stream.
/// </summary>
[GrainType(GrainTypes.Import)]
[PreferLocalPlacement]
public sealed class ImportGrain : Grain, IImportGrain
{
    private readonly ExternalIdResolver _resolver;
    private readonly UserImports _users;
    private readonly GroupImports _groups;
    private readonly MembershipImports _memberships;
    private readonly KeysAhead _keysAhead;
    private ImportCounts _counts = new();

    /// <summary>
    /// How long the activation is kept after each call, whatever the runtime's collection would do:
    /// only it knows which "member of" updates the groups handed over to the import, so one
    /// collected between two batches (a slow client, a forced collection, memory pressure) let the
    /// import answer <c>done</c> while they were still owed. The gateway ends it (<see cref="EndAsync"/>).
    /// </summary>
    public static readonly TimeSpan KeptFor = TimeSpan.FromHours(1);

    public ImportGrain(IGrainFactory grains, IServiceProvider services)
    {
        var tenantId = GrainKeys.Split(this.GetPrimaryKeyString()).TenantId;
        var stored = new StoredObjects(services.GetRequiredKeyedService<Orleans.Storage.IGrainStorage>(StorageNames.Directory), tenantId);
        _resolver = new ExternalIdResolver(grains, tenantId, stored);
        _users = new UserImports(grains, tenantId, _resolver);
        _groups = new GroupImports(grains, tenantId, _resolver);
        _memberships = new MembershipImports(grains, tenantId, this.GetPrimaryKeyString(), _resolver);
        _keysAhead = new KeysAhead(grains, tenantId, _resolver);
    }

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        DelayDeactivation(KeptFor);
        return base.OnActivateAsync(cancellationToken);
    }

    public async Task<ImmutableArray<string>> PlanAsync(ImportBatch batch)
    {
        DelayDeactivation(KeptFor);
        var keys = batch.Users.Select(u => (Kind: ObjectKind.User, u.Profile.ExternalId))
            .Concat(batch.Groups.Select(g => (Kind: ObjectKind.Group, g.Profile.ExternalId)))
            .Where(k => k.ExternalId.Length > 0).Distinct().ToList();
        var ends = batch.Memberships.SelectMany(m => new[] { (Kind: ObjectKind.Group, ExternalId: m.GroupExternalId), (Kind: m.MemberKind, ExternalId: m.MemberExternalId) })
            .Where(k => k.ExternalId.Length > 0).Distinct().Except(keys).ToList();
        // The managers are found with the rest (their stored states read with the batch's), not named as targets.
        var managers = batch.Users.Select(u => (Kind: ObjectKind.User, ExternalId: u.ManagerExternalId ?? ""))
            .Where(k => k.ExternalId.Length > 0).Distinct().Except(keys).Except(ends);
        var found = await _resolver.FindAllAsync([.. keys, .. ends, .. managers]);
        var targets = new string?[keys.Count + ends.Count];
        for (var i = 0; i < targets.Length; i++)
        {
            var (kind, externalId) = i < keys.Count ? keys[i] : ends[i - keys.Count];
            targets[i] = found[i] ?? (i < keys.Count ? _resolver.NewId(kind, externalId) : _resolver.PlannedId(kind, externalId));
        }

        return [.. targets.OfType<string>().Distinct(StringComparer.Ordinal)];
    }

    public async Task<ImportBatchOutcome> ApplyAsync(ImportBatch batch)
    {
        try
        {
            await _keysAhead.BindAsync(batch);
            var outcome = Outcome(batch, await RunAsync(batch, unchangedOnly: false));
            if (_memberships.ShouldFlush)
            {
                await _memberships.FlushAsync(CancellationToken.None);
            }

            return outcome;
        }
        finally
        {
            _resolver.EndBatch();
        }
    }

    public async Task<ImportBatchOutcome?> ApplyUnchangedAsync(ImportBatch batch)
    {
        List<(RecordResult Result, ObjectKind? Kind)> results;
        try
        {
            results = await RunAsync(batch, unchangedOnly: true);
        }
        catch (WouldChangeException)
        {
            // Nothing was written; the batch stays planned for ApplyAsync.
            return null;
        }

        if (results.Any(r => r.Result.Outcome != ImportOutcome.Unchanged))
        {
            return null;
        }

        _resolver.EndBatch();
        return Outcome(batch, results);
    }

    /// <summary>The batch's users, then its groups, then its memberships; the results in the records' order.</summary>
    private async Task<List<(RecordResult Result, ObjectKind? Kind)>> RunAsync(ImportBatch batch, bool unchangedOnly)
    {
        var users = new List<RecordResult>(batch.Users.Length);
        foreach (var part in batch.UsersByPart())
        {
            users.AddRange(await _users.ApplyAsync(part, unchangedOnly, CancellationToken.None));
        }

        var groups = await _groups.ApplyAsync(batch.Groups, unchangedOnly, CancellationToken.None);
        var memberships = await _memberships.ApplyAsync(batch.Memberships, unchangedOnly, CancellationToken.None);
        return [.. Tag(users, ObjectKind.User), .. Tag(groups, ObjectKind.Group), .. Tag(memberships, null)];
    }

    /// <summary>Counts the results per part of the batch, and into the import's counts.</summary>
    private ImportBatchOutcome Outcome(ImportBatch batch, List<(RecordResult Result, ObjectKind? Kind)> results)
    {
        var parts = Enumerable.Range(0, batch.PartCount).Select(_ => new List<(RecordResult, ObjectKind?)>()).ToList();
        for (var i = 0; i < results.Count; i++)
        {
            parts[batch.PartOf(i)].Add(results[i]);
        }

        ImmutableArray<ImportPartOutcome> outcomes = [.. parts.Select(p => new ImportPartOutcome(Counts(p), Rejections(p)))];
        _counts = outcomes.Aggregate(_counts, (sum, part) => sum + part.Counts);
        return new ImportBatchOutcome([.. outcomes.SelectMany(p => p.Rejections)], _counts, Changed(results), outcomes);
    }

    public async Task<long> CompleteAsync()
    {
        await _memberships.FlushAsync(CancellationToken.None);
        return _counts.Records;
    }

    public async Task EndAsync()
    {
        try
        {
            await _memberships.FlushAsync(CancellationToken.None);
        }
        finally
        {
            DeactivateOnIdle();
        }
    }

    private static IEnumerable<(RecordResult Result, ObjectKind? Kind)> Tag(IEnumerable<RecordResult> results, ObjectKind? kind) =>
        results.Select(r => (r, kind));

    /// <summary>The ids of the objects the records created or changed (a membership names its group and member).</summary>
    private static ImmutableArray<string> Changed(List<(RecordResult Result, ObjectKind? Kind)> results) =>
        [.. results.Where(r => r.Result.Outcome is ImportOutcome.Created or ImportOutcome.Updated)
            .SelectMany(r => new[] { r.Result.Group, r.Result.Id }).OfType<string>().Distinct(StringComparer.Ordinal)];

    private static ImmutableArray<ImportRejection> Rejections(List<(RecordResult Result, ObjectKind? Kind)> results) =>
        [.. results.Where(r => r.Result.Outcome == ImportOutcome.Rejected).Select(r => new ImportRejection(r.Result.Position, r.Kind, r.Result.Error!))];

    private static ImportCounts Counts(List<(RecordResult Result, ObjectKind? Kind)> results)
    {
        long Count(ImportOutcome outcome) => results.Count(r => r.Result.Outcome == outcome);
        return new ImportCounts(results.Count, Count(ImportOutcome.Created), Count(ImportOutcome.Updated), Count(ImportOutcome.Unchanged), Count(ImportOutcome.Rejected));
    }
}

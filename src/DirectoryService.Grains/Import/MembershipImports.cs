using System.Collections.Immutable;
using DirectoryService.Abstractions.Common;
using DirectoryService.Abstractions.Import;
using DirectoryService.Abstractions.Groups;
using DirectoryService.Abstractions.Membership;

namespace DirectoryService.Grains.Import;

/// <summary>
/// Applies the membership records of a batch. Both ends are resolved by external id; the users
/// joining one group go to that group's grain together (<c>ImportMembersAsync</c>: as few changes of
/// its member rows as its buckets allow), the batch's nested groups in one call to the tenant's
/// nesting grain, which rules out cycles in the records' order and writes different groups side by
/// side. Records are most efficient grouped by group.
/// The groups hand the "member of" updates of their users over to the import (<paramref name="importer"/>,
/// the import's key: a group keeps each import's handovers apart), which has each user
/// apply all its new groups in one write (<see cref="FlushAsync"/>) once enough have gathered and at
/// the end — instead of one write per membership, users of one storage partition side by side —
/// and confirms to the groups. Until a group is
/// confirmed it still owes the updates (stored with its members), so a crash or a concurrent change
/// loses nothing: the group delivers them itself. At most <see cref="MaxHandedOver"/> updates wait.
/// </summary>
public sealed class MembershipImports(IGrainFactory grains, string tenantId, string importer, ExternalIdResolver resolver)
{
    /// <summary>Most handed-over updates held before they are applied: about 30 MB (group ids are shared).</summary>
    public const int MaxHandedOver = 2_000_000;

    /// <summary>
    /// Longest an update waits for the import to apply it: far below the groups' own timeout, after
    /// which each would deliver its updates itself, all at once.
    /// </summary>
    public static readonly TimeSpan FlushAfter = TimeSpan.FromMinutes(2);

    /// <summary>When the oldest update now waiting was handed over.</summary>
    private DateTimeOffset? _oldest;

    /// <summary>Per user, the groups whose joining it still has to apply.</summary>
    private readonly Dictionary<string, List<string>> _owed = new(StringComparer.Ordinal);

    /// <summary>Per group, the numbers of its handovers now waiting (one per call that added members).</summary>
    private readonly Dictionary<string, HashSet<long>> _handovers = new(StringComparer.Ordinal);

    private int _handedOver;

    /// <summary>Whether enough updates wait that they should be applied now.</summary>
    public bool ShouldFlush => _handedOver >= MaxHandedOver || DateTimeOffset.UtcNow - _oldest >= FlushAfter;

    /// <summary>
    /// Has every user apply, in one write, the joinings handed over to the import, then confirms to
    /// each group those its users applied. A group's joining that a user finds no longer owed (the
    /// group delivered it itself, or the user left since) is skipped: the group's own delivery rules.
    /// </summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        if (_owed.Count == 0)
        {
            return;
        }

        // In id order: the users an import created together share a placement (the first digits of
        // their ids) and so a storage partition, so their writes are in flight together and go to
        // storage in shared transactions (group commit) instead of one request each.
        var owed = _owed.OrderBy(e => e.Key, StringComparer.Ordinal).ToList();
        var handovers = new Dictionary<string, HashSet<long>>(_handovers, StringComparer.Ordinal);
        (_handedOver, _oldest) = (0, null);
        _owed.Clear();
        _owed.TrimExcess();
        _handovers.Clear();
        var applied = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        await Parallel.ForEachAsync(owed, KeyedRecords.Options(KeyedRecords.Parallelism, cancellationToken), async (entry, _) =>
        {
            var (user, groups) = entry;
            var numbers = await RetriedAsync(() => grains.User(tenantId, user).ApplyOwedMemberOfAsync([.. groups]));
            for (var i = 0; i < groups.Count; i++)
            {
                if (handovers.TryGetValue(groups[i], out var held) && held.Contains(numbers[i]))
                {
                    (applied.TryGetValue(groups[i], out var users) ? users : applied[groups[i]] = []).Add(user);
                }
            }
        });
        await Parallel.ForEachAsync(applied, KeyedRecords.Options(GroupParallelism, cancellationToken), async (entry, _) =>
            await RetriedAsync(async () =>
            {
                await grains.Group(tenantId, entry.Key).DeliveredAsync([.. handovers[entry.Key]], [.. entry.Value]);
                return true;
            }));
    }

    /// <summary>
    /// The waits before each retry of a member's apply, or a group's confirmation, that failed for a
    /// transient reason (the call timed out, storage did not answer in time). A flush applies a whole
    /// import's updates at its end: one member's timeout failed the import there, and the client ran
    /// all of it again. Both calls are idempotent — a member asks its groups again — and the updates
    /// of a flush that fails after all stay owed by their groups, which deliver them themselves.
    /// </summary>
    public static readonly TimeSpan[] FlushRetries = [TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(9)];

    private static async Task<T> RetriedAsync<T>(Func<Task<T>> call)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await call();
            }
            catch (Exception e) when (attempt < FlushRetries.Length && Passing(e))
            {
                await Task.Delay(FlushRetries[attempt]);
            }
        }
    }

    /// <summary>Whether the failure, or one it wraps (Orleans wraps a storage provider's), is a timeout or storage that did not answer.</summary>
    private static bool Passing(Exception? e) => e is not null && (e is TimeoutException or StorageUnavailableException || Passing(e.InnerException));
    /// <summary>Most users given to one group in one call: a batch's worth, which a large group adds in as few bucket rewrites as it can.</summary>
    public const int UsersPerCall = 1000;

    private const int GroupParallelism = 32;

    private static readonly Func<ErrorField?, ErrorField?> Rename = field => field?.Name switch
    {
        DomainFields.Group => ImportFields.GroupExternalId,
        DomainFields.Member => ImportFields.MemberExternalId,
        _ => field,
    };

    /// <summary>
    /// Applies the records, returning their results in the records' order; with
    /// <paramref name="unchangedOnly"/>, only checks that every membership is there, and throws
    /// <see cref="WouldChangeException"/> if one is not (or the records nest groups).
    /// </summary>
    public async Task<RecordResult[]> ApplyAsync(IReadOnlyList<ImportedMembership> memberships, bool unchangedOnly, CancellationToken cancellationToken)
    {
        if (unchangedOnly && memberships.Any(m => m.MemberKind == ObjectKind.Group))
        {
            throw new WouldChangeException();
        }

        var results = new RecordResult?[memberships.Count];
        var ends = new (string Group, ObjectRef Member)[memberships.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, memberships.Count), KeyedRecords.Options(KeyedRecords.Parallelism, cancellationToken), async (i, _) =>
        {
            var resolved = await KeyedRecords.GuardAsync(memberships[i].Position, async () =>
            {
                ends[i] = await ResolveAsync(memberships[i]);
                return new RecordResult(memberships[i].Position, ImportOutcome.Unchanged);
            });
            if (resolved.Outcome == ImportOutcome.Rejected)
            {
                results[i] = resolved;
            }
        });

        var batch = new Resolved(memberships, ends);
        var resolved = Enumerable.Range(0, memberships.Count).Where(i => results[i] is null).ToList();
        // A group takes its users in the records' order, a call at a time; different groups side by side.
        var joining = resolved.Where(i => batch.Member(i).Kind == ObjectKind.User).GroupBy(i => ends[i].Group, StringComparer.Ordinal).ToList();
        var users = Parallel.ForEachAsync(joining, KeyedRecords.Options(GroupParallelism, cancellationToken), async (group, _) =>
        {
            foreach (var chunk in group.Chunk(UsersPerCall))
            {
                foreach (var (i, result) in unchangedOnly ? await PresentAsync(group.Key, chunk, batch) : await AddUsersAsync(group.Key, chunk, batch))
                {
                    results[i] = result;
                }
            }
        });
        var groups = NestAsync([.. resolved.Where(i => batch.Member(i).Kind == ObjectKind.Group)], batch, results);
        await Task.WhenAll(users, groups);

        return [.. results.Select(r => r!)];
    }

    private async Task<(string Group, ObjectRef Member)> ResolveAsync(ImportedMembership record)
    {
        var group = await FindAsync(ObjectKind.Group, record.GroupExternalId, ImportFields.GroupExternalId, "group");
        var member = await FindAsync(record.MemberKind, record.MemberExternalId, ImportFields.MemberExternalId, record.MemberKind == ObjectKind.User ? "user" : "group");
        return (group, new ObjectRef(member, record.MemberKind));
    }

    private async Task<string> FindAsync(ObjectKind kind, string externalId, string field, string what)
    {
        if (externalId.Length == 0)
        {
            throw DirectoryException.Invalid(field, "is required");
        }

        return await resolver.FindAsync(kind, externalId) ?? throw DirectoryException.NotFound(field, $"{what} with this external id");
    }

    /// <summary>The batch's nestings, in order, through the tenant's nesting grain (<see cref="INestingGrain.NestAsync"/>), in one call.</summary>
    private async Task NestAsync(List<int> nested, Resolved batch, RecordResult?[] results)
    {
        if (nested.Count == 0)
        {
            return;
        }

        var outcomes = await grains.GetGrain<INestingGrain>(tenantId).NestAsync([.. nested.Select(i => new Nesting(batch.Group(i), batch.Member(i).Id))]);
        for (var k = 0; k < nested.Count; k++)
        {
            var (i, outcome) = (nested[k], outcomes[k]);
            results[i] = outcome.Error is { } error
                ? KeyedRecords.Rejected(batch.Position(i), error, Rename)
                : new RecordResult(batch.Position(i), outcome.Added ? ImportOutcome.Created : ImportOutcome.Unchanged, batch.Member(i).Id, Group: batch.Group(i));
        }
    }

    /// <summary>The records' results if every user is a member of the group already; otherwise throws <see cref="WouldChangeException"/>.</summary>
    private async Task<IEnumerable<(int, RecordResult)>> PresentAsync(string groupId, int[] chunk, Resolved batch)
    {
        try
        {
            if (!await grains.Group(tenantId, groupId).HasMembersAsync([.. chunk.Select(batch.Member)], importer))
            {
                throw new WouldChangeException();
            }
        }
        catch (DirectoryException)
        {
            // The group is gone or deleted: the records are rejected, which the audited pass reports.
            throw new WouldChangeException();
        }

        return chunk.Select(i => (i, new RecordResult(batch.Position(i), ImportOutcome.Unchanged, batch.Member(i).Id, Group: groupId)));
    }

    private async Task<IEnumerable<(int, RecordResult)>> AddUsersAsync(string groupId, int[] chunk, Resolved batch)
    {
        MemberImport outcome;
        try
        {
            outcome = await grains.Group(tenantId, groupId).ImportMembersAsync([.. chunk.Select(batch.Member)], importer);
        }
        catch (DirectoryException e)
        {
            // The group itself is at fault (gone, deleted): every record naming it is.
            var error = new DirectoryException(e.Code, Rename(e.Field), e.Description);
            return chunk.Select(i => (i, RecordResult.Rejected(batch.Position(i), error)));
        }

        if (outcome.Handover is { } handover)
        {
            // Group ids are shared by every user they are owed to.
            (_handovers.TryGetValue(groupId, out var numbers) ? numbers : _handovers[groupId] = []).Add(handover);
            _oldest ??= DateTimeOffset.UtcNow;
            foreach (var user in outcome.HandedOver)
            {
                (_owed.TryGetValue(user, out var groups) ? groups : _owed[user] = []).Add(groupId);
                _handedOver++;
            }
        }

        var refused = outcome.Refused.ToDictionary(r => r.Index);
        var joined = outcome.Joined.ToHashSet(StringComparer.Ordinal);
        return chunk.Select((i, k) => (i, refused.TryGetValue(k, out var r)
            ? RecordResult.Rejected(batch.Position(i), new DirectoryException(r.Code, ImportFields.MemberExternalId, r.Description))
            : new RecordResult(batch.Position(i), joined.Remove(batch.Member(i).Id) ? ImportOutcome.Created : ImportOutcome.Unchanged, batch.Member(i).Id, Group: groupId)));
    }

    /// <summary>A batch's records with the ends they resolved to.</summary>
    private sealed record Resolved(IReadOnlyList<ImportedMembership> Records, (string Group, ObjectRef Member)[] Ends)
    {
        public long Position(int i) => Records[i].Position;

        public ObjectRef Member(int i) => Ends[i].Member;

        public string Group(int i) => Ends[i].Group;
    }
}

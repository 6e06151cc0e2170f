using System.Collections.Immutable;
using DirectoryService.Abstractions.Common;
using DirectoryService.Abstractions.Import;
using DirectoryService.Abstractions.Users;

namespace DirectoryService.Grains.Import;

/// <summary>
/// Applies the user records of a batch: each user, found by external id, is created or updated to
/// match its record (through its grain, so every rule of the single-object API holds), or left alone
/// when it matches. A record whose manager is another record of the same batch waits until that one
/// is applied; managers that name each other in a ring are created first and linked after.
/// </summary>
public sealed class UserImports(IGrainFactory grains, string tenantId, ExternalIdResolver resolver)
{
    /// <summary>The properties an import sets, by their domain names (update-mask paths).</summary>
    private static readonly (string Path, Func<UserProfile, object> Value)[] Imported =
    [
        ("userPrincipalName", p => p.UserPrincipalName), ("displayName", p => p.DisplayName), ("givenName", p => p.GivenName),
        ("surname", p => p.Surname), ("mail", p => p.Mail), ("department", p => p.Department), ("jobTitle", p => p.JobTitle),
        ("employeeId", p => p.EmployeeId), ("accountEnabled", p => p.AccountEnabled), ("managerId", p => p.ManagerId),
    ];

    /// <summary>
    /// Applies the records, returning their results in the records' order; with
    /// <paramref name="unchangedOnly"/>, throws <see cref="WouldChangeException"/> instead of creating or updating.
    /// </summary>
    public async Task<RecordResult[]> ApplyAsync(IReadOnlyList<ImportedUser> users, bool unchangedOnly, CancellationToken cancellationToken)
    {
        var results = new RecordResult[users.Count];
        var pending = Enumerable.Range(0, users.Count).ToList();
        while (pending.Count > 0)
        {
            var waiting = pending.Select(i => users[i].Profile.ExternalId).ToHashSet(StringComparer.Ordinal);
            var ready = Ready(users, pending, waiting);
            var ring = ready.Count == 0;
            if (ring)
            {
                // Managers that name each other in a ring: create or update them without the link first.
                var unlinked = await ApplyRoundAsync(users, pending, linkManager: false, unchangedOnly, cancellationToken);
                for (var k = 0; k < pending.Count; k++)
                {
                    results[pending[k]] = unlinked[k];
                }

                ready = [.. pending.Where(i => results[i].Outcome != ImportOutcome.Rejected)];
            }

            var round = await ApplyRoundAsync(users, ready, linkManager: true, unchangedOnly, cancellationToken);
            for (var k = 0; k < ready.Count; k++)
            {
                results[ready[k]] = ring ? Linked(results[ready[k]], round[k]) : round[k];
            }

            pending = ring ? [] : [.. pending.Except(ready)];
        }

        return results;
    }

    /// <summary>The pending records whose manager is not pending too; a record waits behind an earlier one of its key that waits.</summary>
    private static List<int> Ready(IReadOnlyList<ImportedUser> users, List<int> pending, HashSet<string> waiting)
    {
        var blocked = new HashSet<string>(StringComparer.Ordinal);
        var ready = new List<int>();
        foreach (var i in pending)
        {
            var key = users[i].Profile.ExternalId;
            if (blocked.Contains(key) || WaitsOnAnother(users[i], waiting))
            {
                blocked.Add(key);
            }
            else
            {
                ready.Add(i);
            }
        }

        return ready;
    }

    private static bool WaitsOnAnother(ImportedUser user, HashSet<string> waiting) =>
        user.ManagerExternalId is { Length: > 0 } manager && manager != user.Profile.ExternalId && waiting.Contains(manager);

    private Task<RecordResult[]> ApplyRoundAsync(IReadOnlyList<ImportedUser> users, List<int> indexes, bool linkManager, bool unchangedOnly, CancellationToken cancellationToken) =>
        KeyedRecords.ApplyAsync([.. indexes.Select(i => users[i])], u => u.Profile.ExternalId, u => ApplyOneAsync(u, linkManager, unchangedOnly), cancellationToken);

    /// <summary>A record of a ring, applied without its manager and then linked: created stays created.</summary>
    private static RecordResult Linked(RecordResult unlinked, RecordResult linked) => linked.Outcome switch
    {
        ImportOutcome.Rejected => linked,
        ImportOutcome.Unchanged => unlinked,
        _ => unlinked.Outcome == ImportOutcome.Created ? unlinked : linked,
    };

    private Task<RecordResult> ApplyOneAsync(ImportedUser record, bool linkManager, bool unchangedOnly) => KeyedRecords.GuardAsync(record.Position, async () =>
    {
        var externalId = record.Profile.ExternalId;
        if (externalId.Length == 0)
        {
            throw DirectoryException.Invalid(DomainFields.ExternalId, "is required: an import matches users on it");
        }

        var current = await resolver.LoadAsync(ObjectKind.User, externalId, async id =>
        {
            var view = await grains.User(tenantId, id).GetAsync(includeDeleted: true);
            return new Found<UserProfile>(view.Id, view.Profile, view.DeletedAt);
        }, unchangedOnly);
        if (unchangedOnly && current is not { DeletedAt: null })
        {
            throw new WouldChangeException();
        }

        if (current?.DeletedAt is not null)
        {
            throw DirectoryException.Precondition(DomainFields.ExternalId, "the user with this external id is soft-deleted; restore it before importing it");
        }

        var managerId = linkManager && record.ManagerExternalId is not null ? await ManagerAsync(record.ManagerExternalId, externalId) : current?.Profile.ManagerId ?? "";
        var desired = record.Profile with { ManagerId = managerId };
        if (current is null)
        {
            var created = await resolver.CreateAsync(ObjectKind.User, externalId, id => grains.User(tenantId, id).CreateAsync(desired));
            return new RecordResult(record.Position, ImportOutcome.Created, created.Id);
        }

        ImmutableArray<string> mask = [.. Imported.Where(f => !Equals(f.Value(current.Profile), f.Value(desired))).Select(f => f.Path)];
        if (mask.IsEmpty)
        {
            return new RecordResult(record.Position, ImportOutcome.Unchanged, current.Id);
        }

        if (unchangedOnly)
        {
            throw new WouldChangeException();
        }

        await grains.User(tenantId, current.Id).UpdateAsync(desired, mask, etag: null);
        return new RecordResult(record.Position, ImportOutcome.Updated, current.Id);
    }, field => field?.Name == DomainFields.Manager ? ImportFields.ManagerExternalId : field);

    private async Task<string> ManagerAsync(string managerExternalId, string externalId)
    {
        if (managerExternalId.Length == 0)
        {
            return "";
        }

        if (managerExternalId == externalId)
        {
            throw DirectoryException.Invalid(ImportFields.ManagerExternalId, "a user cannot be its own manager");
        }

        return await resolver.FindAsync(ObjectKind.User, managerExternalId)
            ?? throw DirectoryException.NotFound(ImportFields.ManagerExternalId, "user with this external id");
    }
}

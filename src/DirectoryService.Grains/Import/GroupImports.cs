using System.Collections.Immutable;
using DirectoryService.Abstractions.Common;
using DirectoryService.Abstractions.Import;
using DirectoryService.Abstractions.Groups;

namespace DirectoryService.Grains.Import;

/// <summary>
/// Applies the group records of a batch: each group, found by external id, is created or updated to
/// match its record through its grain, or left alone when it matches.
/// </summary>
public sealed class GroupImports(IGrainFactory grains, string tenantId, ExternalIdResolver resolver)
{
    /// <summary>The properties an import sets, by their domain names (update-mask paths).</summary>
    private static readonly (string Path, Func<GroupProfile, object> Value)[] Imported =
    [
        ("displayName", p => p.DisplayName), ("description", p => p.Description),
        ("mailNickname", p => p.MailNickname), ("securityEnabled", p => p.SecurityEnabled),
    ];

    /// <summary>
    /// Applies the records, returning their results in the records' order; with
    /// <paramref name="unchangedOnly"/>, throws <see cref="WouldChangeException"/> instead of creating or updating.
    /// </summary>
    public Task<RecordResult[]> ApplyAsync(IReadOnlyList<ImportedGroup> groups, bool unchangedOnly, CancellationToken cancellationToken) =>
        KeyedRecords.ApplyAsync(groups, g => g.Profile.ExternalId, g => ApplyOneAsync(g, unchangedOnly), cancellationToken);

    private Task<RecordResult> ApplyOneAsync(ImportedGroup record, bool unchangedOnly) => KeyedRecords.GuardAsync(record.Position, async () =>
    {
        var externalId = record.Profile.ExternalId;
        if (externalId.Length == 0)
        {
            throw DirectoryException.Invalid(DomainFields.ExternalId, "is required: an import matches groups on it");
        }

        var current = await resolver.LoadAsync(ObjectKind.Group, externalId, async id =>
        {
            var view = await grains.Group(tenantId, id).GetAsync(includeDeleted: true);
            return new Found<GroupProfile>(view.Id, view.Profile, view.DeletedAt);
        }, unchangedOnly);
        if (unchangedOnly && current is not { DeletedAt: null })
        {
            throw new WouldChangeException();
        }

        if (current?.DeletedAt is not null)
        {
            throw DirectoryException.Precondition(DomainFields.ExternalId, "the group with this external id is soft-deleted; restore it before importing it");
        }

        if (current is null)
        {
            var created = await resolver.CreateAsync(ObjectKind.Group, externalId, id => grains.Group(tenantId, id).CreateAsync(record.Profile));
            return new RecordResult(record.Position, ImportOutcome.Created, created.Id);
        }

        ImmutableArray<string> mask = [.. Imported.Where(f => !Equals(f.Value(current.Profile), f.Value(record.Profile))).Select(f => f.Path)];
        if (mask.IsEmpty)
        {
            return new RecordResult(record.Position, ImportOutcome.Unchanged, current.Id);
        }

        if (unchangedOnly)
        {
            throw new WouldChangeException();
        }

        await grains.Group(tenantId, current.Id).UpdateAsync(record.Profile, mask, etag: null);
        return new RecordResult(record.Position, ImportOutcome.Updated, current.Id);
    });
}

using DirectoryService.Abstractions.Common;
using DirectoryService.Abstractions.Import;

namespace DirectoryService.Grains.Import;

/// <summary>What became of one record.</summary>
public enum ImportOutcome
{
    Created,
    Updated,
    Unchanged,
    Rejected,
}

/// <summary>One record's outcome: the object it touched (for a membership, the member and its group), or why it was rejected.</summary>
public sealed record RecordResult(long Position, ImportOutcome Outcome, string? Id = null, DirectoryException? Error = null, string? Group = null)
{
    public static RecordResult Rejected(long position, DirectoryException error) => new(position, ImportOutcome.Rejected, Error: error);
}

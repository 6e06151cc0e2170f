using System.Collections.Immutable;

namespace DirectoryService.Abstractions.Groups;

/// <summary>The writable properties of a group.</summary>
[GenerateSerializer, Immutable, Alias("GroupProfile")]
public sealed record GroupProfile
{
    [Id(0)] public string DisplayName { get; init; } = "";
    [Id(1)] public string Description { get; init; } = "";
    [Id(2)] public string MailNickname { get; init; } = "";
    [Id(3)] public bool SecurityEnabled { get; init; }
    [Id(4)] public ImmutableArray<string> OwnerIds { get; init; } = [];

    /// <summary>The group's key in the system it came from; empty when unset. Unique among the tenant's groups when set.</summary>
    [Id(5)] public string ExternalId { get; init; } = "";
}

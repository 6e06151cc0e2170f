using System.Collections.Immutable;

namespace DirectoryService.Abstractions.Tenants;

/// <summary>The writable properties of a tenant.</summary>
[GenerateSerializer, Immutable, Alias("TenantSpec")]
public sealed record TenantSpec
{
    [Id(0)]
    public string DisplayName { get; init; } = "";

    [Id(1)]
    public ImmutableArray<string> VerifiedDomains { get; init; } = [];
}

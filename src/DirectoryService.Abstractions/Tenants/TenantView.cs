namespace DirectoryService.Abstractions.Tenants;

/// <summary>A tenant as read.</summary>
[GenerateSerializer, Immutable, Alias("TenantView")]
public sealed record TenantView(
    [property: Id(0)] string Id,
    [property: Id(1)] TenantSpec Spec,
    [property: Id(2)] DateTimeOffset CreatedAt,
    [property: Id(3)] string ETag);

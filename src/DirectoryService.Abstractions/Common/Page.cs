namespace DirectoryService.Abstractions.Common;

/// <summary>One page of a keyset-paged listing; <see cref="Next"/> is the key to continue after, or null at the end.</summary>
[GenerateSerializer, Immutable, Alias("Page`1")]
public sealed record Page<T>([property: Id(0)] IReadOnlyList<T> Items, [property: Id(1)] string? Next);

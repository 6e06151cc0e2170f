using System.Collections.Immutable;

namespace DirectoryService.Abstractions.Membership;

/// <summary>What a token issuer needs for one sign-in.</summary>
[GenerateSerializer, Immutable, Alias("SignInResolution")]
public sealed record SignInResolution(
    [property: Id(0)] string UserId,
    [property: Id(1)] bool AccountEnabled,
    [property: Id(2)] ImmutableArray<string> GroupIds,
    [property: Id(3)] bool GroupsOverage);

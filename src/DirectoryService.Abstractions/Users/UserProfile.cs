using System.Collections.Immutable;

namespace DirectoryService.Abstractions.Users;

/// <summary>The writable properties of a user.</summary>
[GenerateSerializer, Immutable, Alias("UserProfile")]
public sealed record UserProfile
{
    [Id(0)] public string UserPrincipalName { get; init; } = "";
    [Id(1)] public string DisplayName { get; init; } = "";
    [Id(2)] public string GivenName { get; init; } = "";
    [Id(3)] public string Surname { get; init; } = "";
    [Id(4)] public string Mail { get; init; } = "";
    [Id(5)] public string MailNickname { get; init; } = "";
    [Id(6)] public string Department { get; init; } = "";
    [Id(7)] public string JobTitle { get; init; } = "";
    [Id(8)] public string EmployeeId { get; init; } = "";
    [Id(9)] public bool AccountEnabled { get; init; } = true;
    [Id(10)] public ImmutableDictionary<string, string> ExtensionAttributes { get; init; } = ImmutableDictionary<string, string>.Empty;

    /// <summary>The user's key in the system it came from; empty when unset. Unique among the tenant's users when set.</summary>
    [Id(11)] public string ExternalId { get; init; } = "";

    /// <summary>The id of the user's manager, a live user of the tenant; empty for none.</summary>
    [Id(12)] public string ManagerId { get; init; } = "";
}

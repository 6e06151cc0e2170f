using DirectoryService.Abstractions.Groups;
using DirectoryService.Abstractions.Indexing;
using DirectoryService.Abstractions.Users;

namespace DirectoryService.Grains.Indexing;

/// <summary>The listing row of a user or group: what listings filter on, taken from its profile.</summary>
public static class ListingEntries
{
    public static UserIndexEntry Of(string id, UserProfile p, DateTimeOffset? deletedAt) =>
        new(id, p.UserPrincipalName, p.Mail, p.DisplayName, p.Department, p.AccountEnabled, deletedAt, p.ExternalId);

    public static GroupIndexEntry Of(string id, GroupProfile p, DateTimeOffset? deletedAt) =>
        new(id, p.DisplayName, p.MailNickname, p.SecurityEnabled, deletedAt, p.ExternalId);
}

using DirectoryService.Abstractions.Groups;
using DirectoryService.Grpc.V1;

namespace DirectoryService.Gateway.Groups;

/// <summary>Maps groups between the API and the grains.</summary>
public static class GroupMapping
{
    public static GroupProfile ToProfile(this Group group) => new()
    {
        DisplayName = group.DisplayName,
        Description = group.Description,
        MailNickname = group.MailNickname,
        SecurityEnabled = group.SecurityEnabled,
        OwnerIds = [.. group.OwnerIds],
        ExternalId = group.ExternalId,
    };

    public static Group ToProto(this GroupView view) => new()
    {
        Id = view.Id,
        DisplayName = view.Profile.DisplayName,
        Description = view.Profile.Description,
        MailNickname = view.Profile.MailNickname,
        SecurityEnabled = view.Profile.SecurityEnabled,
        CreateTime = Requests.Time(view.CreatedAt),
        Etag = view.ETag,
        OwnerIds = { view.Profile.OwnerIds },
        DeleteTime = Requests.Time(view.DeletedAt),
        PurgeTime = Requests.Time(view.PurgeAt),
        ExternalId = view.Profile.ExternalId,
        UpdateTime = Requests.Time(view.ModifiedAt),
    };
}

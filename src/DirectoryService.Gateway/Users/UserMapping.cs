using System.Collections.Immutable;
using DirectoryService.Abstractions.Users;
using DirectoryService.Grpc.V1;

namespace DirectoryService.Gateway.Users;

/// <summary>Maps users between the API and the grains.</summary>
public static class UserMapping
{
    /// <summary>The profile a request carries; <c>account_enabled</c> defaults to true when unset.</summary>
    public static UserProfile ToProfile(this User user) => new()
    {
        UserPrincipalName = user.UserPrincipalName,
        DisplayName = user.DisplayName,
        GivenName = user.GivenName,
        Surname = user.Surname,
        Mail = user.Mail,
        MailNickname = user.MailNickname,
        Department = user.Department,
        JobTitle = user.JobTitle,
        EmployeeId = user.EmployeeId,
        AccountEnabled = !user.HasAccountEnabled || user.AccountEnabled,
        ExternalId = user.ExternalId,
        ManagerId = user.ManagerId,
        ExtensionAttributes = user.ExtensionAttributes.ToImmutableDictionary(),
    };

    public static User ToProto(this UserView view)
    {
        var p = view.Profile;
        return new User
        {
            Id = view.Id,
            UserPrincipalName = p.UserPrincipalName,
            DisplayName = p.DisplayName,
            GivenName = p.GivenName,
            Surname = p.Surname,
            Mail = p.Mail,
            MailNickname = p.MailNickname,
            Department = p.Department,
            JobTitle = p.JobTitle,
            EmployeeId = p.EmployeeId,
            AccountEnabled = p.AccountEnabled,
            CreateTime = Requests.Time(view.CreatedAt),
            Etag = view.ETag,
            ExtensionAttributes = { p.ExtensionAttributes },
            DeleteTime = Requests.Time(view.DeletedAt),
            PurgeTime = Requests.Time(view.PurgeAt),
            ExternalId = p.ExternalId,
            ManagerId = p.ManagerId,
            UpdateTime = Requests.Time(view.ModifiedAt),
        };
    }
}

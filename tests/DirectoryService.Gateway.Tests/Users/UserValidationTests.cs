using DirectoryService.Gateway.Tests.Infrastructure;
using DirectoryService.Grpc.V1;
using Grpc.Core;

namespace DirectoryService.Gateway.Tests.Users;

/// <summary>Every user validation rule: INVALID_ARGUMENT naming the field, and nothing created.</summary>
[Collection(SiloCollection.Name)]
public sealed class UserValidationTests(SiloFixture silo)
{
    private static readonly string Long = new('x', 257);

    public static TheoryData<string, Action<User, string>> Cases => new()
    {
        { "user.user_principal_name", (u, _) => u.UserPrincipalName = "" },
        { "user.user_principal_name", (u, _) => u.UserPrincipalName = "no-at-sign" },
        { "user.user_principal_name", (u, d) => u.UserPrincipalName = "a@b@" + d },
        { "user.user_principal_name", (u, d) => u.UserPrincipalName = ".dot@" + d },
        { "user.user_principal_name", (u, d) => u.UserPrincipalName = "two..dots@" + d },
        { "user.user_principal_name", (u, d) => u.UserPrincipalName = "sp ace@" + d },
        { "user.user_principal_name", (u, d) => u.UserPrincipalName = new string('a', 65) + "@" + d },
        { "user.user_principal_name", (u, _) => u.UserPrincipalName = "someone@unverified.example.org" },
        { "user.user_principal_name", (u, d) => u.UserPrincipalName = new string('a', 60) + "@" + new string('b', 200) + "." + d },
        { "user.display_name", (u, _) => u.DisplayName = "" },
        { "user.display_name", (u, _) => u.DisplayName = "   " },
        { "user.display_name", (u, _) => u.DisplayName = Long },
        { "user.display_name", (u, _) => u.DisplayName = "bell\u0007" },
        { "user.given_name", (u, _) => u.GivenName = Long },
        { "user.surname", (u, _) => u.Surname = Long },
        { "user.mail", (u, _) => u.Mail = Long },
        { "user.mail", (u, _) => u.Mail = "not-an-address" },
        { "user.mail_nickname", (u, _) => u.MailNickname = Long },
        { "user.department", (u, _) => u.Department = Long },
        { "user.job_title", (u, _) => u.JobTitle = Long },
        { "user.employee_id", (u, _) => u.EmployeeId = Long },
        { "user.extension_attributes", (u, _) => u.ExtensionAttributes.Add("bad key!", "v") },
        { "user.extension_attributes", (u, _) => u.ExtensionAttributes.Add(new string('k', 65), "v") },
        { "user.extension_attributes[k]", (u, _) => u.ExtensionAttributes.Add("k", Long) },
        {
            "user.extension_attributes", (u, _) =>
            {
                for (var i = 0; i < 101; i++)
                {
                    u.ExtensionAttributes.Add("k" + i, "v");
                }
            }
        },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task CreateUser_RejectsInvalidField_AndCreatesNothing(string field, Action<User, string> breakIt)
    {
        var t = await silo.NewTenantAsync();
        var user = new User { UserPrincipalName = t.Upn("valid"), DisplayName = "Valid" };
        breakIt(user, t.Domain);

        await RpcAssert.Fails(StatusCode.InvalidArgument, field, () => t.Users.CreateUserAsync(new CreateUserRequest { User = user }));

        var list = await t.Users.ListUsersAsync(new ListUsersRequest());
        Assert.Empty(list.Users);
        await RpcAssert.Fails(StatusCode.NotFound, null, () => t.Users.GetUserAsync(new GetUserRequest { UserPrincipalName = t.Upn("valid") }));
    }

    [Fact]
    public async Task CreateUser_AcceptsLimitValues()
    {
        var t = await silo.NewTenantAsync();
        var user = new User
        {
            UserPrincipalName = "o'neil_x!#^~-.y@" + t.Domain.ToUpperInvariant(),
            DisplayName = new string('d', 256),
        };
        for (var i = 0; i < 100; i++)
        {
            user.ExtensionAttributes.Add("k" + i, new string('v', 256));
        }

        var created = await t.Users.CreateUserAsync(new CreateUserRequest { User = user });
        Assert.Equal(100, created.ExtensionAttributes.Count);
    }

    [Fact]
    public async Task CreateUser_RequiresTheUserMessage()
    {
        var t = await silo.NewTenantAsync();
        await RpcAssert.Fails(StatusCode.InvalidArgument, "user", () => t.Users.CreateUserAsync(new CreateUserRequest()));
    }

    [Fact]
    public async Task UpdateUser_RejectsInvalidValue_AndChangesNothing()
    {
        var t = await silo.NewTenantAsync();
        var user = await t.CreateUserAsync();
        await RpcAssert.Fails(StatusCode.InvalidArgument, "user.display_name", () => t.Users.UpdateUserAsync(new UpdateUserRequest
        {
            User = new User { Id = user.Id, DisplayName = "" },
            UpdateMask = new() { Paths = { "display_name" } },
        }));
        await RpcAssert.Fails(StatusCode.InvalidArgument, "user.user_principal_name", () => t.Users.UpdateUserAsync(new UpdateUserRequest
        {
            User = new User { Id = user.Id, UserPrincipalName = "x@elsewhere.example.org" },
            UpdateMask = new() { Paths = { "user_principal_name" } },
        }));
        Assert.Equal(user, await t.Users.GetUserAsync(new GetUserRequest { Id = user.Id }));
    }
}

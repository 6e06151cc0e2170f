using System.Collections.Immutable;
using DirectoryService.Abstractions.Common;
using DirectoryService.Abstractions.Users;
using DirectoryService.Grains.Users;

namespace DirectoryService.Grains.Tests.Users;

public sealed class UserRulesTests
{
    private static readonly string[] Domains = ["contoso.com"];

    [Theory]
    [InlineData("alice@contoso.com")]
    [InlineData("ALICE@CONTOSO.COM")]
    [InlineData("o'neil.x_y-z!#^~@contoso.com")]
    public void Validate_AcceptsWellFormedNames(string upn) =>
        UserPrincipalName.Validate(upn, "f", Domains);

    [Theory]
    [InlineData("")]
    [InlineData("alice")]
    [InlineData("@contoso.com")]
    [InlineData("alice@")]
    [InlineData("a@b@contoso.com")]
    [InlineData(".alice@contoso.com")]
    [InlineData("alice.@contoso.com")]
    [InlineData("al..ice@contoso.com")]
    [InlineData("al ice@contoso.com")]
    [InlineData("alice@fabrikam.com")]
    public void Validate_RejectsMalformedNames_NamingTheField(string upn)
    {
        var error = Assert.Throws<DirectoryException>(() => UserPrincipalName.Validate(upn, DomainFields.UserPrincipalName, Domains));
        Assert.Equal(DirectoryErrorCode.InvalidArgument, error.Code);
        Assert.Equal(new ErrorField(DomainFields.UserPrincipalName), error.Field);
    }

    [Fact]
    public void Key_IgnoresCase() =>
        Assert.Equal(UserPrincipalName.Key("Alice@Contoso.COM"), UserPrincipalName.Key("alice@contoso.com"));

    [Fact]
    public void Apply_TakesOnlyMaskedFields()
    {
        var current = new UserProfile { UserPrincipalName = "a@contoso.com", DisplayName = "A", Department = "Sales", AccountEnabled = true };
        var changes = new UserProfile { DisplayName = "B", Department = "R&D", AccountEnabled = false };

        var updated = UserProfileRules.Apply(current, changes, ["department", "accountEnabled"]);

        Assert.Equal(current with { Department = "R&D", AccountEnabled = false }, updated);
    }

    [Fact]
    public void Apply_ExtensionKeyPaths_SetAndRemoveSingleKeys()
    {
        var current = new UserProfile { ExtensionAttributes = ImmutableDictionary<string, string>.Empty.Add("a", "1").Add("b", "2") };
        var changes = new UserProfile { ExtensionAttributes = ImmutableDictionary<string, string>.Empty.Add("c", "3").Add("b", "x") };

        var updated = UserProfileRules.Apply(current, changes, ["extensionAttributes.c", "extensionAttributes.a"]);

        Assert.Equal(new Dictionary<string, string> { ["b"] = "2", ["c"] = "3" }, updated.ExtensionAttributes);
    }

    [Theory]
    [InlineData]
    [InlineData("unknown")]
    [InlineData("extensionAttributes.")]
    [InlineData("job_title")]
    public void Apply_RejectsEmptyOrUnknownMasks(params string[] mask)
    {
        var error = Assert.Throws<DirectoryException>(() => UserProfileRules.Apply(new UserProfile(), new UserProfile(), [.. mask]));
        Assert.Equal(new ErrorField(DomainFields.UpdateMask), error.Field);
    }
}

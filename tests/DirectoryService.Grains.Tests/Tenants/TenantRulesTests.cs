using DirectoryService.Abstractions.Common;
using DirectoryService.Abstractions.Tenants;
using DirectoryService.Grains.Tenants;

namespace DirectoryService.Grains.Tests.Tenants;

public sealed class TenantRulesTests
{
    [Fact]
    public void Normalize_LowerCasesAndDeduplicatesDomains()
    {
        var spec = TenantRules.Normalize(new TenantSpec { DisplayName = "C", VerifiedDomains = ["Contoso.com", "contoso.COM", "eu.contoso.com"] });
        Assert.Equal(new[] { "contoso.com", "eu.contoso.com" }, spec.VerifiedDomains.ToArray());
    }

    [Theory]
    [InlineData("localhost")]
    [InlineData("-bad.com")]
    [InlineData("bad-.com")]
    [InlineData("sp ace.com")]
    [InlineData("contoso.123")]
    public void Normalize_RejectsNonDomains(string domain)
    {
        var error = Assert.Throws<DirectoryException>(() => TenantRules.Normalize(new TenantSpec { DisplayName = "C", VerifiedDomains = [domain] }));
        Assert.Equal(new ErrorField(DomainFields.VerifiedDomains, 0), error.Field);
    }

    [Fact]
    public void Normalize_LimitsDomainCount()
    {
        var domains = Enumerable.Range(0, Limits.MaxVerifiedDomains + 1).Select(i => $"d{i}.example.com");
        var error = Assert.Throws<DirectoryException>(() => TenantRules.Normalize(new TenantSpec { DisplayName = "C", VerifiedDomains = [.. domains] }));
        Assert.Equal(new ErrorField(DomainFields.VerifiedDomains), error.Field);
    }
}

using DirectoryService.Gateway.Tokens;

namespace DirectoryService.Gateway.Tests.Tokens;

/// <summary>A silo starts only with token keys it can trust, and names the setting otherwise.</summary>
public sealed class TokenOptionsTests
{
    private static readonly string Strong = Convert.ToBase64String(new byte[32]);

    [Fact]
    public void NoKey_IsAProblemNamingTheSettings() =>
        Assert.Contains(new TokenOptions().Problems(), p => p.Contains("Directory:Tokens:Keys", StringComparison.Ordinal));

    [Theory]
    [InlineData("not base64!")]
    [InlineData("c2hvcnQ=")]
    public void AWeakOrMalformedKey_IsAProblemNamingIt(string key) =>
        Assert.Equal(["Directory:Tokens:Keys:1 must be base64 of at least 32 bytes"], new TokenOptions { Keys = [Strong, key] }.Problems());

    [Fact]
    public void ADevelopmentKeyFile_IsCreatedOnce_AndSharedByWhoeverReadsIt()
    {
        var path = Path.Combine(Path.GetTempPath(), $"token-key-{Guid.NewGuid():N}");
        try
        {
            var first = new TokenOptions { DevelopmentKeyFile = path }.Load();
            var second = new TokenOptions { Keys = [Strong], DevelopmentKeyFile = path }.Load();
            Assert.Equal(32, first[0].Length);
            Assert.Equal(first[0], second[1]);
        }
        finally
        {
            File.Delete(path);
        }
    }
}

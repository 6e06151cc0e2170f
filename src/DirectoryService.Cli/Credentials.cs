using DirectoryService.Security;

namespace DirectoryService.Cli;

/// <summary>The bearer token of each call: given as is, or minted with a local development key.</summary>
public sealed class Credentials(string? token, string? devKeyFile)
{
    private readonly Lazy<DevelopmentSigningKey?> _key = new(() =>
        string.IsNullOrEmpty(devKeyFile) || !File.Exists(devKeyFile) ? null : DevelopmentSigningKey.LoadOrCreate(devKeyFile));

    public string? ForOperator() => token ?? _key.Value?.Mint(null, [Permissions.Operator]);

    public string? ForTenant(string tenant) => token ?? _key.Value?.Mint(tenant, [Permissions.DirectoryReadWrite]);

    public string Mint(string? tenant, IEnumerable<string> roles) =>
        (_key.Value ?? throw new UsageException("minting a token needs --dev-key FILE (or DIRECTORY_DEV_KEY)")).Mint(tenant, roles);
}

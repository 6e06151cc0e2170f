namespace DirectoryService.Gateway.Security;

/// <summary>Token validation settings (section <c>Directory:Auth</c>). Authentication is always on.</summary>
public sealed class AuthOptions
{
    public const string Section = "Directory:Auth";

    /// <summary>OpenID Connect authority whose metadata document supplies issuer and signing keys.</summary>
    public string Authority { get; set; } = "";

    /// <summary>Accepted token issuers (<c>iss</c>); taken from the authority's metadata when empty.</summary>
    public List<string> Issuers { get; set; } = [];

    /// <summary>This API's identifier, which tokens must name in <c>aud</c>.</summary>
    public string Audience { get; set; } = "";

    /// <summary>Trusted public signing keys: PEM text, or paths of PEM files.</summary>
    public List<string> SigningKeys { get; set; } = [];

    /// <summary>
    /// Local development only: a private-key file (created if missing) whose public half is trusted
    /// and with which dirctl and the load generator mint tokens. Adds the development issuer.
    /// </summary>
    public string DevelopmentSigningKeyFile { get; set; } = "";

    public IEnumerable<string> Problems()
    {
        if (string.IsNullOrWhiteSpace(Audience))
        {
            yield return "Directory:Auth:Audience is required";
        }

        var hasKeys = SigningKeys.Count > 0 || !string.IsNullOrWhiteSpace(DevelopmentSigningKeyFile);
        if (string.IsNullOrWhiteSpace(Authority) && !hasKeys)
        {
            yield return "set Directory:Auth:Authority (OpenID Connect) or Directory:Auth:SigningKeys (or, for local development, Directory:Auth:DevelopmentSigningKeyFile)";
        }

        if (string.IsNullOrWhiteSpace(Authority) && SigningKeys.Count > 0 && Issuers.Count == 0)
        {
            yield return "Directory:Auth:Issuers is required with Directory:Auth:SigningKeys";
        }
    }
}

using System.Security.Cryptography;
using DirectoryService.Security;
using Microsoft.Extensions.Options;

namespace DirectoryService.Gateway.Tokens;

/// <summary>
/// The keys that integrity-protect the opaque tokens the service hands out (page tokens), section
/// <c>Directory:Tokens</c>. Every silo of a deployment must hold the same keys, so a token issued
/// by one silo is accepted by all. The first key signs; every key verifies, so a key is rotated by
/// putting the new one first and removing the old one once its tokens have expired.
/// </summary>
public sealed class TokenOptions
{
    public const string Section = "Directory:Tokens";

    /// <summary>Shortest accepted key: 256 bits, the strength of HMAC-SHA256.</summary>
    public const int MinKeyBytes = 32;

    /// <summary>Base64 keys of at least 32 random bytes, e.g. <c>openssl rand -base64 32</c>.</summary>
    public List<string> Keys { get; set; } = [];

    /// <summary>Local development only: a file holding one key, created if missing (silos sharing the file agree).</summary>
    public string DevelopmentKeyFile { get; set; } = "";

    public IEnumerable<string> Problems()
    {
        if (Keys.Count == 0 && string.IsNullOrWhiteSpace(DevelopmentKeyFile))
        {
            yield return "set Directory:Tokens:Keys (base64 keys of at least 32 random bytes, the same on every silo) or, for local development, Directory:Tokens:DevelopmentKeyFile";
        }

        for (var i = 0; i < Keys.Count; i++)
        {
            if (Decode(Keys[i]) is not { Length: >= MinKeyBytes })
            {
                yield return $"Directory:Tokens:Keys:{i} must be base64 of at least {MinKeyBytes} bytes";
            }
        }
    }

    /// <summary>The keys in order (signing key first), the development key last.</summary>
    public byte[][] Load()
    {
        var keys = Keys.Select(k => Decode(k)!).ToList();
        if (!string.IsNullOrWhiteSpace(DevelopmentKeyFile))
        {
            keys.Add(Convert.FromBase64String(DevelopmentSecretFile.ReadOrCreate(DevelopmentKeyFile, () => Convert.ToBase64String(RandomNumberGenerator.GetBytes(MinKeyBytes))).Trim()));
        }

        return [.. keys];
    }

    private static byte[]? Decode(string key)
    {
        try
        {
            return Convert.FromBase64String(key.Trim());
        }
        catch (FormatException)
        {
            return null;
        }
    }
}

/// <summary>Refuses to start with missing or weak token keys, naming the setting.</summary>
public sealed class TokenOptionsValidator : IValidateOptions<TokenOptions>
{
    public ValidateOptionsResult Validate(string? name, TokenOptions options)
    {
        var problems = options.Problems().ToList();
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}

using System.Buffers.Text;
using System.Security.Cryptography;

namespace DirectoryService.Gateway.Tokens;

/// <summary>
/// Seals the tokens the service issues (page tokens, delta tokens): a version byte, the payload,
/// and a MAC (HMAC-SHA256 with the deployment's keys, <see cref="TokenOptions"/>, truncated to 16
/// bytes) over what the token is bound to and the payload, in URL-safe base64. Opening checks the
/// MAC against every configured key (so keys can rotate) before the payload is looked at.
/// </summary>
public sealed class TokenSeal(byte[][] keys, byte version)
{
    private const int MacBytes = 16;

    public string Seal(ReadOnlySpan<byte> binding, ReadOnlySpan<byte> payload)
    {
        var token = new byte[1 + payload.Length + MacBytes];
        token[0] = version;
        payload.CopyTo(token.AsSpan(1));
        Mac(keys[0], binding, token.AsSpan(0, 1 + payload.Length), token.AsSpan(1 + payload.Length));
        return Base64Url.EncodeToString(token);
    }

    /// <summary>The payload of a token sealed for <paramref name="binding"/>, or null for anything else.</summary>
    public byte[]? Open(string text, ReadOnlySpan<byte> binding)
    {
        byte[] token;
        try
        {
            token = Base64Url.DecodeFromChars(text);
        }
        catch (FormatException)
        {
            return null;
        }

        if (token.Length <= 1 + MacBytes || token[0] != version)
        {
            return null;
        }

        var signed = token.AsSpan(0, token.Length - MacBytes);
        var mac = token.AsSpan(token.Length - MacBytes);
        Span<byte> expected = stackalloc byte[MacBytes];
        foreach (var key in keys)
        {
            Mac(key, binding, signed, expected);
            if (CryptographicOperations.FixedTimeEquals(expected, mac))
            {
                return signed[1..].ToArray();
            }
        }

        return null;
    }

    private static void Mac(byte[] key, ReadOnlySpan<byte> binding, ReadOnlySpan<byte> signed, Span<byte> destination)
    {
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, key);
        hmac.AppendData(binding);
        hmac.AppendData(signed);
        Span<byte> full = stackalloc byte[32];
        hmac.GetHashAndReset(full);
        full[..MacBytes].CopyTo(destination);
    }
}

using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using DirectoryService.Abstractions.Common;
using DirectoryService.Gateway.Tokens;
using DirectoryService.Security;
using Grpc.Core;
using Microsoft.Extensions.Options;

namespace DirectoryService.Gateway.Paging;

/// <summary>
/// Issues and checks page tokens. A token is opaque: the cursor where the next page starts, and a
/// MAC (HMAC-SHA256 with a deployment key, <see cref="TokenOptions"/>) over the cursor and what the
/// token is bound to — the caller's tenant, the method and the canonical text of its filters. Any
/// other token (changed by one character, issued in another tenant or for another listing or
/// filters, or made up) is refused with INVALID_ARGUMENT naming <c>page_token</c>, before its cursor
/// is used, so no token value can reach the listing code.
/// </summary>
public sealed class PageTokens
{
    private const byte Version = 2;
    private const int MacBytes = 16;
    private static readonly ErrorField Field = ErrorField.Request("page_token");

    private readonly byte[][] _keys;

    public PageTokens(IOptions<TokenOptions> options)
    {
        _keys = options.Value.Load();
    }

    /// <summary>Validates page_size and page_token of a listing; <paramref name="query"/> is the canonical text of its filters.</summary>
    public PageRequest Read(ServerCallContext context, int pageSize, string pageToken, string query = "")
    {
        if (pageSize < 0 || pageSize > Limits.MaxPageSize)
        {
            throw DirectoryException.Invalid(ErrorField.Request("page_size"), $"must be between 1 and {Limits.MaxPageSize} (0 means {Limits.DefaultPageSize}), got {pageSize}");
        }

        var size = pageSize == 0 ? Limits.DefaultPageSize : pageSize;
        return new PageRequest(size, string.IsNullOrEmpty(pageToken) ? null : Open(pageToken, Binding(context, query)));
    }

    /// <summary>The token for the page after the one ending at <paramref name="next"/>; empty at the end.</summary>
    public string Issue(ServerCallContext context, string? next, string query = "")
    {
        if (next is null)
        {
            return "";
        }

        var cursor = Encoding.UTF8.GetBytes(next);
        var token = new byte[1 + cursor.Length + MacBytes];
        token[0] = Version;
        cursor.CopyTo(token, 1);
        Mac(_keys[0], Binding(context, query), token.AsSpan(0, 1 + cursor.Length), token.AsSpan(1 + cursor.Length));
        return Base64Url.EncodeToString(token);
    }

    private string Open(string pageToken, byte[] binding)
    {
        byte[] token;
        try
        {
            token = Base64Url.DecodeFromChars(pageToken);
        }
        catch (FormatException)
        {
            throw Refused();
        }

        if (token.Length <= 1 + MacBytes || token[0] != Version)
        {
            throw Refused();
        }

        var signed = token.AsSpan(0, token.Length - MacBytes);
        var mac = token.AsSpan(token.Length - MacBytes);
        Span<byte> expected = stackalloc byte[MacBytes];
        foreach (var key in _keys)
        {
            Mac(key, binding, signed, expected);
            if (CryptographicOperations.FixedTimeEquals(expected, mac))
            {
                return Encoding.UTF8.GetString(signed[1..]);
            }
        }

        throw Refused();
    }

    private static DirectoryException Refused() => DirectoryException.Invalid(Field,
        "is not a token this service issued for this listing: page with the token of the previous page, in the same tenant, keeping the filters unchanged (or start again without a token)");

    /// <summary>What a token is bound to: its tenant (empty for operators), method and filters.</summary>
    private static byte[] Binding(ServerCallContext context, string query) =>
        Encoding.UTF8.GetBytes($"page\n{context.GetHttpContext().User.FindFirst(DirectoryClaims.Tenant)?.Value}\n{context.Method}\n{query}\n");

    private static void Mac(byte[] key, byte[] binding, ReadOnlySpan<byte> signed, Span<byte> destination)
    {
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, key);
        hmac.AppendData(binding);
        hmac.AppendData(signed);
        Span<byte> full = stackalloc byte[32];
        hmac.GetHashAndReset(full);
        full[..MacBytes].CopyTo(destination);
    }
}

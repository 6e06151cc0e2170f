using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using DirectoryService.Abstractions.Common;

namespace DirectoryService.Gateway.Paging;

/// <summary>
/// A validated page request: the size and the key to continue after. Page tokens are opaque to
/// clients and bound to the query they came from, so a token reused with other filters is refused.
/// </summary>
public readonly record struct PageRequest(int Size, string? After)
{
    private const string Version = "1";

    /// <summary>Validates page_size and page_token; <paramref name="query"/> is the canonical text of the filters.</summary>
    public static PageRequest From(int pageSize, string pageToken, string query = "")
    {
        if (pageSize < 0 || pageSize > Limits.MaxPageSize)
        {
            throw DirectoryException.Invalid(ErrorField.Request("page_size"), $"must be between 1 and {Limits.MaxPageSize} (0 means {Limits.DefaultPageSize}), got {pageSize}");
        }

        var size = pageSize == 0 ? Limits.DefaultPageSize : pageSize;
        return new PageRequest(size, string.IsNullOrEmpty(pageToken) ? null : Decode(pageToken, query));
    }

    /// <summary>The token for the page after the one ending at <paramref name="next"/>; empty at the end.</summary>
    public static string TokenFor(string? next, string query = "") =>
        next is null ? "" : Base64Url.EncodeToString(Encoding.UTF8.GetBytes($"{Version}\n{Fingerprint(query)}\n{next}"));

    private static string Decode(string token, string query)
    {
        string[] parts;
        try
        {
            parts = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(token)).Split('\n', 3);
        }
        catch (FormatException)
        {
            throw DirectoryException.Invalid(ErrorField.Request("page_token"), "is not a token this service issued");
        }

        if (parts.Length != 3 || parts[0] != Version || parts[2].Length == 0)
        {
            throw DirectoryException.Invalid(ErrorField.Request("page_token"), "is not a token this service issued");
        }

        if (parts[1] != Fingerprint(query))
        {
            throw DirectoryException.Invalid(ErrorField.Request("page_token"), "was issued for a request with other filters; keep the filters unchanged while paging");
        }

        return parts[2];
    }

    private static string Fingerprint(string query) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(query)).AsSpan(0, 8));
}

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
    private static readonly ErrorField Field = ErrorField.Request("page_token");

    private readonly TokenSeal _seal;

    public PageTokens(IOptions<TokenOptions> options)
    {
        _seal = new TokenSeal(options.Value.Load(), Version);
    }

    /// <summary>Validates page_size and page_token of a listing; <paramref name="query"/> is the canonical text of its filters.</summary>
    public PageRequest Read(ServerCallContext context, int pageSize, string pageToken, string query = "")
    {
        var size = PageSize(pageSize, "page_size");
        return new PageRequest(size, string.IsNullOrEmpty(pageToken) ? null : Open(pageToken, Binding(context, query)));
    }

    /// <summary>A page size as requested: 1..999, 0 meaning the default; INVALID_ARGUMENT naming <paramref name="field"/> otherwise.</summary>
    public static int PageSize(int pageSize, string field) =>
        pageSize < 0 || pageSize > Limits.MaxPageSize
            ? throw DirectoryException.Invalid(ErrorField.Request(field), $"must be between 1 and {Limits.MaxPageSize} (0 means {Limits.DefaultPageSize}), got {pageSize}")
            : pageSize == 0 ? Limits.DefaultPageSize : pageSize;

    /// <summary>The token for the page after the one ending at <paramref name="next"/>; empty at the end.</summary>
    public string Issue(ServerCallContext context, string? next, string query = "") =>
        next is null ? "" : _seal.Seal(Binding(context, query), Encoding.UTF8.GetBytes(next));

    private string Open(string pageToken, byte[] binding) =>
        _seal.Open(pageToken, binding) is { } cursor ? Encoding.UTF8.GetString(cursor) : throw Refused();

    private static DirectoryException Refused() => DirectoryException.Invalid(Field,
        "is not a token this service issued for this listing: page with the token of the previous page, in the same tenant, keeping the filters unchanged (or start again without a token)");

    /// <summary>What a token is bound to: its tenant (empty for operators), method and filters.</summary>
    private static byte[] Binding(ServerCallContext context, string query) =>
        Encoding.UTF8.GetBytes($"page\n{context.GetHttpContext().User.FindFirst(DirectoryClaims.Tenant)?.Value}\n{context.Method}\n{query}\n");
}

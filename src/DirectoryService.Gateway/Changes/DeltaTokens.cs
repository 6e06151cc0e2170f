using System.Security.Cryptography;
using System.Text;
using DirectoryService.Abstractions.Changes;
using DirectoryService.Abstractions.Common;
using DirectoryService.Gateway.Tokens;
using Microsoft.Extensions.Options;

namespace DirectoryService.Gateway.Changes;

/// <summary>
/// Issues and opens delta tokens: a <see cref="ChangeCursor"/> with the tenant (as a hash) and the
/// kind it belongs to, sealed with the deployment's token keys (<see cref="TokenSeal"/>). A token
/// that does not open is not ours (INVALID_ARGUMENT naming the field); one that opens but belongs
/// to another tenant or kind, or to another layout of the feed, is ours but unusable here
/// (FAILED_PRECONDITION with the reason a client acts on: start again). Its age is judged where the
/// changes are read, by directory time (<see cref="ChangeFeeds.Expired"/>).
/// </summary>
public sealed class DeltaTokens(IOptions<TokenOptions> options)
{
    private const byte Version = 1;
    private static readonly byte[] Binding = Encoding.UTF8.GetBytes("delta\n");

    private readonly TokenSeal _seal = new(options.Value.Load(), Version);

    public string Issue(string tenantId, ChangeCursor cursor)
    {
        using var buffer = new MemoryStream();
        using (var writer = new BinaryWriter(buffer, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write((byte)cursor.Kind);
            writer.Write(TenantHash(tenantId));
            writer.Write(cursor.Since.ToUnixTimeMilliseconds());
            writer.Write((byte)cursor.Positions.Length);
            foreach (var position in cursor.Positions)
            {
                writer.Write(position);
            }

            writer.Write(cursor.Enumeration is not null);
            if (cursor.Enumeration is { } e)
            {
                WriteText(writer, e.AfterObject);
                WriteText(writer, e.InGroup);
                WriteText(writer, e.AfterMember);
            }
        }

        return _seal.Seal(Binding, buffer.ToArray());
    }

    /// <summary>The cursor of a token of <paramref name="kind"/> issued in <paramref name="tenantId"/> and still valid; refusals name <paramref name="field"/>.</summary>
    public ChangeCursor Open(string tenantId, ObjectKind kind, string token, string field)
    {
        var payload = _seal.Open(token, Binding) ?? throw DirectoryException.Invalid(ErrorField.Request(field),
            "is not a delta token this service issued: use a delta_token or next_page_token exactly as answered, or start again without a token");
        using var reader = new BinaryReader(new MemoryStream(payload), Encoding.UTF8);
        var tokenKind = (ObjectKind)reader.ReadByte();
        var tenant = reader.ReadBytes(8);
        if (tokenKind != kind || !tenant.AsSpan().SequenceEqual(TenantHash(tenantId)))
        {
            throw DirectoryException.Precondition(ChangeFeeds.ForeignToken, ErrorField.Request(field),
                $"was issued for another tenant or for {ChangeFeeds.KindName(tokenKind)}, not for this tenant's {ChangeFeeds.KindName(kind)}: start again without a token");
        }

        var since = DateTimeOffset.FromUnixTimeMilliseconds(reader.ReadInt64());
        var positions = new long[reader.ReadByte()];
        for (var i = 0; i < positions.Length; i++)
        {
            positions[i] = reader.ReadInt64();
        }

        EnumerationCursor? enumeration = reader.ReadBoolean() ? new EnumerationCursor(ReadText(reader), ReadText(reader), ReadText(reader)) : null;
        if (positions.Length != ChangeFeeds.Shards)
        {
            throw ChangeFeeds.Expired();
        }

        return new ChangeCursor(kind, [.. positions], since, enumeration);
    }

    private static byte[] TenantHash(string tenantId) => SHA256.HashData(Encoding.UTF8.GetBytes(tenantId))[..8];

    private static void WriteText(BinaryWriter writer, string? text)
    {
        writer.Write(text is not null);
        if (text is not null)
        {
            writer.Write(text);
        }
    }

    private static string? ReadText(BinaryReader reader) => reader.ReadBoolean() ? reader.ReadString() : null;
}

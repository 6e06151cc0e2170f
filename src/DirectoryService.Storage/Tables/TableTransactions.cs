using System.Buffers;
using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;

namespace DirectoryService.Storage.Tables;

/// <summary>
/// Sends entity group transactions (the Table service's <c>$batch</c>) of one table through the same
/// pipeline as its <see cref="TableClient"/> — transport, retries, deadlines, the bulk lane — writing
/// the multipart body straight into one buffer and reading from the answer only each change's status
/// and etag. The SDK's own <c>SubmitTransactionAsync</c> does the same work with about half of a
/// bulk import's allocations in the silo: each sub-request is built as a request object, serialised
/// to a string twice (once only to learn the body's length), and the answer is buffered and parsed
/// line by line into strings and a response object per change (benchmarks/RESULTS.md, 2026-12-08).
/// The wire format is the service's (the OData batch format: one changeset, each change an HTTP
/// request with its JSON entity); outcomes are the SDK's: a refused transaction throws
/// <see cref="TableTransactionFailedException"/> with the failing change's status, nothing applied.
/// <para>
/// Made only for what can sign its requests here: an account key (Shared Key Lite) or an Azure
/// credential (a bearer token); a connection string with a SAS, or an entity with a property of a
/// type not written here, goes through the SDK (<see cref="TransactionBatcher"/>).
/// </para>
/// </summary>
public sealed class TableTransactions
{
    private const string Version = "2019-02-02";

    private readonly HttpPipeline _pipeline;
    private readonly Uri _batch;

    /// <summary>The table's address, to which a change's key is appended.</summary>
    private readonly string _table;

    private TableTransactions(HttpPipeline pipeline, Uri table)
    {
        _pipeline = pipeline;
        var address = table.AbsoluteUri.TrimEnd('/');
        _table = address;
        _batch = new Uri(address[..(address.LastIndexOf('/') + 1)] + "$batch");
    }

    /// <summary>The transactions of <paramref name="table"/>, sent with <paramref name="options"/>' pipeline signed by <paramref name="signing"/>.</summary>
    public static TableTransactions Create(Uri table, TableClientOptions options, HttpPipelinePolicy signing) =>
        new(HttpPipelineBuilder.Build(options, [], [signing], new ResponseClassifier()), table);

    /// <summary>Whether every property of the changes can be written here (else the SDK writes them).</summary>
    public static bool CanWrite(IEnumerable<TableTransactionAction> changes) =>
        changes.All(c => c.ActionType == TableTransactionActionType.Delete || Properties(c.Entity).All(p => Writable(p.Value)));

    /// <summary>Applies the changes (one partition) atomically; returns each one's new etag (null for deletes).</summary>
    public async Task<IReadOnlyList<ETag?>> SubmitAsync(IReadOnlyList<TableTransactionAction> changes, CancellationToken cancellationToken = default)
    {
        var id = Guid.NewGuid().ToString("N");
        // Sized by the batcher's own estimate of each change (an upper bound of its JSON), so the body is written without growing.
        var body = new ArrayBufferWriter<byte>(256 + changes.Sum(TableLimits.EstimatedBytes));
        WriteBody(body, changes, id);

        using var message = _pipeline.CreateMessage();
        message.BufferResponse = false;
        var request = message.Request;
        request.Method = RequestMethod.Post;
        request.Uri.Reset(_batch);
        request.Headers.SetValue("x-ms-version", Version);
        request.Headers.SetValue("DataServiceVersion", "3.0");
        request.Headers.SetValue("Accept", "application/json");
        request.Headers.SetValue("Content-Type", $"multipart/mixed; boundary=batch_{id}");
        request.Content = RequestContent.Create(body.WrittenMemory);
        await _pipeline.SendAsync(message, cancellationToken);

        var response = message.Response;
        var (answer, length) = await ReadAsync(response.ContentStream, cancellationToken);
        try
        {
            if (response.Status != 202)
            {
                var text = answer.AsSpan(0, length).ToArray();
                throw new RequestFailedException(response.Status, $"the entity group transaction was refused ({response.Status}): {Encoding.UTF8.GetString(text)}", Code(text), null);
            }

            return Outcomes(answer.AsSpan(0, length), changes);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(answer);
        }
    }

    private void WriteBody(ArrayBufferWriter<byte> body, IReadOnlyList<TableTransactionAction> changes, string id)
    {
        Ascii(body, $"--batch_{id}\r\nContent-Type: multipart/mixed; boundary=changeset_{id}\r\n\r\n");
        using var json = new Utf8JsonWriter(body);
        foreach (var change in changes)
        {
            Ascii(body, $"--changeset_{id}\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n\r\n");
            var (method, keyed) = change.ActionType switch
            {
                TableTransactionActionType.Add => ("POST", false),
                TableTransactionActionType.UpdateReplace or TableTransactionActionType.UpsertReplace => ("PUT", true),
                TableTransactionActionType.UpdateMerge or TableTransactionActionType.UpsertMerge => ("MERGE", true),
                TableTransactionActionType.Delete => ("DELETE", true),
                _ => throw new NotSupportedException(change.ActionType.ToString()),
            };
            var entity = change.Entity;
            Ascii(body, keyed
                ? $"{method} {_table}(PartitionKey='{Key(entity.PartitionKey)}',RowKey='{Key(entity.RowKey)}') HTTP/1.1\r\n"
                : $"{method} {_table} HTTP/1.1\r\n");
            Ascii(body, "Accept: application/json;odata=minimalmetadata\r\nDataServiceVersion: 3.0;\r\n");
            if (change.ActionType is TableTransactionActionType.UpdateReplace or TableTransactionActionType.UpdateMerge or TableTransactionActionType.Delete)
            {
                Ascii(body, $"If-Match: {(change.ETag == default ? ETag.All : change.ETag)}\r\n");
            }

            if (change.ActionType == TableTransactionActionType.Delete)
            {
                Ascii(body, "\r\n");
                continue;
            }

            Ascii(body, "Content-Type: application/json\r\nPrefer: return-no-content\r\n\r\n");
            json.Reset(body);
            WriteEntity(json, entity);
            json.Flush();
            Ascii(body, "\r\n");
        }

        Ascii(body, $"--changeset_{id}--\r\n--batch_{id}--\r\n");
    }

    /// <summary>A key inside the change's address: quotes doubled (OData), then percent-encoded.</summary>
    private static string Key(string key) => Uri.EscapeDataString(key.Replace("'", "''", StringComparison.Ordinal));

    private static void Ascii(ArrayBufferWriter<byte> body, string text)
    {
        var span = body.GetSpan(Encoding.UTF8.GetMaxByteCount(text.Length));
        body.Advance(Encoding.UTF8.GetBytes(text, span));
    }

    /// <summary>The entity's own properties: not the etag or timestamp the service keeps.</summary>
    private static IEnumerable<KeyValuePair<string, object>> Properties(ITableEntity entity) =>
        entity is TableEntity table
            ? table.Where(p => p.Key is not ("odata.etag" or "Timestamp" or "PartitionKey" or "RowKey") && p.Value is not null)
            : throw new NotSupportedException(entity.GetType().Name);

    private static bool Writable(object value) =>
        value is string or byte[] or BinaryData or int or long or bool or DateTimeOffset or DateTime or Guid || value is double d && double.IsFinite(d);

    private static void WriteEntity(Utf8JsonWriter json, ITableEntity entity)
    {
        json.WriteStartObject();
        json.WriteString("PartitionKey", entity.PartitionKey);
        json.WriteString("RowKey", entity.RowKey);
        foreach (var (name, value) in Properties(entity))
        {
            switch (value)
            {
                case string s:
                    json.WriteString(name, s);
                    continue;
                case int i:
                    json.WriteNumber(name, i);
                    continue;
                case bool b:
                    json.WriteBoolean(name, b);
                    continue;
                case byte[] or BinaryData:
                    json.WriteBase64String(name, value is BinaryData data ? data.ToMemory().Span : (byte[])value);
                    break;
                case double d:
                    json.WriteNumber(name, d);
                    break;
                default:
                    json.WriteString(name, value switch
                    {
                        long l => l.ToString(CultureInfo.InvariantCulture),
                        DateTimeOffset at => Utc(at.UtcDateTime),
                        DateTime at => Utc(at.ToUniversalTime()),
                        Guid g => g.ToString("D"),
                        _ => throw new NotSupportedException($"property {name} of type {value.GetType().Name}"),
                    });
                    break;
            }

            // The types JSON cannot tell by itself.
            json.WriteString(name + "@odata.type", value switch
            {
                byte[] or BinaryData => "Edm.Binary",
                double => "Edm.Double",
                long => "Edm.Int64",
                DateTimeOffset or DateTime => "Edm.DateTime",
                _ => "Edm.Guid",
            });
        }

        json.WriteEndObject();
    }

    private static string Utc(DateTime at) => at.ToString("yyyy-MM-ddTHH:mm:ss.fffffffZ", CultureInfo.InvariantCulture);

    /// <summary>The whole answer, in a pooled buffer (return it) with its length.</summary>
    private static async Task<(byte[] Buffer, int Length)> ReadAsync(Stream? content, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(4096);
        var length = 0;
        if (content is null)
        {
            return (buffer, 0);
        }

        await using (content)
        {
            while (true)
            {
                if (length == buffer.Length)
                {
                    var larger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                    buffer.AsSpan(0, length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }

                var read = await content.ReadAsync(buffer.AsMemory(length), cancellationToken);
                if (read == 0)
                {
                    return (buffer, length);
                }

                length += read;
            }
        }
    }

    private static readonly byte[] StatusLine = "HTTP/1.1 "u8.ToArray();
    private static readonly byte[] ETagHeader = "\r\nETag: "u8.ToArray();

    /// <summary>
    /// Each change's etag from the answer's parts, in order: one part per change with its status,
    /// or a single part with the status of the change that refused the whole transaction.
    /// </summary>
    private static IReadOnlyList<ETag?> Outcomes(ReadOnlySpan<byte> answer, IReadOnlyList<TableTransactionAction> changes)
    {
        var etags = new ETag?[changes.Count];
        var part = 0;
        var rest = answer;
        while (rest.IndexOf(StatusLine) is var at and >= 0)
        {
            rest = rest[(at + StatusLine.Length)..];
            if (rest.Length < 3 || !Utf8Parser.TryParse(rest[..3], out int status, out _))
            {
                throw new RequestFailedException(0, "the entity group transaction's answer has a part without a status");
            }

            var end = rest.IndexOf("\r\n\r\n"u8);
            var headers = end < 0 ? rest : rest[..end];
            if (status >= 300)
            {
                var error = end < 0 ? [] : rest[(end + 4)..];
                var next = error.IndexOf("\r\n--"u8);
                var text = Encoding.UTF8.GetString(next < 0 ? error : error[..next]);
                throw new TableTransactionFailedException(new RequestFailedException(status, Message(text), Code(Encoding.UTF8.GetBytes(text)), null));
            }

            if (part >= changes.Count)
            {
                throw new RequestFailedException(0, $"the entity group transaction's answer has more parts than its {changes.Count} changes");
            }

            if (changes[part].ActionType != TableTransactionActionType.Delete && headers.IndexOf(ETagHeader) is var e and >= 0)
            {
                var value = headers[(e + ETagHeader.Length)..];
                var line = value.IndexOf("\r\n"u8);
                etags[part] = new ETag(Encoding.ASCII.GetString(line < 0 ? value : value[..line]).Trim());
            }

            part++;
        }

        return part == changes.Count
            ? etags
            : throw new RequestFailedException(0, $"the entity group transaction's answer has {part} parts for {changes.Count} changes");
    }

    /// <summary>The service's error message (<c>odata.error.message.value</c>) if the text carries one, else the text.</summary>
    private static string Message(string text)
    {
        try
        {
            using var doc = JsonDocument.Parse(text);
            return doc.RootElement.GetProperty("odata.error").GetProperty("message").GetProperty("value").GetString() ?? text;
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return text;
        }
    }

    private static string? Code(byte[] text)
    {
        try
        {
            using var doc = JsonDocument.Parse(text);
            return doc.RootElement.GetProperty("odata.error").GetProperty("code").GetString();
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return null;
        }
    }
}

/// <summary>
/// Signs table requests with an account key (Shared Key Lite for the Table service): the request's
/// date and canonical resource, HMAC-SHA256 with the key. Per try, since each try has its own date.
/// </summary>
public sealed class SharedKeyLitePolicy(string accountName, byte[] accountKey) : HttpPipelineSynchronousPolicy
{
    public override void OnSendingRequest(HttpMessage message)
    {
        var date = DateTimeOffset.UtcNow.ToString("r", CultureInfo.InvariantCulture);
        message.Request.Headers.SetValue("x-ms-date", date);
        // The resource: the account, then the request's path as sent (with Azurite's path-style
        // addresses the path starts with the account again), and no query but comp (none here).
        var path = message.Request.Uri.Path;
        var signed = $"{date}\n/{accountName}{(path.StartsWith('/') ? path : "/" + path)}";
        var signature = Convert.ToBase64String(HMACSHA256.HashData(accountKey, Encoding.UTF8.GetBytes(signed)));
        message.Request.Headers.SetValue("Authorization", $"SharedKeyLite {accountName}:{signature}");
    }

    /// <summary>
    /// The account key of Azurite's development account, which Microsoft publishes with the emulator
    /// (every Azurite accepts it; it guards nothing): what <c>UseDevelopmentStorage=true</c> means.
    /// </summary>
    private const string DevelopmentAccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    /// <summary>The account name and key of a connection string with an account key, or of the development shorthand; null for any other (a SAS).</summary>
    public static SharedKeyLitePolicy? FromConnectionString(string connectionString)
    {
        if (connectionString.Contains("UseDevelopmentStorage=true", StringComparison.OrdinalIgnoreCase))
        {
            return new SharedKeyLitePolicy("devstoreaccount1", Convert.FromBase64String(DevelopmentAccountKey));
        }

        var parts = connectionString.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(p => p.Split('=', 2))
            .Where(p => p.Length == 2)
            .GroupBy(p => p[0], StringComparer.OrdinalIgnoreCase)
            .ToDictionary(g => g.Key, g => g.Last()[1], StringComparer.OrdinalIgnoreCase);
        if (!parts.TryGetValue("AccountName", out var name) || !parts.TryGetValue("AccountKey", out var key) || parts.ContainsKey("SharedAccessSignature"))
        {
            return null;
        }

        try
        {
            return new SharedKeyLitePolicy(name, Convert.FromBase64String(key));
        }
        catch (FormatException)
        {
            return null;
        }
    }
}

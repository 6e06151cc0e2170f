using System.Text.Json;
using System.Text.Json.Nodes;

namespace DirectoryService.Scim;

/// <summary>SCIM's JSON: attribute names compared without regard to case (RFC 7643 §2.1).</summary>
public static class ScimJson
{
    private static readonly JsonNodeOptions CaseInsensitive = new() { PropertyNameCaseInsensitive = true };

    /// <summary>Parses a request body; 400 invalidSyntax if it is not a JSON object.</summary>
    public static JsonObject ParseObject(string body) =>
        (Try(() => JsonNode.Parse(body, CaseInsensitive)) as JsonObject) ?? throw Errors.ScimException.InvalidSyntax("the request body is not a JSON object");

    /// <summary>A copy whose attribute names compare without regard to case.</summary>
    public static JsonObject CaseInsensitiveCopy(JsonObject value) => (JsonObject)JsonNode.Parse(value.ToJsonString(), CaseInsensitive)!;

    private static readonly JsonSerializerOptions Output = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The JSON text of an answer (only what JSON requires is escaped: the answer is never embedded in HTML).</summary>
    public static string Write(JsonNode node) => node.ToJsonString(Output);

    public static JsonNode? Get(JsonObject o, string name) =>
        o.TryGetPropertyValue(name, out var value) ? value : o.FirstOrDefault(p => string.Equals(p.Key, name, StringComparison.OrdinalIgnoreCase)).Value;

    public static string? String(JsonObject o, string name) => Get(o, name) is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    /// <summary>A boolean, also when a client sends it as a string ("True", "false"), as Entra ID does.</summary>
    public static bool? Bool(JsonNode? node) =>
        node is JsonValue v ? (v.TryGetValue<bool>(out var b) ? b : v.TryGetValue<string>(out var s) && bool.TryParse(s, out var p) ? p : throw Errors.ScimException.InvalidValue($"'{v.ToJsonString()}' is not a boolean")) : null;

    private static JsonNode? Try(Func<JsonNode?> parse)
    {
        try
        {
            return parse();
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

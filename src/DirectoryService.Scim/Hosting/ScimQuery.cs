using System.Text.Json.Nodes;
using DirectoryService.Scim.Errors;
using DirectoryService.Scim.Filtering;
using Microsoft.AspNetCore.Http;

namespace DirectoryService.Scim.Hosting;

/// <summary>
/// The query parameters of a SCIM list or read (RFC 7644 §3.4.2): <c>filter</c>, 1-based
/// <c>startIndex</c> and <c>count</c>, <c>attributes</c> and <c>excludedAttributes</c>.
/// </summary>
public sealed record ScimQuery(ScimFilter? Filter, int StartIndex, int Count, IReadOnlyList<string> Attributes, IReadOnlyList<string> Excluded)
{
    public const int DefaultCount = 100;

    public static ScimQuery From(HttpRequest request)
    {
        var filter = request.Query["filter"].ToString() is { Length: > 0 } text ? ScimFilterParser.Parse(text) : null;
        var start = Integer(request, "startIndex", 1);
        var count = Integer(request, "count", DefaultCount);
        return new ScimQuery(filter, Math.Max(start, 1), Math.Clamp(count, 0, ScimSchemas.MaxResults), List(request, "attributes"), List(request, "excludedAttributes"));
    }

    /// <summary>Whether the answer leaves out an attribute (asked for others only, or excluded it).</summary>
    public bool Omits(string attribute) =>
        Excluded.Contains(attribute, StringComparer.OrdinalIgnoreCase)
        || (Attributes.Count > 0 && !Attributes.Any(a => a.Equals(attribute, StringComparison.OrdinalIgnoreCase) || a.StartsWith(attribute + ".", StringComparison.OrdinalIgnoreCase)));

    /// <summary>The resource with only the asked attributes (id, schemas and meta always stay, RFC 7643 §7 "returned: always").</summary>
    public JsonObject Project(JsonObject resource)
    {
        if (Attributes.Count == 0 && Excluded.Count == 0)
        {
            return resource;
        }

        foreach (var (name, value) in resource.ToList())
        {
            if (name is "id" or "schemas" or "meta")
            {
                continue;
            }

            if (value is JsonObject complex && (Attributes.Any(a => a.StartsWith(name + ".", StringComparison.OrdinalIgnoreCase) || a.StartsWith(name + ":", StringComparison.OrdinalIgnoreCase)) || Excluded.Any(a => a.StartsWith(name + ".", StringComparison.OrdinalIgnoreCase) || a.StartsWith(name + ":", StringComparison.OrdinalIgnoreCase))))
            {
                foreach (var inner in complex.Select(p => p.Key).ToList())
                {
                    var path = name.StartsWith("urn:", StringComparison.OrdinalIgnoreCase) ? $"{name}:{inner}" : $"{name}.{inner}";
                    if (Omits(path) && Omits(name) || Excluded.Contains(path, StringComparer.OrdinalIgnoreCase))
                    {
                        complex.Remove(inner);
                    }
                }
            }
            else if (Omits(name))
            {
                resource.Remove(name);
            }
        }

        return resource;
    }

    private static int Integer(HttpRequest request, string name, int fallback)
    {
        var text = request.Query[name].ToString();
        return text.Length == 0 ? fallback
            : int.TryParse(text, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var value) ? value
            : throw ScimException.InvalidValue($"{name} must be an integer, got '{text}'");
    }

    private static List<string> List(HttpRequest request, string name) =>
        [.. request.Query[name].ToString().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
}

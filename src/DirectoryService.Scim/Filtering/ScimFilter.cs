using System.Text.Json.Nodes;

namespace DirectoryService.Scim.Filtering;

/// <summary>A parsed SCIM filter (RFC 7644 §3.4.2.2), evaluated against a resource's SCIM representation.</summary>
public abstract record ScimFilter
{
    public abstract bool Matches(JsonObject resource);
}

/// <summary><c>attrPath op value</c>, or <c>attrPath pr</c> (<see cref="Value"/> null).</summary>
public sealed record Comparison(AttributePath Path, string Operator, JsonNode? Value) : ScimFilter
{
    public override bool Matches(JsonObject resource) =>
        Path.Values(resource).Any(v => Compare(v)) || (Operator == "ne" && !Path.Values(resource).Any(v => Equal(v)));

    private bool Compare(JsonNode? actual) => Operator switch
    {
        "pr" => actual is not null && !(actual is JsonValue v && v.TryGetValue<string>(out var s) && s.Length == 0) && !(actual is JsonArray { Count: 0 }),
        "eq" => Equal(actual),
        "ne" => false,
        "co" => Text(actual) is { } a && Text(Value) is { } c && a.Contains(c, Path.Comparison),
        "sw" => Text(actual) is { } a && Text(Value) is { } c && a.StartsWith(c, Path.Comparison),
        "ew" => Text(actual) is { } a && Text(Value) is { } c && a.EndsWith(c, Path.Comparison),
        "gt" => Order(actual) is > 0,
        "ge" => Order(actual) is >= 0,
        "lt" => Order(actual) is < 0,
        "le" => Order(actual) is <= 0,
        _ => false,
    };

    private bool Equal(JsonNode? actual)
    {
        if (Value is null || actual is null)
        {
            return Value is null && actual is null;
        }

        if (Bool(Value) is { } wanted)
        {
            return Bool(actual) == wanted;
        }

        if (Number(Value) is { } n)
        {
            return Number(actual) == n;
        }

        return Text(actual) is { } a && string.Equals(a, Text(Value), Path.Comparison);
    }

    private int? Order(JsonNode? actual)
    {
        if (Number(Value) is { } n && Number(actual) is { } m)
        {
            return m.CompareTo(n);
        }

        return Text(actual) is { } a && Text(Value) is { } b ? Math.Sign(string.Compare(a, b, Path.Comparison)) : null;
    }

    private static string? Text(JsonNode? node) => node is JsonValue v && v.TryGetValue<string>(out var s) ? s : node is JsonValue other ? other.ToJsonString() : null;

    private static bool? Bool(JsonNode? node)
    {
        if (node is not JsonValue v)
        {
            return null;
        }

        if (v.TryGetValue<bool>(out var b))
        {
            return b;
        }

        return v.TryGetValue<string>(out var s) && bool.TryParse(s, out var p) ? p : null;
    }

    private static decimal? Number(JsonNode? node) => node is JsonValue v && v.TryGetValue<decimal>(out var d) ? d : null;
}

public sealed record And(ScimFilter Left, ScimFilter Right) : ScimFilter
{
    public override bool Matches(JsonObject resource) => Left.Matches(resource) && Right.Matches(resource);
}

public sealed record Or(ScimFilter Left, ScimFilter Right) : ScimFilter
{
    public override bool Matches(JsonObject resource) => Left.Matches(resource) || Right.Matches(resource);
}

public sealed record Not(ScimFilter Inner) : ScimFilter
{
    public override bool Matches(JsonObject resource) => !Inner.Matches(resource);
}

/// <summary><c>emails[type eq "work" and value co "@"]</c>: some element of a multi-valued attribute matches.</summary>
public sealed record ValuePathFilter(AttributePath Attribute, ScimFilter Inner) : ScimFilter
{
    public override bool Matches(JsonObject resource) =>
        Attribute.Elements(resource).OfType<JsonObject>().Any(Inner.Matches);
}

/// <summary>
/// An attribute path: an optional schema URN, an attribute and an optional sub-attribute, matched
/// without regard to case (RFC 7643 §2.1). <see cref="Comparison"/> is how its string values compare:
/// exactly for <c>id</c>, <c>externalId</c> and references, ignoring case otherwise.
/// </summary>
public sealed record AttributePath(string? Schema, string Name, string? SubAttribute)
{
    private static readonly HashSet<string> CaseExact = new(StringComparer.OrdinalIgnoreCase) { "id", "externalId", "value", "$ref", "version" };

    public StringComparison Comparison =>
        CaseExact.Contains(SubAttribute ?? Name) && !(Name.Equals("emails", StringComparison.OrdinalIgnoreCase)) ? StringComparison.Ordinal : StringComparison.OrdinalIgnoreCase;

    /// <summary>Parses <c>[urn:...:]name[.sub]</c>.</summary>
    public static AttributePath Parse(string text)
    {
        string? schema = null;
        var rest = text;
        if (text.StartsWith("urn:", StringComparison.OrdinalIgnoreCase))
        {
            var colon = text.LastIndexOf(':');
            schema = text[..colon];
            rest = text[(colon + 1)..];
        }

        var dot = rest.IndexOf('.', StringComparison.Ordinal);
        var name = dot < 0 ? rest : rest[..dot];
        var sub = dot < 0 ? null : rest[(dot + 1)..];
        if (name.Length == 0 || !IsName(name) || (sub is not null && !IsName(sub)))
        {
            throw new FormatException($"'{text}' is not an attribute path");
        }

        return new AttributePath(schema, name, sub);
    }

    /// <summary>The attribute's values as they are: the elements of a multi-valued attribute, or the one value.</summary>
    public IEnumerable<JsonNode?> Elements(JsonObject resource)
    {
        var container = Schema is null || Schema.Equals(ScimSchemas.User, StringComparison.OrdinalIgnoreCase) || Schema.Equals(ScimSchemas.Group, StringComparison.OrdinalIgnoreCase)
            ? resource
            : ScimJson.Get(resource, Schema) as JsonObject;
        var value = container is null ? null : ScimJson.Get(container, Name);
        return value is JsonArray array ? array : new[] { value };
    }

    /// <summary>The values the path names in a resource: each element's sub-attribute (or its <c>value</c>) for multi-valued attributes.</summary>
    public IEnumerable<JsonNode?> Values(JsonObject resource)
    {
        var multiValued = Elements(resource) is JsonArray;
        foreach (var item in Elements(resource))
        {
            if (SubAttribute is null)
            {
                yield return item is JsonObject complex && multiValued && ScimJson.Get(complex, "value") is { } inner ? inner : item;
            }
            else if (item is JsonObject o)
            {
                yield return ScimJson.Get(o, SubAttribute);
            }
        }
    }

    public override string ToString() => (Schema is null ? "" : Schema + ":") + Name + (SubAttribute is null ? "" : "." + SubAttribute);

    private static bool IsName(string s) => s.Length > 0 && (char.IsLetter(s[0]) || s[0] == '$') && s.All(c => char.IsLetterOrDigit(c) || c is '_' or '-' or '$');
}

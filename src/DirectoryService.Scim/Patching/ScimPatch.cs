using System.Text.Json.Nodes;
using DirectoryService.Scim.Errors;
using DirectoryService.Scim.Filtering;

namespace DirectoryService.Scim.Patching;

/// <summary>One PATCH operation (RFC 7644 §3.5.2): <c>add</c>, <c>replace</c> or <c>remove</c> (in any case), an optional path and a value.</summary>
public sealed record PatchOperation(string Op, PatchPath? Path, JsonNode? Value)
{
    /// <summary>Reads the operations of a PatchOp message.</summary>
    public static List<PatchOperation> Read(JsonObject body)
    {
        if (ScimJson.Get(body, "schemas") is not JsonArray schemas || !schemas.Any(s => s?.GetValue<string>() == ScimSchemas.PatchOp))
        {
            throw ScimException.InvalidSyntax($"a PATCH body names the schema {ScimSchemas.PatchOp}");
        }

        if (ScimJson.Get(body, "Operations") is not JsonArray operations || operations.Count == 0)
        {
            throw ScimException.InvalidSyntax("a PATCH body carries at least one operation in 'Operations'");
        }

        return [.. operations.Select(node =>
        {
            if (node is not JsonObject o || ScimJson.String(o, "op") is not { } op || op.ToLowerInvariant() is not ("add" or "replace" or "remove"))
            {
                throw ScimException.InvalidSyntax("each operation has an 'op' of add, replace or remove");
            }

            var path = ScimJson.String(o, "path") is { Length: > 0 } p ? PatchPath.Parse(p) : null;
            return new PatchOperation(op.ToLowerInvariant(), path, ScimJson.Get(o, "value")?.DeepClone());
        })];
    }
}

/// <summary>A PATCH path: <c>[urn:…:]attribute[.sub]</c>, or <c>attribute[filter][.sub]</c>.</summary>
public sealed record PatchPath(AttributePath Attribute, ScimFilter? Filter, string? SubAttribute)
{
    public static PatchPath Parse(string text)
    {
        try
        {
            var open = text.IndexOf('[', StringComparison.Ordinal);
            if (open < 0)
            {
                var path = AttributePath.Parse(text);
                return new PatchPath(path with { SubAttribute = null }, null, path.SubAttribute);
            }

            var close = text.LastIndexOf(']');
            if (close < open)
            {
                throw ScimException.InvalidPath($"'{text}' opens a value filter it does not close");
            }

            var attribute = AttributePath.Parse(text[..open]);
            var rest = text[(close + 1)..];
            var sub = rest.Length == 0 ? null : rest.StartsWith('.') && rest.Length > 1 ? rest[1..] : throw ScimException.InvalidPath($"'{text}' is not a path");
            return new PatchPath(attribute, ScimFilterParser.ParseValueFilter(text[(open + 1)..close]), sub);
        }
        catch (FormatException e)
        {
            throw ScimException.InvalidPath(e.Message);
        }
        catch (ScimException e) when (e.ScimType == "invalidFilter")
        {
            throw ScimException.InvalidPath($"'{text}': {e.Message}");
        }
    }

    public bool Names(string attribute) => Attribute.Name.Equals(attribute, StringComparison.OrdinalIgnoreCase);
}

/// <summary>
/// Applies PATCH operations to a resource's SCIM representation. The door then maps the result back
/// to the directory model, so a PATCH changes exactly the attributes the result holds differently.
/// </summary>
public static class ScimPatch
{
    private static readonly HashSet<string> ReadOnly = new(StringComparer.OrdinalIgnoreCase) { "id", "meta", "schemas" };

    public static void Apply(JsonObject resource, PatchOperation operation)
    {
        if (operation.Path is null)
        {
            if (operation.Op == "remove")
            {
                throw ScimException.NoTarget("a remove operation needs a path");
            }

            if (operation.Value is not JsonObject attributes)
            {
                throw ScimException.InvalidValue($"an {operation.Op} operation without a path carries an object of attributes");
            }

            foreach (var (attribute, value) in attributes.ToList())
            {
                if (ReadOnly.Contains(attribute) && JsonNode.DeepEquals(value, ScimJson.Get(resource, attribute)))
                {
                    // Okta renames a group with {"op":"replace","value":{"id":"<its id>","displayName":"…"}}:
                    // a read-only attribute given its current value changes nothing.
                    continue;
                }

                if (attribute.StartsWith("urn:", StringComparison.OrdinalIgnoreCase) && value is JsonObject extension && !attribute.Contains(":User:", StringComparison.OrdinalIgnoreCase))
                {
                    foreach (var (inner, innerValue) in extension.ToList())
                    {
                        Apply(resource, new PatchOperation(operation.Op, PatchPath.Parse($"{attribute}:{inner}"), innerValue?.DeepClone()));
                    }
                }
                else
                {
                    Apply(resource, new PatchOperation(operation.Op, PatchPath.Parse(attribute), value?.DeepClone()));
                }
            }

            return;
        }

        var path = operation.Path;
        if (ReadOnly.Contains(path.Attribute.Name) && path.Attribute.Schema is null)
        {
            throw ScimException.Mutability($"'{path.Attribute.Name}' is read-only");
        }

        var container = Container(resource, path.Attribute, create: operation.Op != "remove");
        if (container is null)
        {
            return;
        }

        var name = Key(container, path.Attribute.Name);
        if (path.Filter is not null)
        {
            ApplyFiltered(container, name, path, operation);
        }
        else if (path.SubAttribute is not null)
        {
            var complex = ScimJson.Get(container, name) as JsonObject;
            if (operation.Op == "remove")
            {
                complex?.Remove(Key(complex, path.SubAttribute));
                return;
            }

            if (complex is null)
            {
                container[name] = complex = new JsonObject();
            }

            complex[Key(complex, path.SubAttribute)] = operation.Value?.DeepClone();
        }
        else if (operation.Op == "remove")
        {
            if (operation.Value is JsonArray removed && ScimJson.Get(container, name) is JsonArray items)
            {
                // Entra ID removes members by value: {"op":"Remove","path":"members","value":[{"value":"…"}]}.
                var values = removed.OfType<JsonObject>().Select(r => ScimJson.String(r, "value")).ToHashSet(StringComparer.Ordinal);
                foreach (var item in items.OfType<JsonObject>().Where(i => values.Contains(ScimJson.String(i, "value"))).ToList())
                {
                    items.Remove(item);
                }
            }
            else
            {
                container.Remove(name);
            }
        }
        else if (operation.Op == "add" && ScimJson.Get(container, name) is JsonArray existing)
        {
            foreach (var item in operation.Value is JsonArray added ? added.Select(a => a?.DeepClone()) : [operation.Value?.DeepClone()])
            {
                if (!existing.Any(e => JsonNode.DeepEquals(e, item)))
                {
                    existing.Add(item);
                }
            }
        }
        else
        {
            container[name] = operation.Value?.DeepClone();
        }
    }

    private static void ApplyFiltered(JsonObject container, string name, PatchPath path, PatchOperation operation)
    {
        var items = ScimJson.Get(container, name) as JsonArray;
        var matching = items?.OfType<JsonObject>().Where(path.Filter!.Matches).ToList() ?? [];
        if (operation.Op == "remove")
        {
            foreach (var item in matching)
            {
                if (path.SubAttribute is null)
                {
                    items!.Remove(item);
                }
                else
                {
                    item.Remove(Key(item, path.SubAttribute));
                }
            }

            return;
        }

        if (matching.Count == 0)
        {
            // Entra ID replaces emails[type eq "work"].value on users that have no work email yet: add one.
            if (path.SubAttribute is not null && path.Filter is Comparison { Operator: "eq", Path.SubAttribute: null } wanted && wanted.Value is not null)
            {
                items ??= (JsonArray)(container[name] = new JsonArray());
                items.Add(new JsonObject { [wanted.Path.Name] = wanted.Value.DeepClone(), [path.SubAttribute] = operation.Value?.DeepClone() });
                return;
            }

            throw ScimException.NoTarget($"no value of '{path.Attribute}' matches the filter of the path");
        }

        foreach (var item in matching)
        {
            if (path.SubAttribute is not null)
            {
                item[Key(item, path.SubAttribute)] = operation.Value?.DeepClone();
            }
            else if (operation.Value is JsonObject replacement)
            {
                foreach (var (key, value) in replacement)
                {
                    item[Key(item, key)] = value?.DeepClone();
                }
            }
        }
    }

    /// <summary>The object holding the path's attribute: the resource, or its extension object.</summary>
    private static JsonObject? Container(JsonObject resource, AttributePath path, bool create)
    {
        if (path.Schema is null || path.Schema.Equals(ScimSchemas.User, StringComparison.OrdinalIgnoreCase) || path.Schema.Equals(ScimSchemas.Group, StringComparison.OrdinalIgnoreCase))
        {
            return resource;
        }

        var key = Key(resource, path.Schema);
        if (ScimJson.Get(resource, key) is JsonObject extension)
        {
            return extension;
        }

        if (!create)
        {
            return null;
        }

        resource[key] = extension = new JsonObject();
        return extension;
    }

    /// <summary>The existing key for a name, in whatever case the object holds it; the name itself if absent.</summary>
    private static string Key(JsonObject o, string name) =>
        o.Select(p => p.Key).FirstOrDefault(k => string.Equals(k, name, StringComparison.OrdinalIgnoreCase)) ?? name;
}

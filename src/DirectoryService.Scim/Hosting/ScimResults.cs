using System.Text.Json.Nodes;
using DirectoryService.Scim.Errors;
using DirectoryService.Scim.Filtering;
using Microsoft.AspNetCore.Http;

namespace DirectoryService.Scim.Hosting;

/// <summary>Responses of the SCIM door: resources with their ETag, list responses, and how list answers are found.</summary>
public static class ScimResults
{
    public static IResult Resource(HttpContext http, JsonObject resource, int status = 200)
    {
        if ((resource["meta"] as JsonObject)?["version"]?.GetValue<string>() is { } version)
        {
            http.Response.Headers.ETag = version;
        }

        if (status == 201 && (resource["meta"] as JsonObject)?["location"]?.GetValue<string>() is { } location)
        {
            http.Response.Headers.Location = location;
        }

        return Results.Text(ScimJson.Write(resource), ScimSchemas.ContentType, statusCode: status);
    }

    public static IResult List(IReadOnlyList<JsonObject> page, int total, int startIndex) =>
        Results.Text(ScimJson.Write(new JsonObject
        {
            ["schemas"] = new JsonArray(ScimSchemas.ListResponse),
            ["totalResults"] = total,
            ["startIndex"] = startIndex,
            ["itemsPerPage"] = page.Count,
            ["Resources"] = new JsonArray([.. page]),
        }), ScimSchemas.ContentType);

    /// <summary>The URL of a resource, as <c>meta.location</c> gives it.</summary>
    public static string Location(HttpContext http, string resourceType, string id) =>
        $"{http.Request.Scheme}://{http.Request.Host}{ScimSchemas.Base}/{resourceType}/{id}";

    /// <summary>The value of a top-level <c>attr eq "value"</c> on one of <paramref name="indexed"/>, if the filter requires one (alone or in an <c>and</c>).</summary>
    public static (string Attribute, string Value)? IndexedEquality(ScimFilter? filter, params string[] indexed) => filter switch
    {
        Comparison { Operator: "eq", Path: { Schema: null, SubAttribute: null } path, Value: JsonValue value }
            when indexed.Contains(path.Name, StringComparer.OrdinalIgnoreCase) && value.TryGetValue<string>(out var text) => (indexed.First(i => i.Equals(path.Name, StringComparison.OrdinalIgnoreCase)), text),
        And and => IndexedEquality(and.Left, indexed) ?? IndexedEquality(and.Right, indexed),
        _ => null,
    };

    /// <summary>
    /// The answer of a filter no index serves: objects examined page by page, at most
    /// <paramref name="maxScan"/>; a tenant with more answers 400 tooMany (narrow the filter).
    /// </summary>
    public static async Task<IResult> ScanAsync(ScimQuery query, int maxScan, Func<string?, int, Task<(IReadOnlyList<JsonObject> Items, string? Next)>> page, string kind)
    {
        var matches = new List<JsonObject>();
        var examined = 0;
        string? after = null;
        do
        {
            var (items, next) = await page(after, 200);
            examined += items.Count;
            if (examined > maxScan)
            {
                throw ScimException.TooMany($"this filter is answered by examining every {kind}, and the tenant holds more than {maxScan}; filter on an indexed attribute (id, externalId{(kind == "user" ? ", userName" : "")}) instead");
            }

            matches.AddRange(items.Where(query.Filter!.Matches));
            after = next;
        }
        while (after is not null);

        return List([.. matches.Skip(query.StartIndex - 1).Take(query.Count).Select(query.Project)], matches.Count, query.StartIndex);
    }

    /// <summary>An unfiltered list: ids from the listing index (no object loaded but those of the page), counted to the end for totalResults.</summary>
    public static async Task<IResult> PageAsync(ScimQuery query, Func<string?, int, Task<(IReadOnlyList<string> Ids, string? Next)>> ids, Func<IReadOnlyList<string>, Task<IReadOnlyList<JsonObject>>> load)
    {
        var wanted = new List<string>();
        var total = 0;
        string? after = null;
        do
        {
            var (items, next) = await ids(after, 1000);
            foreach (var id in items)
            {
                total++;
                if (total >= query.StartIndex && wanted.Count < query.Count)
                {
                    wanted.Add(id);
                }
            }

            after = next;
        }
        while (after is not null);

        var resources = wanted.Count == 0 ? [] : await load(wanted);
        return List([.. resources.Select(query.Project)], total, query.StartIndex);
    }
}

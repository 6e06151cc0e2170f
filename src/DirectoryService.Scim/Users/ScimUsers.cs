using System.Text.Json.Nodes;
using DirectoryService.Abstractions.Common;
using DirectoryService.Abstractions.Indexing;
using DirectoryService.Abstractions.Membership;
using DirectoryService.Abstractions.Users;
using DirectoryService.Gateway.Security;
using DirectoryService.Scim.Errors;
using DirectoryService.Scim.Hosting;
using DirectoryService.Scim.Patching;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace DirectoryService.Scim.Users;

/// <summary>The SCIM Users endpoints (RFC 7644 §3.3–3.6): thin adapters onto the user grains of the caller's tenant.</summary>
public static class ScimUsers
{
    private const string Type = "Users";

    public static void Map(IEndpointRouteBuilder scim)
    {
        scim.MapPost("/Users", CreateAsync).RequireAuthorization(Policies.UsersWrite);
        scim.MapGet("/Users/{id}", GetAsync).RequireAuthorization(Policies.UsersRead);
        scim.MapGet("/Users", ListAsync).RequireAuthorization(Policies.UsersRead);
        scim.MapPut("/Users/{id}", ReplaceAsync).RequireAuthorization(Policies.UsersWrite);
        scim.MapPatch("/Users/{id}", PatchAsync).RequireAuthorization(Policies.UsersWrite);
        scim.MapDelete("/Users/{id}", DeleteAsync).RequireAuthorization(Policies.UsersWrite);
    }

    private static Task<IResult> CreateAsync(HttpContext http, ScimDoor door, IGrainFactory grains)
    {
        var id = Identifiers.NewObjectId();
        return door.WriteAsync(http, [id], body => body, Attributes, async (tenant, body) =>
        {
            var profile = ScimUserMapping.FromScim(body, enabledWhenAbsent: true);
            var created = await grains.User(tenant, id).CreateAsync(profile);
            return ScimResults.Resource(http, ScimUserMapping.ToScim(created, ScimResults.Location(http, Type, created.Id)), 201);
        });
    }

    private static Task<IResult> GetAsync(HttpContext http, string id, ScimDoor door, IGrainFactory grains) =>
        door.ReadAsync(http, async tenant =>
        {
            var query = ScimQuery.From(http.Request);
            var user = await grains.User(tenant, ObjectId(id)).GetAsync(includeDeleted: false);
            return ScimResults.Resource(http, query.Project(ScimUserMapping.ToScim(user, ScimResults.Location(http, Type, user.Id))));
        });

    private static Task<IResult> ListAsync(HttpContext http, ScimDoor door, IGrainFactory grains, ISignInReads reads) =>
        door.ReadAsync(http, async tenant =>
        {
            var query = ScimQuery.From(http.Request);
            var directory = grains.GetGrain<IDirectoryQueryGrain>(tenant);
            JsonObject Scim(UserView u) => ScimUserMapping.ToScim(u, ScimResults.Location(http, Type, u.Id));

            if (ScimResults.IndexedEquality(query.Filter, "id", "userName", "externalId") is var (attribute, value))
            {
                // One user at most, found through its key's bucket: cost independent of the tenant's size.
                IReadOnlyList<UserView> found = attribute switch
                {
                    "id" => Guid.TryParse(value, out _) ? await directory.BatchGetUsersAsync([Identifiers.ObjectId(value, ErrorField.Request("filter"))]) : [],
                    // What Entra ID asks before every create: answered like gRPC's GetUser by name, from
                    // this silo's exact user cache when warm.
                    "userName" => await ByNameAsync(reads, tenant, value, http.RequestAborted),
                    _ => (await directory.ListUsersAsync(new UserFilter { ExternalId = value }, null, 1)).Items,
                };
                var matches = found.Select(Scim).Where(query.Filter!.Matches).ToList();
                return ScimResults.List([.. matches.Skip(query.StartIndex - 1).Take(query.Count).Select(query.Project)], matches.Count, query.StartIndex);
            }

            if (query.Filter is null)
            {
                return await ScimResults.PageAsync(
                    query,
                    async (after, limit) => await directory.ListUserIdsAsync(new UserFilter(), after, limit) is var page ? (page.Items, page.Next) : default,
                    async ids => [.. (await directory.BatchGetUsersAsync([.. ids])).Select(Scim)]);
            }

            return await ScimResults.ScanAsync(query, door.Bounds.MaxScan, async (after, limit) =>
            {
                var page = await directory.ListUsersAsync(new UserFilter(), after, limit);
                return ([.. page.Items.Select(Scim)], page.Next);
            }, "user");
        });

    private static async Task<IReadOnlyList<UserView>> ByNameAsync(ISignInReads reads, string tenant, string userName, CancellationToken cancellationToken)
    {
        if (userName.Length > Limits.MaxStringLength)
        {
            return [];
        }

        try
        {
            return [await reads.GetUserByPrincipalNameAsync(tenant, userName, cancellationToken)];
        }
        catch (DirectoryException e) when (e.Code == DirectoryErrorCode.NotFound)
        {
            return [];
        }
    }

    private static Task<IResult> ReplaceAsync(HttpContext http, string id, ScimDoor door, IGrainFactory grains) =>
        door.WriteAsync(http, [id], body => body, Attributes, async (tenant, body) =>
        {
            var grain = grains.User(tenant, ObjectId(id));
            var current = await grain.GetAsync(includeDeleted: false);
            var replacement = ScimUserMapping.FromScim(body, enabledWhenAbsent: current.Profile.AccountEnabled);
            return await UpdateAsync(http, grain, current, replacement);
        });

    private static Task<IResult> PatchAsync(HttpContext http, string id, ScimDoor door, IGrainFactory grains) =>
        door.WriteAsync(http, [id], PatchOperation.Read, Paths, async (tenant, operations) =>
        {
            var grain = grains.User(tenant, ObjectId(id));
            var current = await grain.GetAsync(includeDeleted: false);
            var resource = ScimJson.CaseInsensitiveCopy(ScimUserMapping.ToScim(current, ScimResults.Location(http, Type, current.Id)));
            foreach (var operation in operations)
            {
                ScimPatch.Apply(resource, operation);
            }

            return await UpdateAsync(http, grain, current, ScimUserMapping.FromScim(resource, enabledWhenAbsent: current.Profile.AccountEnabled));
        });

    /// <summary>What an audit record of a POST or PUT names as set: the attributes of the body (names only).</summary>
    internal static IReadOnlyList<string> Attributes(JsonObject body) => [.. body.Select(p => p.Key).Where(k => k != "schemas")];

    /// <summary>What an audit record of a PATCH names as set: the paths of its operations.</summary>
    internal static IReadOnlyList<string> Paths(List<PatchOperation> operations) =>
        [.. operations.SelectMany(o => o.Path is { } path ? [path.Attribute.ToString()] : o.Value is JsonObject v ? v.Select(p => p.Key) : [o.Op]).Distinct()];

    private static async Task<IResult> DeleteAsync(HttpContext http, string id, ScimDoor door, IGrainFactory grains) =>
        await door.WriteAsync(http, [id], [], async tenant =>
        {
            await grains.User(tenant, ObjectId(id)).DeleteAsync(IfMatch(http));
            return Results.NoContent();
        });

    /// <summary>Stores what changed (nothing at all when nothing did), under the request's If-Match precondition.</summary>
    private static async Task<IResult> UpdateAsync(HttpContext http, IUserGrain grain, UserView current, UserProfile updated)
    {
        var mask = ScimUserMapping.Changed(current.Profile, updated);
        var etag = IfMatch(http);
        if (mask.IsEmpty)
        {
            ETag.Check(etag, current.ETag, DomainFields.ETag);
            return ScimResults.Resource(http, ScimUserMapping.ToScim(current, ScimResults.Location(http, Type, current.Id)));
        }

        var view = await grain.UpdateAsync(updated, mask, etag);
        return ScimResults.Resource(http, ScimUserMapping.ToScim(view, ScimResults.Location(http, Type, view.Id)));
    }

    /// <summary>The If-Match precondition (a resource's meta.version); none for <c>*</c> or when absent.</summary>
    internal static string? IfMatch(HttpContext http) =>
        http.Request.Headers.IfMatch.ToString() is { Length: > 0 } value && value != "*" ? value : null;

    /// <summary>A path id: a GUID, else an id no resource has (404, as for an unknown one).</summary>
    internal static string ObjectId(string id) =>
        Guid.TryParseExact(id, "D", out var guid) ? guid.ToString("D") : throw ScimException.NotFound($"no resource with id '{Shorten(id)}'");

    private static string Shorten(string id) => id.Length <= 64 ? id : id[..64] + "…";
}

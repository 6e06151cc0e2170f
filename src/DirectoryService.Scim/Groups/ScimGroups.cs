using System.Collections.Immutable;
using System.Text.Json.Nodes;
using DirectoryService.Abstractions.Common;
using DirectoryService.Abstractions.Groups;
using DirectoryService.Abstractions.Indexing;
using DirectoryService.Abstractions.Membership;
using DirectoryService.Gateway.Security;
using DirectoryService.Scim.Errors;
using DirectoryService.Scim.Hosting;
using DirectoryService.Scim.Patching;
using DirectoryService.Scim.Users;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace DirectoryService.Scim.Groups;

/// <summary>
/// The SCIM Groups endpoints: thin adapters onto the group grains, with member changes going where
/// the gRPC door sends them (the group grain, or the tenant's nesting grain when groups join, so the
/// cycle rule holds). A group's members are read only when the answer includes them, and never more
/// than <see cref="ScimOptions.MaxMembersReturned"/>: <c>excludedAttributes=members</c> costs the same for any group.
/// </summary>
public static class ScimGroups
{
    private const string Type = "Groups";

    public static void Map(IEndpointRouteBuilder scim)
    {
        scim.MapPost("/Groups", CreateAsync).RequireAuthorization(Policies.GroupsWrite);
        scim.MapGet("/Groups/{id}", GetAsync).RequireAuthorization(Policies.GroupsRead);
        scim.MapGet("/Groups", ListAsync).RequireAuthorization(Policies.GroupsRead);
        scim.MapPut("/Groups/{id}", ReplaceAsync).RequireAuthorization(Policies.GroupsWrite);
        scim.MapPatch("/Groups/{id}", PatchAsync).RequireAuthorization(Policies.GroupsWrite);
        scim.MapDelete("/Groups/{id}", DeleteAsync).RequireAuthorization(Policies.GroupsWrite);
    }

    private static Task<IResult> CreateAsync(HttpContext http, ScimDoor door, IGrainFactory grains)
    {
        var id = Identifiers.NewObjectId();
        return door.WriteAsync(http, [id], body => body, ScimUsers.Attributes, async (tenant, body) =>
        {
            var profile = ScimGroupMapping.FromScim(body, new GroupProfile { SecurityEnabled = true });
            var members = await ResolveAsync(grains, tenant, ScimGroupMapping.MemberIds(ScimJson.Get(body, "members")));
            var created = await grains.Group(tenant, id).CreateAsync(profile);
            await AddAsync(grains, tenant, id, members);
            return ScimResults.Resource(http, ToScim(http, created, members), 201);
        });
    }

    private static Task<IResult> GetAsync(HttpContext http, string id, ScimDoor door, IGrainFactory grains) =>
        door.ReadAsync(http, async tenant =>
        {
            var query = ScimQuery.From(http.Request);
            var group = await grains.Group(tenant, ScimUsers.ObjectId(id)).GetAsync(includeDeleted: false);
            var members = query.Omits("members") ? null : await MembersAsync(grains, tenant, group.Id, door.Bounds);
            return ScimResults.Resource(http, query.Project(ToScim(http, group, members)));
        });

    private static Task<IResult> ListAsync(HttpContext http, ScimDoor door, IGrainFactory grains) =>
        door.ReadAsync(http, async tenant =>
        {
            var query = ScimQuery.From(http.Request);
            var directory = grains.GetGrain<IDirectoryQueryGrain>(tenant);
            var withMembers = !query.Omits("members");
            async Task<List<JsonObject>> ScimAsync(IEnumerable<GroupView> groups) =>
                [.. await Task.WhenAll(groups.Select(async g => ToScim(http, g, withMembers ? await MembersAsync(grains, tenant, g.Id, door.Bounds) : null)))];

            if (ScimResults.IndexedEquality(query.Filter, "id", "externalId", "displayName") is var (attribute, value))
            {
                // Each answered from an index: the group's id, the external id's key bucket, the display-name index.
                IReadOnlyList<GroupView> found = attribute switch
                {
                    "id" => Guid.TryParse(value, out _) ? await directory.BatchGetGroupsAsync([Identifiers.ObjectId(value, ErrorField.Request("filter"))]) : [],
                    "externalId" => (await directory.ListGroupsAsync(new GroupFilter { ExternalId = value }, null, 1)).Items,
                    _ => await directory.FindGroupsByDisplayNameAsync(value),
                };
                var matches = (await ScimAsync(found)).Where(query.Filter!.Matches).ToList();
                return ScimResults.List([.. matches.Skip(query.StartIndex - 1).Take(query.Count).Select(query.Project)], matches.Count, query.StartIndex);
            }

            if (query.Filter is null)
            {
                return await ScimResults.PageAsync(
                    query,
                    async (after, limit) => await directory.ListGroupIdsAsync(new GroupFilter(), after, limit) is var page ? (page.Items, page.Next) : default,
                    async ids => await ScimAsync(await directory.BatchGetGroupsAsync([.. ids])));
            }

            return await ScimResults.ScanAsync(query, door.Bounds.MaxScan, async (after, limit) =>
            {
                var page = await directory.ListGroupsAsync(new GroupFilter(), after, limit);
                return (await ScimAsync(page.Items), page.Next);
            }, "group");
        });

    private static Task<IResult> ReplaceAsync(HttpContext http, string id, ScimDoor door, IGrainFactory grains) =>
        door.WriteAsync(http, [id], body => body, ScimUsers.Attributes, async (tenant, body) =>
        {
            var groupId = ScimUsers.ObjectId(id);
            var grain = grains.Group(tenant, groupId);
            var current = await grain.GetAsync(includeDeleted: false);
            ETag.Check(ScimUsers.IfMatch(http), current.ETag, DomainFields.ETag);

            // Everything that can be refused before a write is checked first: the new profile, the members.
            var profile = ScimGroupMapping.FromScim(body, current.Profile);
            var wanted = await ResolveAsync(grains, tenant, ScimGroupMapping.MemberIds(ScimJson.Get(body, "members")));
            var updated = await UpdateAsync(http, grain, current, profile);
            await ReplaceMembersAsync(grains, tenant, groupId, wanted, door.Bounds);
            return ScimResults.Resource(http, ToScim(http, updated, wanted));
        });

    private static Task<IResult> PatchAsync(HttpContext http, string id, ScimDoor door, IGrainFactory grains) =>
        door.WriteAsync(http, [id], PatchOperation.Read, ScimUsers.Paths, async (tenant, operations) =>
        {
            var groupId = ScimUsers.ObjectId(id);
            var grain = grains.Group(tenant, groupId);
            var current = await grain.GetAsync(includeDeleted: false);
            ETag.Check(ScimUsers.IfMatch(http), current.ETag, DomainFields.ETag);
            // Everything that can be refused before a write is checked first: the paths and values of the
            // attribute operations, and the members to add. Then the group's own change, then its members.
            var resource = ScimJson.CaseInsensitiveCopy(ToScim(http, current, null));
            var memberOperations = new List<PatchOperation>();
            foreach (var part in operations.SelectMany(Split))
            {
                if (part.Path?.Names("members") == true)
                {
                    memberOperations.Add(part);
                }
                else
                {
                    ScimPatch.Apply(resource, part);
                }
            }

            var profile = ScimGroupMapping.FromScim(resource, current.Profile);
            foreach (var part in memberOperations.Where(p => p.Op != "remove"))
            {
                await ResolveAsync(grains, tenant, ScimGroupMapping.MemberIds(part.Value));
            }

            var updated = await UpdateAsync(http, grain, current, profile);
            foreach (var part in memberOperations)
            {
                await PatchMembersAsync(grains, tenant, groupId, part, door.Bounds);
            }

            return ScimResults.Resource(http, ToScim(http, updated, null));
        });

    private static async Task<IResult> DeleteAsync(HttpContext http, string id, ScimDoor door, IGrainFactory grains) =>
        await door.WriteAsync(http, [id], [], async tenant =>
        {
            await grains.Group(tenant, ScimUsers.ObjectId(id)).DeleteAsync(ScimUsers.IfMatch(http));
            return Results.NoContent();
        });

    /// <summary>A PATCH without a path whose value names members becomes a members operation of its own (Okta, Entra ID send both forms).</summary>
    private static IEnumerable<PatchOperation> Split(PatchOperation operation)
    {
        if (operation.Path is not null || operation.Value is not JsonObject attributes || ScimJson.Get(attributes, "members") is not { } members)
        {
            return [operation];
        }

        var rest = (JsonObject)attributes.DeepClone();
        rest.Remove(rest.First(p => p.Key.Equals("members", StringComparison.OrdinalIgnoreCase)).Key);
        List<PatchOperation> parts = [new PatchOperation(operation.Op, PatchPath.Parse("members"), members.DeepClone())];
        if (rest.Count > 0)
        {
            parts.Add(operation with { Value = rest });
        }

        return parts;
    }

    private static async Task PatchMembersAsync(IGrainFactory grains, string tenant, string groupId, PatchOperation operation, ScimOptions bounds)
    {
        var path = operation.Path!;
        switch (operation.Op)
        {
            case "add":
                await AddAsync(grains, tenant, groupId, await ResolveAsync(grains, tenant, ScimGroupMapping.MemberIds(operation.Value)));
                break;
            case "replace" when path.Filter is null:
                await ReplaceMembersAsync(grains, tenant, groupId, await ResolveAsync(grains, tenant, ScimGroupMapping.MemberIds(operation.Value)), bounds);
                break;
            case "remove" when path.Filter is Filtering.Comparison { Operator: "eq", Path: { Name: var attribute, SubAttribute: null }, Value: System.Text.Json.Nodes.JsonValue id }
                && attribute.Equals("value", StringComparison.OrdinalIgnoreCase) && id.TryGetValue<string>(out var memberId) && Guid.TryParse(memberId, out var memberGuid):
                // members[value eq "…"], how Okta removes one member: no need to read the group's members.
                await RemoveAsync(grains, tenant, groupId, [ObjectRef.User(memberGuid.ToString("D")), ObjectRef.Group(memberGuid.ToString("D"))]);
                break;
            case "remove" when path.Filter is not null:
                var current = await MembersAsync(grains, tenant, groupId, bounds);
                var candidates = current.Where(m => path.Filter.Matches(new JsonObject { ["value"] = m.Id, ["type"] = m.Kind == ObjectKind.Group ? "Group" : "User" }));
                await RemoveAsync(grains, tenant, groupId, candidates);
                break;
            case "remove" when operation.Value is not null:
                var ids = ScimGroupMapping.MemberIds(operation.Value).ToHashSet();
                await RemoveAsync(grains, tenant, groupId, (await MembersAsync(grains, tenant, groupId, bounds)).Where(m => ids.Contains(m.Id)));
                break;
            case "remove":
                await RemoveAsync(grains, tenant, groupId, await MembersAsync(grains, tenant, groupId, bounds));
                break;
            default:
                throw ScimException.InvalidPath("members: replace takes no value filter; remove the member and add the new one");
        }
    }

    /// <summary>Makes the group's direct members exactly <paramref name="wanted"/>.</summary>
    private static async Task ReplaceMembersAsync(IGrainFactory grains, string tenant, string groupId, List<ObjectRef> wanted, ScimOptions bounds)
    {
        var current = await MembersAsync(grains, tenant, groupId, bounds);
        await RemoveAsync(grains, tenant, groupId, current.Where(m => !wanted.Contains(m)));
        await AddAsync(grains, tenant, groupId, [.. wanted.Where(m => !current.Contains(m))]);
    }

    /// <summary>Adds members through the group grain, or the tenant's nesting grain when groups join (the cycle rule).</summary>
    private static async Task AddAsync(IGrainFactory grains, string tenant, string groupId, List<ObjectRef> members)
    {
        foreach (var chunk in members.Chunk(Limits.MaxMembersPerAdd))
        {
            ImmutableArray<ObjectRef> batch = [.. chunk];
            _ = batch.Any(m => m.Kind == ObjectKind.Group)
                ? await grains.GetGrain<INestingGrain>(tenant).AddMembersAsync(groupId, batch)
                : await grains.Group(tenant, groupId).AddMembersAsync(batch);
        }
    }

    private static async Task RemoveAsync(IGrainFactory grains, string tenant, string groupId, IEnumerable<ObjectRef> members)
    {
        foreach (var member in members.ToList())
        {
            try
            {
                await grains.Group(tenant, groupId).RemoveMemberAsync(member);
            }
            catch (DirectoryException e) when (e.Code == DirectoryErrorCode.NotFound && e.Field?.Name == DomainFields.Member)
            {
                // Already gone: removing a member is idempotent over SCIM, as provisioning clients expect.
            }
        }
    }

    /// <summary>Whether each id names a live user or group of the tenant (SCIM members carry no type); 400 invalidValue otherwise.</summary>
    private static async Task<List<ObjectRef>> ResolveAsync(IGrainFactory grains, string tenant, List<string> ids) =>
        [.. await Task.WhenAll(ids.Select(async id =>
        {
            if ((await grains.User(tenant, id).GetNodeAsync()).IsLive)
            {
                return ObjectRef.User(id);
            }

            return (await grains.Group(tenant, id).GetNodeAsync()).IsLive
                ? ObjectRef.Group(id)
                : throw ScimException.InvalidValue($"members: '{id}' is not a user or group of the tenant");
        }))];

    /// <summary>The live direct members, at most <see cref="ScimOptions.MaxMembersReturned"/> (else 400 tooMany).</summary>
    private static async Task<List<ObjectRef>> MembersAsync(IGrainFactory grains, string tenant, string groupId, ScimOptions bounds)
    {
        var query = grains.GetGrain<IMembershipQueryGrain>(tenant);
        var members = new List<ObjectRef>();
        string? after = null;
        do
        {
            var page = await query.ListMembersAsync(groupId, after, 999);
            members.AddRange(page.Items);
            if (members.Count > bounds.MaxMembersReturned)
            {
                throw ScimException.TooMany($"the group has more than {bounds.MaxMembersReturned} members; ask with excludedAttributes=members, and change members with PATCH");
            }

            after = page.Next;
        }
        while (after is not null);
        return members;
    }

    private static async Task<GroupView> UpdateAsync(HttpContext http, IGroupGrain grain, GroupView current, GroupProfile updated)
    {
        var mask = ScimGroupMapping.Changed(current.Profile, updated);
        var etag = ScimUsers.IfMatch(http);
        if (mask.IsEmpty)
        {
            // Members live apart from the group's own properties: changing them leaves the group as it was.
            ETag.Check(etag, current.ETag, DomainFields.ETag);
            return current;
        }

        return await grain.UpdateAsync(updated, mask, etag);
    }

    private static JsonObject ToScim(HttpContext http, GroupView group, IReadOnlyList<ObjectRef>? members) =>
        ScimGroupMapping.ToScim(group, ScimResults.Location(http, Type, group.Id), members,
            m => ScimResults.Location(http, m.Kind == ObjectKind.Group ? Type : "Users", m.Id));
}

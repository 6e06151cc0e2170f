using System.CommandLine;
using DirectoryService.Grpc.V1;
using Google.Protobuf;
using Grpc.Health.V1;

namespace DirectoryService.Cli;

/// <summary>
/// The command tree of dirctl (System.CommandLine): <c>dirctl NOUN VERB ARGUMENTS [--options]</c>,
/// <c>--help</c> on every command, shared connection options on all of them, and list commands that
/// page (<c>--page-size</c>, <c>--page-token</c>, or <c>--all</c> to follow every page).
/// </summary>
public static class DirctlCommand
{
    public static readonly Option<string?> Target = new("--target") { Description = "The silo to call (default: DIRECTORY_TARGET, else https://127.0.0.1:5000)", Recursive = true };
    public static readonly Option<string?> Ca = new("--ca") { Description = "A PEM certificate to trust as a root for an https target (default: DIRECTORY_CA)", Recursive = true };
    public static readonly Option<string?> Tenant = new("--tenant") { Description = "The tenant to act in (default: DIRECTORY_TENANT)", Recursive = true };
    public static readonly Option<string?> Token = new("--token") { Description = "A bearer token to send as is (default: DIRECTORY_TOKEN)", Recursive = true };
    public static readonly Option<string?> DevKey = new("--dev-key") { Description = "A development signing key to mint tokens with (default: DIRECTORY_DEV_KEY)", Recursive = true };
    public static readonly Option<bool> IdOnly = new("--id") { Description = "Print only the answer's id", Recursive = true };
    public static readonly Option<OutputFormat> Format = new("--output", "-o") { Description = "json (default) or table", Recursive = true, DefaultValueFactory = _ => OutputFormat.Json };

    private static readonly Option<int> PageSize = new("--page-size") { Description = "Items per page, 1..999 (default 100)" };
    private static readonly Option<string> PageToken = new("--page-token") { Description = "Continue from a previous page's nextPageToken", DefaultValueFactory = _ => "" };
    private static readonly Option<bool> All = new("--all") { Description = "Follow nextPageToken and print every item" };

    public static RootCommand Create()
    {
        var root = new RootCommand("dirctl: the DirectoryService admin client. Answers print as JSON; exit codes: 0 done, 1 refused by the service, 2 usage, 3 not serving.")
        {
            Options = { Target, Ca, Tenant, Token, DevKey, IdOnly, Format },
        };

        root.Subcommands.Add(Completion.Command());
        root.Subcommands.Add(Import.ImportCommand.Create());
        root.Subcommands.Add(Changes.ChangesCommands.Delta());
        root.Subcommands.Add(Changes.ChangesCommands.Watch());
        root.Subcommands.Add(Leaf("health", "Ask the silo whether it is ready (exit 0 only when SERVING, 3 otherwise)", [], (c, _) => c.Health()));

        var roles = new Option<string>("--roles") { Description = "Comma-separated permissions, e.g. GroupMember.Read.All", DefaultValueFactory = _ => "" };
        root.Subcommands.Add(Leaf("token", "Mint a development token (needs --dev-key)", [roles], (c, r) => c.Mint(r.GetValue(roles)!)));

        var id = new Argument<string>("id") { Description = "An id (GUID; tenants: their id)" };
        var tenantName = new Argument<string>("display-name") { Description = "The tenant's display name" };
        var domains = new Argument<string[]>("domains") { Description = "Verified domains", Arity = ArgumentArity.OneOrMore };
        root.Subcommands.Add(Noun("tenant", "Tenants (operators)",
            Leaf("create", "Create a tenant", [id, tenantName, domains], (c, r) => c.Tenants.CreateTenantAsync(new CreateTenantRequest
            {
                TenantId = r.GetValue(id),
                Tenant = new Tenant { DisplayName = r.GetValue(tenantName), VerifiedDomains = { r.GetValue(domains)! } },
            }).ResponseAsync),
            Leaf("get", "Get a tenant", [id], (c, r) => c.Tenants.GetTenantAsync(new GetTenantRequest { Id = r.GetValue(id) }).ResponseAsync),
            Paged("list", "List tenants", [], (c, _, size, token) => c.Tenants.ListTenantsAsync(new ListTenantsRequest { PageSize = size, PageToken = token }).ResponseAsync),
            Leaf("delete", "Delete an empty tenant", [id], async (c, r) => await c.Tenants.DeleteTenantAsync(new DeleteTenantRequest { Id = r.GetValue(id) }))));

        var upn = new Argument<string>("upn") { Description = "A user principal name, local@domain" };
        var displayName = new Argument<string>("display-name") { Description = "The display name" };
        var key = new Argument<string>("id-or-upn") { Description = "A user's id, or its user principal name" };
        var disabled = new Option<bool>("--disabled") { Description = "Create the account disabled" };
        var department = new Option<string>("--department") { Description = "The department", DefaultValueFactory = _ => "" };
        var prefix = new Option<string>("--prefix") { Description = "Display names starting with this", DefaultValueFactory = _ => "" };
        root.Subcommands.Add(Noun("user", "Users of the tenant",
            Leaf("create", "Create a user", [upn, displayName, disabled, department], (c, r) => c.Users.CreateUserAsync(new CreateUserRequest
            {
                User = new User { UserPrincipalName = r.GetValue(upn), DisplayName = r.GetValue(displayName), AccountEnabled = !r.GetValue(disabled), Department = r.GetValue(department)! },
            }).ResponseAsync),
            Leaf("get", "Get a user by id or principal name", [key], (c, r) => c.Users.GetUserAsync(r.GetValue(key)!.Contains('@') ? new GetUserRequest { UserPrincipalName = r.GetValue(key) } : new GetUserRequest { Id = r.GetValue(key) }).ResponseAsync),
            Paged("list", "List users", [prefix], (c, r, size, token) => c.Users.ListUsersAsync(new ListUsersRequest { DisplayNamePrefix = r.GetValue(prefix)!, PageSize = size, PageToken = token }).ResponseAsync),
            Leaf("delete", "Soft-delete a user (restorable for 30 days)", [id], (c, r) => c.Users.DeleteUserAsync(new DeleteUserRequest { Id = r.GetValue(id) }).ResponseAsync),
            Leaf("restore", "Restore a soft-deleted user", [id], (c, r) => c.Users.RestoreUserAsync(new RestoreUserRequest { Id = r.GetValue(id) }).ResponseAsync)));

        var security = new Option<bool>("--security") { Description = "A security group (counts in security-enabled-only answers)" };
        root.Subcommands.Add(Noun("group", "Groups of the tenant",
            Leaf("create", "Create a group", [displayName, security], (c, r) => c.Groups.CreateGroupAsync(new CreateGroupRequest
            {
                Group = new Group { DisplayName = r.GetValue(displayName), SecurityEnabled = r.GetValue(security) },
            }).ResponseAsync),
            Leaf("get", "Get a group", [id], (c, r) => c.Groups.GetGroupAsync(new GetGroupRequest { Id = r.GetValue(id) }).ResponseAsync),
            Paged("list", "List groups", [], (c, _, size, token) => c.Groups.ListGroupsAsync(new ListGroupsRequest { PageSize = size, PageToken = token }).ResponseAsync),
            Leaf("delete", "Soft-delete a group", [id], (c, r) => c.Groups.DeleteGroupAsync(new DeleteGroupRequest { Id = r.GetValue(id) }).ResponseAsync),
            Leaf("restore", "Restore a soft-deleted group", [id], (c, r) => c.Groups.RestoreGroupAsync(new RestoreGroupRequest { Id = r.GetValue(id) }).ResponseAsync)));

        var groupId = new Argument<string>("group-id") { Description = "The group's id" };
        var refs = new Argument<string[]>("members") { Description = "user:ID or group:ID", Arity = ArgumentArity.OneOrMore };
        var member = new Argument<string>("member") { Description = "user:ID or group:ID" };
        var transitive = new Option<bool>("--transitive") { Description = "Through nesting" };
        root.Subcommands.Add(Noun("member", "Memberships",
            Leaf("add", "Add up to 20 members to a group", [groupId, refs], (c, r) => c.Members.AddMembersAsync(new AddMembersRequest { GroupId = r.GetValue(groupId), Members = { r.GetValue(refs)!.Select(Ref) } }).ResponseAsync),
            Leaf("remove", "Remove a direct member", [groupId, member], async (c, r) => await c.Members.RemoveMemberAsync(new RemoveMemberRequest { GroupId = r.GetValue(groupId), Member = Ref(r.GetValue(member)!) })),
            Paged("list", "List a group's members", [groupId, transitive], (c, r, size, token) =>
            {
                var request = new ListMembersRequest { GroupId = r.GetValue(groupId), PageSize = size, PageToken = token };
                return r.GetValue(transitive) ? c.Members.ListTransitiveMembersAsync(request).ResponseAsync : c.Members.ListMembersAsync(request).ResponseAsync;
            }),
            Paged("of", "List the groups a user or group belongs to", [member, transitive], (c, r, size, token) =>
            {
                var request = new ListMemberOfRequest { Principal = Ref(r.GetValue(member)!), PageSize = size, PageToken = token };
                return r.GetValue(transitive) ? c.Members.ListTransitiveMemberOfAsync(request).ResponseAsync : c.Members.ListMemberOfAsync(request).ResponseAsync;
            })));

        var securityOnly = new Option<bool>("--security-only") { Description = "Security-enabled groups only" };
        var groupIds = new Argument<string[]>("group-ids") { Description = "Up to 20 group ids", Arity = ArgumentArity.OneOrMore };
        root.Subcommands.Add(Noun("signin", "What a token issuer asks on every sign-in",
            Leaf("resolve", "Resolve a sign-in by principal name: id, enabled flag, groups claim", [upn, securityOnly], (c, r) => c.SignIn.ResolveSignInAsync(new ResolveSignInRequest { UserPrincipalName = r.GetValue(upn), SecurityEnabledOnly = r.GetValue(securityOnly) }).ResponseAsync),
            Leaf("groups", "Every group a user or group belongs to", [member, securityOnly], (c, r) => c.SignIn.GetMemberGroupsAsync(new GetMemberGroupsRequest { Principal = Ref(r.GetValue(member)!), SecurityEnabledOnly = r.GetValue(securityOnly) }).ResponseAsync),
            Leaf("check", "Which of the given groups a user or group belongs to", [member, groupIds], (c, r) => c.SignIn.CheckMemberGroupsAsync(new CheckMemberGroupsRequest { Principal = Ref(r.GetValue(member)!), GroupIds = { r.GetValue(groupIds)! } }).ResponseAsync)));
        return root;
    }

    private static Command Noun(string name, string description, params Command[] verbs)
    {
        var noun = new Command(name, description);
        foreach (var verb in verbs)
        {
            noun.Subcommands.Add(verb);
        }

        return noun;
    }

    private static Command Leaf<T>(string name, string description, Symbol[] symbols, Func<DirctlContext, ParseResult, Task<T>> call)
        where T : IMessage
    {
        var command = new Command(name, description);
        Add(command, symbols);
        command.SetAction((result, cancellation) => DirctlContext.RunAsync(result, async context => (IMessage)await call(context, result)));
        return command;
    }

    /// <summary>A list command: one page (<c>--page-size</c>, <c>--page-token</c>), or every page merged (<c>--all</c>).</summary>
    private static Command Paged<T>(string name, string description, Symbol[] symbols, Func<DirctlContext, ParseResult, int, string, Task<T>> page)
        where T : IMessage
    {
        var command = new Command(name, description);
        Add(command, [.. symbols, PageSize, PageToken, All]);
        command.SetAction((result, cancellation) => DirctlContext.RunAsync(result, async context =>
        {
            var first = await page(context, result, result.GetValue(PageSize), result.GetValue(PageToken)!);
            return result.GetValue(All) ? await Pages.FollowAsync(first, token => page(context, result, result.GetValue(PageSize), token)) : (IMessage)first;
        }));
        return command;
    }

    private static void Add(Command command, Symbol[] symbols)
    {
        foreach (var symbol in symbols)
        {
            switch (symbol)
            {
                case Argument argument:
                    command.Arguments.Add(argument);
                    break;
                case Option option:
                    command.Options.Add(option);
                    break;
            }
        }
    }

    /// <summary>Parses <c>user:ID</c> or <c>group:ID</c>.</summary>
    private static DirectoryObjectRef Ref(string value) => value.Split(':', 2) switch
    {
        ["user", var id] => new DirectoryObjectRef { Id = id, Type = ObjectType.User },
        ["group", var id] => new DirectoryObjectRef { Id = id, Type = ObjectType.Group },
        _ => throw new UsageException($"'{value}' is not user:ID or group:ID"),
    };

}

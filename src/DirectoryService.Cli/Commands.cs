using DirectoryService.Grpc.V1;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Health.V1;
using Grpc.Net.Client;

namespace DirectoryService.Cli;

/// <summary>One method per command: build the request, make the call, return the answer.</summary>
public sealed class Commands(GrpcChannel channel, string? tenant, Credentials credentials)
{
    public const string Usage = """
        usage: dirctl [--target https://127.0.0.1:5000] [--ca CERT.pem] [--tenant ID] [--token JWT | --dev-key FILE] COMMAND ...
          health                                        (exit 0 when SERVING, 3 otherwise)
          token [--tenant ID] --roles Directory.Read.All,...   (mints a development token; needs --dev-key)
          tenant create ID "DISPLAY NAME" DOMAIN...      tenant get ID | tenant list | tenant delete ID
          user create UPN "DISPLAY NAME" [--disabled] [--department D]
          user get ID|UPN | user list [--prefix P] | user delete ID | user restore ID
          group create "DISPLAY NAME" [--security]      group get ID | group list | group delete ID | group restore ID
          member add GROUP-ID user:ID|group:ID...       member remove GROUP-ID user:ID|group:ID
          member list GROUP-ID [--transitive]           member of user:ID|group:ID [--transitive]
          signin resolve UPN [--security-only]          signin groups user:ID|group:ID [--security-only]
          signin check user:ID|group:ID GROUP-ID...
        --ca (or DIRECTORY_CA) trusts the given certificate (PEM) as a root for an https target, besides the system's;
        --target defaults to DIRECTORY_TARGET; ./dirctl sets both for ./run.sh's silo.
        every command but health and tenant needs --tenant (or DIRECTORY_TENANT); --id prints only the answer's id.
        credentials: --token (or DIRECTORY_TOKEN) is sent as is; otherwise, with a development key (--dev-key,
        DIRECTORY_DEV_KEY; ./dirctl uses .data/dev-signing-key.pem, which ./run.sh creates) dirctl mints an operator
        token for tenant commands and a Directory.ReadWrite.All token of --tenant for the others.
        """;

    public static readonly IReadOnlySet<string> Flags = new HashSet<string> { "disabled", "security", "transitive", "security-only", "id" };

    private CallInvoker Invoker => Authorized(credentials.ForTenant(tenant ?? throw new UsageException("this command needs --tenant")));

    private CallInvoker Authorized(string? token) => channel.Intercept(headers =>
    {
        if (token is not null)
        {
            headers.Add("authorization", "Bearer " + token);
        }

        return headers;
    });

    public async Task<IMessage> RunAsync(Arguments a) => (a[0], a.Count > 1 ? a[1] : "") switch
    {
        ("health", _) => await new Health.HealthClient(channel).CheckAsync(new HealthCheckRequest()),
        ("token", _) => new StringValue { Value = credentials.Mint(tenant, (a.Option("roles") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries)) },
        ("tenant", "create") => await Tenants.CreateTenantAsync(new CreateTenantRequest
        {
            TenantId = a[2],
            Tenant = new Tenant { DisplayName = a[3], VerifiedDomains = { a.From(4) } },
        }),
        ("tenant", "get") => await Tenants.GetTenantAsync(new GetTenantRequest { Id = a[2] }),
        ("tenant", "list") => await Tenants.ListTenantsAsync(new ListTenantsRequest()),
        ("tenant", "delete") => await Tenants.DeleteTenantAsync(new DeleteTenantRequest { Id = a[2] }),
        ("user", "create") => await Users.CreateUserAsync(new CreateUserRequest
        {
            User = new User { UserPrincipalName = a[2], DisplayName = a[3], AccountEnabled = !a.Flag("disabled"), Department = a.Option("department") ?? "" },
        }),
        ("user", "get") => await Users.GetUserAsync(a[2].Contains('@') ? new GetUserRequest { UserPrincipalName = a[2] } : new GetUserRequest { Id = a[2] }),
        ("user", "list") => await Users.ListUsersAsync(new ListUsersRequest { DisplayNamePrefix = a.Option("prefix") ?? "" }),
        ("user", "delete") => await Users.DeleteUserAsync(new DeleteUserRequest { Id = a[2] }),
        ("user", "restore") => await Users.RestoreUserAsync(new RestoreUserRequest { Id = a[2] }),
        ("group", "create") => await Groups.CreateGroupAsync(new CreateGroupRequest
        {
            Group = new Group { DisplayName = a[2], SecurityEnabled = a.Flag("security") },
        }),
        ("group", "get") => await Groups.GetGroupAsync(new GetGroupRequest { Id = a[2] }),
        ("group", "list") => await Groups.ListGroupsAsync(new ListGroupsRequest()),
        ("group", "delete") => await Groups.DeleteGroupAsync(new DeleteGroupRequest { Id = a[2] }),
        ("group", "restore") => await Groups.RestoreGroupAsync(new RestoreGroupRequest { Id = a[2] }),
        ("member", "add") => await Members.AddMembersAsync(new AddMembersRequest { GroupId = a[2], Members = { a.From(3).Select(Ref) } }),
        ("member", "remove") => await Members.RemoveMemberAsync(new RemoveMemberRequest { GroupId = a[2], Member = Ref(a[3]) }),
        ("member", "list") when a.Flag("transitive") => await Members.ListTransitiveMembersAsync(new ListMembersRequest { GroupId = a[2] }),
        ("member", "list") => await Members.ListMembersAsync(new ListMembersRequest { GroupId = a[2] }),
        ("member", "of") when a.Flag("transitive") => await Members.ListTransitiveMemberOfAsync(new ListMemberOfRequest { Principal = Ref(a[2]) }),
        ("member", "of") => await Members.ListMemberOfAsync(new ListMemberOfRequest { Principal = Ref(a[2]) }),
        ("signin", "resolve") => await SignIn.ResolveSignInAsync(new ResolveSignInRequest { UserPrincipalName = a[2], SecurityEnabledOnly = a.Flag("security-only") }),
        ("signin", "groups") => await SignIn.GetMemberGroupsAsync(new GetMemberGroupsRequest { Principal = Ref(a[2]), SecurityEnabledOnly = a.Flag("security-only") }),
        ("signin", "check") => await SignIn.CheckMemberGroupsAsync(new CheckMemberGroupsRequest { Principal = Ref(a[2]), GroupIds = { a.From(3) } }),
        _ => throw new UsageException($"unknown command '{string.Join(' ', a.From(0).Take(2))}'"),
    };

    private Tenants.TenantsClient Tenants => new(Authorized(credentials.ForOperator()));

    private Users.UsersClient Users => new(Invoker);

    private Groups.GroupsClient Groups => new(Invoker);

    private Members.MembersClient Members => new(Invoker);

    private SignIn.SignInClient SignIn => new(Invoker);

    /// <summary>Parses <c>user:ID</c> or <c>group:ID</c>.</summary>
    private static DirectoryObjectRef Ref(string value) => value.Split(':', 2) switch
    {
        ["user", var id] => new DirectoryObjectRef { Id = id, Type = ObjectType.User },
        ["group", var id] => new DirectoryObjectRef { Id = id, Type = ObjectType.Group },
        _ => throw new UsageException($"'{value}' is not user:ID or group:ID"),
    };
}

using System.CommandLine;
using DirectoryService.Grpc.V1;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Health.V1;
using Grpc.Net.Client;

namespace DirectoryService.Cli;

/// <summary>
/// One command's connection: the channel to the silo, the tenant and the credentials taken from the
/// shared options (or their environment variables), the clients of each service, and how an answer or
/// a refusal is printed and turned into an exit code.
/// </summary>
public sealed class DirctlContext(GrpcChannel channel, string? tenant, Credentials credentials)
{
    public const string DefaultTarget = "https://127.0.0.1:5000";

    public Tenants.TenantsClient Tenants => new(Authorized(credentials.ForOperator()));

    public Users.UsersClient Users => new(ForTenant);

    public Groups.GroupsClient Groups => new(ForTenant);

    public Members.MembersClient Members => new(ForTenant);

    public SignIn.SignInClient SignIn => new(ForTenant);

    public DirectoryService.Grpc.V1.Import.ImportClient Import => new(ForTenant);

    public DirectoryService.Grpc.V1.Changes.ChangesClient Changes => new(ForTenant);

    private CallInvoker ForTenant => Authorized(credentials.ForTenant(tenant ?? throw new UsageException("this command needs --tenant (or DIRECTORY_TENANT)")));

    public async Task<IMessage> Health() => await new Health.HealthClient(channel).CheckAsync(new HealthCheckRequest());

    public Task<IMessage> Mint(string roles) =>
        Task.FromResult<IMessage>(new StringValue { Value = credentials.Mint(tenant, roles.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)) });

    /// <summary>Runs one call and prints its answer: exit 0 done, 1 refused by the service, 2 usage, 3 not serving.</summary>
    public static async Task<int> RunAsync(ParseResult result, Func<DirctlContext, Task<IMessage?>> call)
    {
        var target = result.GetValue(DirctlCommand.Target) ?? Environment.GetEnvironmentVariable("DIRECTORY_TARGET") ?? DefaultTarget;
        try
        {
            if (!Uri.TryCreate(target, UriKind.Absolute, out var address) || address.Scheme is not ("http" or "https"))
            {
                throw new UsageException($"--target '{target}' is not an http or https address");
            }

            using var channel = GrpcChannel.ForAddress(address, new GrpcChannelOptions
            {
                HttpHandler = Tls.Handler(result.GetValue(DirctlCommand.Ca) ?? Environment.GetEnvironmentVariable("DIRECTORY_CA")),
            });
            var credentials = new Credentials(
                result.GetValue(DirctlCommand.Token) ?? Environment.GetEnvironmentVariable("DIRECTORY_TOKEN"),
                result.GetValue(DirctlCommand.DevKey) ?? Environment.GetEnvironmentVariable("DIRECTORY_DEV_KEY"));
            var tenant = result.GetValue(DirctlCommand.Tenant) ?? Environment.GetEnvironmentVariable("DIRECTORY_TENANT");
            var answer = await call(new DirctlContext(channel, tenant, credentials));
            if (answer is null)
            {
                // The command printed as it went (a stream).
                return 0;
            }

            Output.Print(answer, result.GetValue(DirctlCommand.IdOnly), result.GetValue(DirctlCommand.Format));

            // A script waiting for readiness must not stop early: only SERVING exits 0.
            return answer is HealthCheckResponse { Status: not HealthCheckResponse.Types.ServingStatus.Serving } ? 3 : 0;
        }
        catch (UsageException e)
        {
            Console.Error.WriteLine($"dirctl: {e.Message}");
            return 2;
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.Unavailable)
        {
            Console.Error.WriteLine($"dirctl: Unavailable: cannot reach {target} ({e.Status.Detail})");
            return 1;
        }
        catch (RpcException e)
        {
            var field = e.GetRpcStatus()?.GetDetail<BadRequest>()?.FieldViolations.FirstOrDefault()?.Field;
            Console.Error.WriteLine($"dirctl: {e.StatusCode}: {e.Status.Detail}{(field is null ? "" : $" (field: {field})")}");
            return 1;
        }
    }

    private CallInvoker Authorized(string? token) => channel.Intercept(headers =>
    {
        if (token is not null)
        {
            headers.Add("authorization", "Bearer " + token);
        }

        return headers;
    });
}

/// <summary>A command line that does not fit; the message says what is wrong.</summary>
public sealed class UsageException(string message) : Exception(message);

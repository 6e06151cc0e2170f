using DirectoryService.Cli;
using Google.Protobuf;
using Google.Rpc;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;

try
{
    var arguments = new Arguments(args, Commands.Flags);
    if (arguments.Count == 0)
    {
        throw new UsageException("name a command");
    }

    var target = arguments.Option("target") ?? Environment.GetEnvironmentVariable("DIRECTORY_TARGET") ?? "https://127.0.0.1:5000";
    using var channel = GrpcChannel.ForAddress(target, new GrpcChannelOptions { HttpHandler = Tls.Handler(arguments.Option("ca") ?? Environment.GetEnvironmentVariable("DIRECTORY_CA")) });
    var credentials = new Credentials(
        arguments.Option("token") ?? Environment.GetEnvironmentVariable("DIRECTORY_TOKEN"),
        arguments.Option("dev-key") ?? Environment.GetEnvironmentVariable("DIRECTORY_DEV_KEY"));
    var tenant = arguments.Option("tenant") ?? Environment.GetEnvironmentVariable("DIRECTORY_TENANT");
    var answer = await new Commands(channel, tenant, credentials).RunAsync(arguments);
    if (answer is Google.Protobuf.WellKnownTypes.StringValue text)
    {
        Console.WriteLine(text.Value);
        return 0;
    }

    var id = answer.Descriptor.FindFieldByName("id");

    Console.WriteLine(arguments.Flag("id") && id is not null
        ? id.Accessor.GetValue(answer)
        : new JsonFormatter(JsonFormatter.Settings.Default.WithIndentation().WithFormatDefaultValues(true)).Format(answer));

    // A script waiting for readiness must not stop early: only SERVING exits 0.
    return answer is HealthCheckResponse { Status: not HealthCheckResponse.Types.ServingStatus.Serving } ? 3 : 0;
}
catch (UsageException e)
{
    Console.Error.WriteLine($"dirctl: {e.Message}\n{Commands.Usage}");
    return 2;
}
catch (RpcException e)
{
    var field = e.GetRpcStatus()?.GetDetail<BadRequest>()?.FieldViolations.FirstOrDefault()?.Field;
    Console.Error.WriteLine($"dirctl: {e.StatusCode}: {e.Status.Detail}{(field is null ? "" : $" (field: {field})")}");
    return 1;
}

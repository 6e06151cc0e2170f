using DirectoryService.Cli;
using Google.Protobuf;
using Google.Rpc;
using Grpc.Core;
using Grpc.Net.Client;

try
{
    var arguments = new Arguments(args, Commands.Flags);
    if (arguments.Count == 0)
    {
        throw new UsageException("name a command");
    }

    var target = arguments.Option("target") ?? Environment.GetEnvironmentVariable("DIRECTORY_TARGET") ?? "http://127.0.0.1:5000";
    using var channel = GrpcChannel.ForAddress(target);
    var answer = await new Commands(channel, arguments.Option("tenant") ?? Environment.GetEnvironmentVariable("DIRECTORY_TENANT")).RunAsync(arguments);
    var id = answer.Descriptor.FindFieldByName("id");
    Console.WriteLine(arguments.Flag("id") && id is not null
        ? id.Accessor.GetValue(answer)
        : new JsonFormatter(JsonFormatter.Settings.Default.WithIndentation()).Format(answer));
    return 0;
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

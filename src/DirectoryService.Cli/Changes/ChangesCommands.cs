using System.CommandLine;
using DirectoryService.Grpc.V1;
using Google.Protobuf;
using Grpc.Core;

namespace DirectoryService.Cli.Changes;

/// <summary>
/// <c>dirctl delta users|groups [--token T] [--all]</c>: one page of a delta round (or, with
/// <c>--all</c>, every page of it merged, ending with its deltaToken); without a token the round
/// enumerates everything. <c>dirctl watch users|groups [--token T]</c>: follows the changes as
/// they are acknowledged, one JSON line per change (and per heartbeat), each with the token to
/// resume after it, until interrupted.
/// </summary>
public static class ChangesCommands
{
    private static readonly JsonFormatter Line = new(JsonFormatter.Settings.Default);

    public static Command Delta()
    {
        var kind = Kind();
        var token = new Option<string>("--token") { Description = "A deltaToken or nextPageToken from an earlier answer (default: start by enumerating everything)", DefaultValueFactory = _ => "" };
        var latest = new Option<bool>("--latest") { Description = "Print only a deltaToken at the current end of the changes, without enumerating" };
        var pageSize = new Option<int>("--page-size") { Description = "Objects per page, 1..999 (default 100)" };
        var all = new Option<bool>("--all") { Description = "Follow nextPageToken to the end of the round and print every object, with the round's deltaToken" };
        var tokenOnly = new Option<bool>("--token-only") { Description = "Print only the token to continue from: the deltaToken, or the nextPageToken of an unfinished round" };
        var command = new Command("delta", "What changed in the tenant's users or groups since a token (groups with members added and removed)")
        {
            Arguments = { kind },
            Options = { token, latest, pageSize, all, tokenOnly },
        };
        command.SetAction((result, cancellation) => DirctlContext.RunAsync(result, async context =>
        {
            var request = new DeltaRequest { Token = result.GetValue(token)!, Latest = result.GetValue(latest), PageSize = result.GetValue(pageSize) };
            var answer = result.GetValue(kind) == "users"
                ? await RoundAsync(request, result.GetValue(all), r => context.Changes.DeltaUsersAsync(r, cancellationToken: cancellation).ResponseAsync, (a, b) => a.Users.Add(b.Users))
                : await RoundAsync(request, result.GetValue(all), r => context.Changes.DeltaGroupsAsync(r, cancellationToken: cancellation).ResponseAsync, (a, b) => a.Groups.Add(b.Groups));
            return result.GetValue(tokenOnly) ? new Google.Protobuf.WellKnownTypes.StringValue { Value = ContinueFrom(answer) } : answer;
        }));
        return command;
    }

    public static Command Watch()
    {
        var kind = Kind();
        var token = new Option<string>("--token") { Description = "A token to follow from (a deltaToken, nextPageToken or a line's token; default: from now)", DefaultValueFactory = _ => "" };
        var heartbeat = new Option<int>("--heartbeat") { Description = "Seconds between heartbeat lines while nothing changes, 1..60 (default 10)" };
        var command = new Command("watch", "Follow the tenant's user or group changes as they happen: one JSON line per change, until interrupted")
        {
            Arguments = { kind },
            Options = { token, heartbeat },
        };
        command.SetAction((result, cancellation) => DirctlContext.RunAsync(result, async context =>
        {
            var request = new WatchChangesRequest
            {
                Kind = result.GetValue(kind) == "users" ? ChangeKind.Users : ChangeKind.Groups,
                Token = result.GetValue(token)!,
                HeartbeatSeconds = result.GetValue(heartbeat),
            };
            using var call = context.Changes.WatchChanges(request, cancellationToken: cancellation);
            try
            {
                while (await call.ResponseStream.MoveNext(cancellation))
                {
                    Print(call.ResponseStream.Current);
                }
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.Cancelled && cancellation.IsCancellationRequested)
            {
                // Interrupted: the last line printed holds the token to resume from.
            }

            return null;
        }));
        return command;
    }

    private static Argument<string> Kind()
    {
        var kind = new Argument<string>("kind") { Description = "users or groups" };
        kind.AcceptOnlyFromAmong("users", "groups");
        return kind;
    }

    /// <summary>One page, or with <paramref name="all"/> every page of the round merged into the first, with the last page's tokens.</summary>
    private static async Task<IMessage> RoundAsync<T>(DeltaRequest request, bool all, Func<DeltaRequest, Task<T>> read, Action<T, T> merge)
        where T : IMessage<T>
    {
        var first = await read(request);
        var next = first.Descriptor.FindFieldByName("next_page_token").Accessor;
        var delta = first.Descriptor.FindFieldByName("delta_token").Accessor;
        for (var page = first; all && (string)next.GetValue(page) is { Length: > 0 } token;)
        {
            page = await read(new DeltaRequest { Token = token, PageSize = request.PageSize });
            merge(first, page);
            next.SetValue(first, next.GetValue(page));
            delta.SetValue(first, delta.GetValue(page));
        }

        return first;
    }

    /// <summary>The token a follower keeps from an answer: its deltaToken, else its nextPageToken.</summary>
    private static string ContinueFrom(IMessage answer)
    {
        var delta = (string)answer.Descriptor.FindFieldByName("delta_token").Accessor.GetValue(answer);
        return delta.Length > 0 ? delta : (string)answer.Descriptor.FindFieldByName("next_page_token").Accessor.GetValue(answer);
    }

    /// <summary>A stream message as lines: each change with the message's resume token, or one heartbeat line.</summary>
    private static void Print(WatchChangesResponse message)
    {
        var token = Line.Format(new Google.Protobuf.WellKnownTypes.Value { StringValue = message.Token });
        if (message.Heartbeat)
        {
            Console.WriteLine($"{{\"heartbeat\":true,\"token\":{token}}}");
        }

        foreach (var change in message.Users.Cast<IMessage>().Concat(message.Groups))
        {
            Console.WriteLine($"{{\"change\":{Line.Format(change)},\"token\":{token}}}");
        }

        Console.Out.Flush();
    }
}

using DirectoryService.Grpc.Clients;
using DirectoryService.Grpc.V1;
using DirectoryService.Testing;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Xunit.Abstractions;

namespace DirectoryService.Silo.Tests;

/// <summary>
/// Model-based: a seeded random history of creates, updates, renames, deletes, restores,
/// membership adds and removes and nesting changes, made through two silo processes in concurrent
/// bursts, while one follower applies Delta pages (sometimes during a burst) and another follows
/// WatchChanges for both kinds. Mid-history one silo is killed (SIGKILL) and started again; the
/// followers resume from their last tokens. The directory read through the normal API is the
/// truth: the delta mirror must equal it at every round's token taken while no write runs, and
/// both mirrors at the end.
/// </summary>
[Collection(nameof(ClusterTests))]
public sealed class ChangeFollowerTests(ITestOutputHelper output)
{
    private const int Steps = 90;

    [Theory]
    [InlineData(3)]
    [InlineData(8)]
    [InlineData(21)]
    public async Task Followers_OfRandomHistories_EndExact_AcrossASiloKill(int seed)
    {
        var cluster = await ClusterSettings.NewAsync();
        var silos = await Task.WhenAll(new[] { "a", "b" }.Select(n => SiloProcess.StartAsync($"changes-{seed}-{n}", cluster)));
        var random = new Random(seed);
        var tenant = "changes-" + seed;
        using var stop = new CancellationTokenSource();
        try
        {
            await DirectoryClient.CreateTenantAsync(silos[0].Channel, tenant);
            DirectoryClient Client(int i) => new(silos[i].Channel, tenant);
            var history = new History(random, tenant);
            for (var i = 0; i < 4; i++)
            {
                await history.StepAsync(Client(i % 2));
            }

            // The watcher follows through silo b, the one that will be killed; it resumes on whichever silo lives.
            var watched = new DirectoryMirror();
            await SyncAsync(watched, Client(1), 2);
            var live = 1;
            var watchers = new[] { ChangeKind.Users, ChangeKind.Groups }.Select(kind => Task.Run(() => WatchAsync(kind, watched, () => Client(Volatile.Read(ref live)), stop.Token))).ToArray();

            var mirror = new DirectoryMirror();
            var killAt = random.Next(Steps / 3, 2 * Steps / 3);
            var rounds = 0;
            for (var step = 0; step < Steps; step++)
            {
                if (step == killAt)
                {
                    Volatile.Write(ref live, 0);
                    await silos[1].KillAsync();
                    output.WriteLine($"seed {seed}: killed silo b at step {step}, {DateTime.UtcNow:HH:mm:ss.fff}");
                }
                else if (step == killAt + 10)
                {
                    await silos[1].DisposeAsync();
                    silos[1] = await SiloProcess.StartAsync($"changes-{seed}-b2", cluster);
                    Volatile.Write(ref live, 1);
                }

                var up = step >= killAt && step < killAt + 10 ? [0] : new[] { 0, 1 };
                var burst = Enumerable.Range(0, 1 + random.Next(3)).Select(_ => history.StepAsync(Client(up[random.Next(up.Length)]))).ToList();
                if (random.Next(4) == 0)
                {
                    // A delta round read while writes are under way: complete later, never exact now.
                    burst.Add(SyncAsync(mirror, Client(up[random.Next(up.Length)]), random.Next(1, 6)));
                }

                await Task.WhenAll(burst);
                if (random.Next(5) == 0)
                {
                    await SyncAsync(mirror, Client(up[random.Next(up.Length)]), random.Next(1, 6));
                    await AssertExactAsync(Client(up[random.Next(up.Length)]), mirror, $"delta mirror at step {step}", history);
                    rounds++;
                }
            }

            // A write whose silo died under it may still complete (within the grain call timeout): at the end,
            // later rounds must bring the mirror to the directory (a change skipped before a token never would).
            var reader = Client(0);
            await Wait.UntilAsync(async () =>
            {
                await SyncAsync(mirror, Client(1), 3);
                return (await MirrorChecks.DifferencesAsync(reader.Users, reader.Groups, reader.Members, mirror)).Count == 0;
            }, TimeSpan.FromSeconds(45), "the delta mirror to equal the directory");
            await Wait.UntilAsync(async () => (await MirrorChecks.DifferencesAsync(reader.Users, reader.Groups, reader.Members, Locked(watched))).Count == 0,
                TimeSpan.FromSeconds(45), "the watch mirror to equal the directory");
            lock (_resumed)
            {
                _resumed.ForEach(r => output.WriteLine($"delta read resumed after {r}"));
            }

            output.WriteLine($"seed {seed}: {history.Summary}; {rounds} exact intermediate rounds; delta applied {mirror.Applied}, watch applied {watched.Applied}; {mirror.Users.Count} users, {mirror.Groups.Count} groups");
        }
        catch
        {
            foreach (var silo in silos)
            {
                output.WriteLine($"--- silo {silo.Name}:\n{silo.Output()}");
            }

            throw;
        }
        finally
        {
            stop.Cancel();
            foreach (var silo in silos)
            {
                await silo.DisposeAsync();
            }
        }
    }

    /// <summary>Delta reads that failed while a silo died under them (and were resumed): an availability matter, not one of exactness.</summary>
    private readonly List<string> _resumed = [];

    private async Task SyncAsync(DirectoryMirror mirror, DirectoryClient client, int pageSize)
    {
        // Resumes from the last page applied when a silo fails under it. A read that failed with
        // INTERNAL around the kill is resumed too, and reported: it must not cost exactness.
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await mirror.SyncUsersAsync(client.Changes, pageSize);
                await mirror.SyncGroupsAsync(client.Changes, pageSize);
                return;
            }
            catch (RpcException e) when (e.StatusCode is StatusCode.Unavailable or StatusCode.Internal && attempt < 5)
            {
                lock (_resumed)
                {
                    _resumed.Add($"{DateTime.UtcNow:HH:mm:ss.fff} {e.StatusCode}: {e.Status.Detail}");
                }

                await Task.Delay(500);
            }
        }
    }

    private async Task AssertExactAsync(DirectoryClient client, DirectoryMirror mirror, string what, History history)
    {
        var differences = await MirrorChecks.DifferencesAsync(client.Users, client.Groups, client.Members, mirror, history.Uncertain);
        if (differences.Count > 0)
        {
            var ids = differences.SelectMany(d => d.Split(' ').Where(w => Guid.TryParse(w, out _))).ToList();
            await SyncAsync(mirror, client, 100);
            var after = await MirrorChecks.DifferencesAsync(client.Users, client.Groups, client.Members, mirror, history.Uncertain);
            Assert.Fail($"{what} ({DateTime.UtcNow:HH:mm:ss.fff}):\n{string.Join("\n", differences.Take(20))}\nafter one more round: {after.Count} differences\nhistory of those ids:\n{history.About(ids)}");
        }
    }

    /// <summary>Follows one kind into the mirror, reconnecting with the last token it applied whenever the stream breaks.</summary>
    private static async Task WatchAsync(ChangeKind kind, DirectoryMirror mirror, Func<DirectoryClient> client, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                string token;
                lock (mirror)
                {
                    token = kind == ChangeKind.Users ? mirror.UsersToken : mirror.GroupsToken;
                }

                using var call = client().Changes.WatchChanges(new WatchChangesRequest { Kind = kind, Token = token, HeartbeatSeconds = 1 }, cancellationToken: stop);
                while (await call.ResponseStream.MoveNext(stop))
                {
                    lock (mirror)
                    {
                        mirror.Apply(call.ResponseStream.Current, kind);
                    }
                }
            }
            catch (RpcException) when (!stop.IsCancellationRequested)
            {
                await Task.Delay(200, CancellationToken.None);
            }
            catch (Exception) when (stop.IsCancellationRequested)
            {
                return;
            }
        }
    }

    private static DirectoryMirror Locked(DirectoryMirror mirror)
    {
        lock (mirror)
        {
            return mirror.Snapshot();
        }
    }

    /// <summary>The random history: what exists, and one operation per step on a random object (refusals the rules call for are fine).</summary>
    private sealed class History(Random random, string tenant)
    {
        private readonly List<string> _users = [];
        private readonly List<string> _groups = [];
        private readonly Dictionary<string, int> _counts = [];
        private readonly HashSet<string> _uncertain = [];
        private readonly List<string> _log = [];

        /// <summary>What the history did to any of these ids, in order: for a failure's message.</summary>
        public string About(IEnumerable<string> ids)
        {
            lock (_counts)
            {
                return string.Join("\n", _log.Where(l => ids.Any(id => l.Contains(id, StringComparison.Ordinal))));
            }
        }
        private int _created;

        /// <summary>Objects a write of unknown outcome touched (its silo died under it): it may still take effect.</summary>
        public IReadOnlySet<string> Uncertain
        {
            get
            {
                lock (_uncertain)
                {
                    return new HashSet<string>(_uncertain);
                }
            }
        }

        public string Summary => string.Join(", ", _counts.OrderBy(c => c.Key).Select(c => $"{c.Value} {c.Key}"));

        public async Task StepAsync(DirectoryClient client)
        {
            string op;
            int pick;
            lock (random)
            {
                pick = random.Next(100);
            }

            lock (_users)
            {
                pick = _users.Count < 3 ? 0 : _groups.Count < 2 ? 15 : pick;
            }

            var user = Any(_users);
            var group = Any(_groups);
            var other = Any(_groups);
            try
            {
                switch (pick)
                {
                    case < 12:
                        op = "user creates";
                        var n = Interlocked.Increment(ref _created);
                        var created = await client.Users.CreateUserAsync(new CreateUserRequest { User = new User { UserPrincipalName = $"u{n}@{tenant}.example.com", DisplayName = "u" + n, AccountEnabled = true } });
                        lock (_users)
                        {
                            _users.Add(created.Id);
                        }

                        break;
                    case < 20:
                        op = "group creates";
                        var g = await client.Groups.CreateGroupAsync(new CreateGroupRequest { Group = new Group { DisplayName = "g" + Interlocked.Increment(ref _created), SecurityEnabled = true } });
                        lock (_users)
                        {
                            _groups.Add(g.Id);
                        }

                        break;
                    case < 30:
                        op = "user updates";
                        await client.Users.UpdateUserAsync(new UpdateUserRequest { User = new User { Id = user, JobTitle = "t" + pick, AccountEnabled = pick % 2 == 0 }, UpdateMask = new FieldMask { Paths = { "job_title", "account_enabled" } } });
                        break;
                    case < 35:
                        op = "user renames";
                        await client.Users.UpdateUserAsync(new UpdateUserRequest { User = new User { Id = user, UserPrincipalName = $"r{Interlocked.Increment(ref _created)}@{tenant}.example.com" }, UpdateMask = new FieldMask { Paths = { "user_principal_name" } } });
                        break;
                    case < 41:
                        op = "user deletes";
                        await client.Users.DeleteUserAsync(new DeleteUserRequest { Id = user });
                        break;
                    case < 47:
                        op = "user restores";
                        await client.Users.RestoreUserAsync(new RestoreUserRequest { Id = user });
                        break;
                    case < 51:
                        op = "group renames";
                        await client.Groups.UpdateGroupAsync(new UpdateGroupRequest { Group = new Group { Id = group, DisplayName = "n" + pick }, UpdateMask = new FieldMask { Paths = { "display_name" } } });
                        break;
                    case < 54:
                        op = "group deletes";
                        await client.Groups.DeleteGroupAsync(new DeleteGroupRequest { Id = group });
                        break;
                    case < 58:
                        op = "group restores";
                        await client.Groups.RestoreGroupAsync(new RestoreGroupRequest { Id = group });
                        break;
                    case < 76:
                        op = "member adds";
                        await client.Members.AddMembersAsync(new AddMembersRequest { GroupId = group, Members = { new DirectoryObjectRef { Id = user, Type = ObjectType.User }, new DirectoryObjectRef { Id = Any(_users), Type = ObjectType.User } } });
                        break;
                    case < 84:
                        op = "nestings";
                        await client.Members.AddMembersAsync(new AddMembersRequest { GroupId = group, Members = { new DirectoryObjectRef { Id = other, Type = ObjectType.Group } } });
                        break;
                    case < 94:
                        op = "member removes";
                        await client.Members.RemoveMemberAsync(new RemoveMemberRequest { GroupId = group, Member = new DirectoryObjectRef { Id = user, Type = ObjectType.User } });
                        break;
                    default:
                        op = "un-nestings";
                        await client.Members.RemoveMemberAsync(new RemoveMemberRequest { GroupId = group, Member = new DirectoryObjectRef { Id = other, Type = ObjectType.Group } });
                        break;
                }
            }
            catch (RpcException e) when (e.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded or StatusCode.Cancelled)
            {
                // The silo died under it: outcome unknown, and it may yet complete.
                op = "of unknown outcome";
                lock (_uncertain)
                {
                    _uncertain.UnionWith([user, group, other]);
                }
            }
            catch (RpcException e) when (e.StatusCode is StatusCode.NotFound or StatusCode.FailedPrecondition or StatusCode.AlreadyExists)
            {
                // The rules refused it (or the silo died under it): the directory, read back, is still the truth.
                op = "refused or failed";
            }

            lock (_counts)
            {
                _counts[op] = _counts.GetValueOrDefault(op) + 1;
                _log.Add($"{DateTime.UtcNow:HH:mm:ss.fff} pick {pick} {op}: user {user} group {group} other {other}");
            }
        }

        private string Any(List<string> ids)
        {
            lock (_users)
            {
                lock (random)
                {
                    return ids.Count == 0 ? Guid.NewGuid().ToString() : ids[random.Next(ids.Count)];
                }
            }
        }
    }
}

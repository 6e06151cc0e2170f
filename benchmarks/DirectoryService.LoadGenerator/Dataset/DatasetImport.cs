using System.Diagnostics;
using DirectoryService.Grpc.Clients;
using DirectoryService.Grpc.V1;
using DirectoryService.LoadGenerator.Workloads;

namespace DirectoryService.LoadGenerator.Dataset;

/// <summary>
/// Loads the dataset with the bulk import (<c>Import/ImportRecords</c>), as an HR export would
/// arrive: users (external id <c>u{index}</c>), groups (<c>g{index}</c>), the nesting, then the users'
/// memberships grouped by group; then lists the tenant to learn the ids the service assigned.
/// Running it again over a loaded tenant measures a re-run, which must change nothing.
/// </summary>
public sealed class DatasetImport(TenantClients tenant, Dataset dataset, string idsPath)
{
    public async Task<ImportResult> RunAsync(string step)
    {
        await tenant.EnsureTenantAsync();
        var clock = Stopwatch.StartNew();
        var answers = 0L;
        using var progress = new Timer(_ => Console.Error.WriteLine($"  … {Interlocked.Read(ref answers)} batches answered"), null, TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(15));
        // When the answers passed the users, then the groups (records are answered in order): the phases' times.
        double usersDone = 0, groupsDone = 0;
        var counts = await ImportUpload.RunAsync(tenant.Import, Records(), answer =>
        {
            Interlocked.Increment(ref answers);
            if (usersDone == 0 && answer.Counts.Records >= dataset.UserCount)
            {
                usersDone = clock.Elapsed.TotalSeconds;
            }

            if (groupsDone == 0 && answer.Counts.Records >= dataset.UserCount + dataset.GroupCount)
            {
                groupsDone = clock.Elapsed.TotalSeconds;
            }
        }, retry: ImportRetry.Default with
        {
            Retrying = (error, attempt, delay) => Console.Error.WriteLine($"  … attempt {attempt} failed ({error.Status.Detail}); running the import again from the start in {delay.TotalSeconds:0.#} s"),
        });
        var imported = clock.Elapsed.TotalSeconds;
        Console.Error.WriteLine($"  … import done in {imported:0.0} s: {counts.Created} created, {counts.Updated} updated, {counts.Unchanged} unchanged, {counts.Rejected} rejected; listing the ids");

        var ids = new DatasetIds(await UserIdsAsync(), await GroupIdsAsync()).Require(dataset);
        await ids.SaveAsync(idsPath);
        return new ImportResult(step, dataset.Scale, counts.Records, counts.Created, counts.Updated, counts.Unchanged, counts.Rejected,
            Math.Round(imported, 1), Math.Round(counts.Records / imported, 1), Math.Round(usersDone, 1), Math.Round(groupsDone, 1),
            Math.Round(clock.Elapsed.TotalSeconds - imported, 1));
    }

    private IEnumerable<ImportRecord> Records()
    {
        long line = 0;
        for (var u = 0; u < dataset.UserCount; u++)
        {
            yield return new ImportRecord
            {
                Position = ++line,
                User = new ImportUser { ExternalId = "u" + u, UserPrincipalName = $"{Dataset.UserName(u)}@{tenant.Domain}", DisplayName = "User " + u, AccountEnabled = true },
            };
        }

        for (var g = 0; g < dataset.GroupCount; g++)
        {
            yield return new ImportRecord { Position = ++line, Group = new ImportGroup { ExternalId = "g" + g, DisplayName = dataset.GroupName(g), SecurityEnabled = true } };
        }

        var byLeaf = dataset.UsersByLeaf();
        for (var g = byLeaf.Length; g < dataset.AllUsersGroup; g++)
        {
            foreach (var child in dataset.GroupMembers[g])
            {
                yield return Membership(++line, g, "g" + child, isGroup: true);
            }
        }

        for (var g = 0; g < byLeaf.Length; g++)
        {
            foreach (var u in byLeaf[g])
            {
                yield return Membership(++line, g, "u" + u, isGroup: false);
            }
        }

        for (var u = 0; u < dataset.UserCount; u++)
        {
            yield return Membership(++line, dataset.AllUsersGroup, "u" + u, isGroup: false);
        }
    }

    private static ImportRecord Membership(long line, int group, string member, bool isGroup) => new()
    {
        Position = line,
        Membership = new ImportMembership { GroupExternalId = "g" + group, MemberExternalId = member, MemberIsGroup = isGroup },
    };

    /// <summary>
    /// A page of the listing, asked again while the service answers UNAVAILABLE (storage stalled past
    /// its bound: Azurite on disk, re-saving a large database, can take its thread for seconds at a
    /// time) or not within a minute (after a cold re-run a page was once never answered, the silo
    /// holding no request: benchmarks/RESULTS.md, 2026-12-04).
    /// </summary>
    /// <summary>How a listing page is asked again: the import client's backoff (2 s doubling to 15 s, or the service's RetryInfo), ten attempts.</summary>
    private static readonly ImportRetry ListingRetry = new(10, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(15));

    private static async Task<T> ListedAsync<T>(Func<DateTime, Task<T>> page)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await page(DateTime.UtcNow.AddMinutes(1));
            }
            catch (global::Grpc.Core.RpcException e) when (e.StatusCode is global::Grpc.Core.StatusCode.Unavailable or global::Grpc.Core.StatusCode.DeadlineExceeded && attempt < ListingRetry.Attempts)
            {
                var delay = ListingRetry.Delay(attempt, e);
                Console.Error.WriteLine($"  … listing: {e.Status.Detail}; asking again in {delay.TotalSeconds:0} s");
                await Task.Delay(delay);
            }
        }
    }

    private async Task<string[]> UserIdsAsync()
    {
        var ids = new string[dataset.UserCount];
        var request = new ListUsersRequest { PageSize = 999 };
        do
        {
            var page = await ListedAsync(deadline => tenant.Users.ListUsersAsync(request, deadline: deadline).ResponseAsync);
            // Users a workload beside the import created (import+create-user) have no external id.
            foreach (var user in page.Users.Where(u => u.ExternalId.Length > 0))
            {
                ids[int.Parse(user.ExternalId[1..])] = user.Id;
            }

            request.PageToken = page.NextPageToken;
        }
        while (request.PageToken.Length > 0);
        return ids;
    }

    private async Task<string[]> GroupIdsAsync()
    {
        var ids = new string[dataset.GroupCount];
        var request = new ListGroupsRequest { PageSize = 999 };
        do
        {
            var page = await ListedAsync(deadline => tenant.Groups.ListGroupsAsync(request, deadline: deadline).ResponseAsync);
            foreach (var group in page.Groups.Where(g => g.ExternalId.Length > 0))
            {
                ids[int.Parse(group.ExternalId[1..])] = group.Id;
            }

            request.PageToken = page.NextPageToken;
        }
        while (request.PageToken.Length > 0);
        return ids;
    }
}

/// <summary>
/// What one import of the dataset did: counts, time in all, when the users and then the groups were
/// done (batches mix kinds at the boundaries), and how long listing the assigned ids took after it.
/// </summary>
public sealed record ImportResult(
    string Workload, double Scale, long Records, long Created, long Updated, long Unchanged, long Rejected,
    double Seconds, double RecordsPerSecond, double UsersDoneAt, double GroupsDoneAt, double ListSeconds);

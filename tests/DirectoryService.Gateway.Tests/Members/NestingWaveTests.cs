using System.Collections.Immutable;
using DirectoryService.Abstractions.Common;
using DirectoryService.Abstractions.Membership;
using DirectoryService.Gateway.Tests.Infrastructure;
using DirectoryService.Grpc.V1;

namespace DirectoryService.Gateway.Tests.Members;

/// <summary>
/// Nestings taken in one call (<see cref="INestingGrain.NestAsync"/>) end exactly as the same
/// nestings added one at a time, in order: the same pairs added, the same refused with the same
/// error — cycles closed through earlier pairs of the call, self-nesting, repeats, deleted groups.
/// </summary>
[Collection(SiloCollection.Name)]
public sealed class NestingWaveTests(SiloFixture silo)
{
    private const int Groups = 12;

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task NestingsInOneCall_EndAsTheSameNestingsOneAtATime(int seed)
    {
        var random = new Random(seed);
        var pairs = Enumerable.Range(0, 60).Select(_ => (Group: random.Next(Groups), Member: random.Next(Groups))).ToList();
        var (together, alone) = (await silo.NewTenantAsync(), await silo.NewTenantAsync());
        var (ours, theirs) = (await GroupsAsync(together), await GroupsAsync(alone));

        var waves = await silo.Grains.GetGrain<INestingGrain>(together.Id).NestAsync([.. pairs.Select(p => new Nesting(ours[p.Group], ours[p.Member]))]);
        var oneByOne = new List<NestingResult>();
        foreach (var (group, member) in pairs)
        {
            try
            {
                var added = await silo.Grains.GetGrain<INestingGrain>(alone.Id).AddMembersAsync(theirs[group], [ObjectRef.Group(theirs[member])]);
                oneByOne.Add(new NestingResult(added > 0));
            }
            catch (DirectoryException e)
            {
                oneByOne.Add(new NestingResult(false, e));
            }
        }

        Assert.Equal(pairs.Count, waves.Length);
        Assert.Contains(oneByOne, r => r.Error is not null && r.Error.Description.Contains("cycle", StringComparison.Ordinal));
        Assert.Contains(oneByOne, r => r.Added);
        for (var k = 0; k < pairs.Count; k++)
        {
            Assert.Equal(Outcome(oneByOne[k]), Outcome(waves[k]));
        }

        // And the same edges are stored, group by group (the deleted one lists nothing).
        for (var g = 0; g < Groups - 1; g++)
        {
            Assert.Equal(await NestedAsync(alone, theirs[g], theirs), await NestedAsync(together, ours[g], ours));
        }
    }

    /// <summary>The tenant's groups, the last of them deleted (nesting it, or in it, is refused).</summary>
    private static async Task<List<string>> GroupsAsync(TestTenant t)
    {
        var ids = new List<string>();
        for (var g = 0; g < Groups; g++)
        {
            ids.Add((await t.CreateGroupAsync("g" + g)).Id);
        }

        await t.Groups.DeleteGroupAsync(new DeleteGroupRequest { Id = ids[^1] });
        return ids;
    }

    private static (bool, string?, int?, string?) Outcome(NestingResult r) =>
        (r.Added, r.Error?.Code.ToString(), r.Error?.Field?.Index, r.Error?.Field?.Name);

    /// <summary>A group's nested groups, as indexes into the tenant's groups.</summary>
    private static async Task<List<int>> NestedAsync(TestTenant t, string groupId, List<string> ids)
    {
        var members = (await t.Members.ListMembersAsync(new ListMembersRequest { GroupId = groupId, PageSize = 100 })).Members;
        return [.. members.Select(m => ids.IndexOf(m.Id)).Order()];
    }
}

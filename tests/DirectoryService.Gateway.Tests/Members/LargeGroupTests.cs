using DirectoryService.Gateway.Tests.Infrastructure;
using DirectoryService.Grpc.V1;

namespace DirectoryService.Gateway.Tests.Members;

/// <summary>Member lists are bucketed rows of bounded size: work on one member costs the same in a group of any size.</summary>
[Collection(SiloCollection.Name)]
public sealed class LargeGroupTests(SiloFixture silo)
{
    [Fact]
    public async Task AddingOneMember_ReadsAndWritesTheSameRows_InALargeGroupAsInASmallOne()
    {
        var t = await silo.NewTenantAsync();
        var large = await t.CreateGroupAsync("large");
        var small = await t.CreateGroupAsync("small");
        foreach (var chunk in Enumerable.Range(0, 1000).Chunk(20))
        {
            var users = await Task.WhenAll(chunk.Select(_ => t.CreateUserAsync()));
            await t.AddAsync(large, users.Cast<object>().ToArray());
        }

        var largeCost = await CostOfAddingOneMemberAsync(t, large);
        var smallCost = await CostOfAddingOneMemberAsync(t, small);

        Assert.Equal(smallCost.Read, largeCost.Read);
        Assert.Equal(smallCost.Written, largeCost.Written);
        Assert.InRange(largeCost.Written, 1, 8);
        Assert.InRange(largeCost.Bytes, 1, 16 * 1024);
        Assert.Equal(1001 + 1, await CountMembersAsync(t, large));
    }

    /// <summary>Adds two members one after the other and returns the rows the second add read and wrote.</summary>
    private async Task<(long Read, long Written, long Bytes)> CostOfAddingOneMemberAsync(TestTenant t, Group group)
    {
        var first = await t.CreateUserAsync();
        var second = await t.CreateUserAsync();
        await t.AddAsync(group, first);
        var (read, written, bytes) = (silo.Rows.RowsRead, silo.Rows.RowsWritten, silo.Rows.BytesWritten);
        await t.AddAsync(group, second);
        return (silo.Rows.RowsRead - read, silo.Rows.RowsWritten - written, silo.Rows.BytesWritten - bytes);
    }

    private static async Task<int> CountMembersAsync(TestTenant t, Group group)
    {
        var count = 0;
        var request = new ListMembersRequest { GroupId = group.Id, PageSize = 999 };
        do
        {
            var page = await t.Members.ListMembersAsync(request);
            count += page.Members.Count;
            request.PageToken = page.NextPageToken;
        }
        while (request.PageToken != "");
        return count;
    }
}

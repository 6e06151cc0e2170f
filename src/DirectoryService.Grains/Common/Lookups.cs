using DirectoryService.Abstractions.Common;

namespace DirectoryService.Grains.Common;

/// <summary>Fan-out reads that tolerate objects vanishing between listing and loading.</summary>
public static class Lookups
{
    /// <summary>Loads every id concurrently, keeping order and leaving out those that answer NOT_FOUND.</summary>
    public static async Task<List<T>> LoadExistingAsync<T>(IEnumerable<string> ids, Func<string, Task<T>> load)
        where T : class
    {
        var loaded = await Task.WhenAll(ids.Select(async id =>
        {
            try
            {
                return await load(id);
            }
            catch (DirectoryException e) when (e.Code == DirectoryErrorCode.NotFound)
            {
                return null;
            }
        }));
        return [.. loaded.OfType<T>()];
    }
}

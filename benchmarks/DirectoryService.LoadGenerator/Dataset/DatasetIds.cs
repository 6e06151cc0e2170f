namespace DirectoryService.LoadGenerator.Dataset;

/// <summary>The ids the service assigned to the dataset's objects, by index; written by the loader, read by the workloads.</summary>
public sealed record DatasetIds(string[] Users, string[] Groups)
{
    public async Task SaveAsync(string path) =>
        await File.WriteAllLinesAsync(path, [$"{Users.Length} {Groups.Length}", .. Users, .. Groups]);

    /// <summary>What a loader phase recorded so far (groups may still be missing), or nothing.</summary>
    public static async Task<DatasetIds> LoadAsync(string path)
    {
        if (!File.Exists(path))
        {
            return new DatasetIds([], []);
        }

        var lines = await File.ReadAllLinesAsync(path);
        var counts = lines[0].Split(' ').Select(int.Parse).ToArray();
        return new DatasetIds(lines[1..(1 + counts[0])], lines[(1 + counts[0])..]);
    }

    /// <summary>Throws unless every object of <paramref name="dataset"/> has an id.</summary>
    public DatasetIds Require(Dataset dataset, bool groups = true) =>
        Users.Length == dataset.UserCount && (!groups || Groups.Length == dataset.GroupCount)
            ? this
            : throw new InvalidOperationException(
                $"the ids file holds {Users.Length} users and {Groups.Length} groups; the dataset has {dataset.UserCount} and {dataset.GroupCount}: " +
                "load it first (load phases users, groups, members) with the same --scale and --seed");
}

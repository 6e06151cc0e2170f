namespace DirectoryService.LoadGenerator.Dataset;

/// <summary>
/// The benchmark directory, generated from a seed: users, leaf groups and four levels of nesting
/// above them, plus an "All users" group. At scale 1: 100,000 users each a direct member of 10 of
/// 8,000 leaf groups; 1,500 groups of 8 leaves; 400 of 6 of those; 90 of 5 of those; 10 of 9 of
/// those; "All users" holds every user. Objects are named by index; the ids the service assigns
/// are recorded by the loader (<see cref="DatasetIds"/>). The same seed and scale always give the
/// same graph, so the ground truth (<see cref="GroupsOf"/>) needs no storage.
/// </summary>
public sealed class Dataset
{
    /// <summary>Group levels from the leaves up: (name prefix, count at scale 1, members drawn from the level below).</summary>
    private static readonly (string Prefix, int Count, int Children)[] Levels =
        [("leaf", 8_000, 0), ("l1-", 1_500, 8), ("l2-", 400, 6), ("l3-", 90, 5), ("l4-", 10, 9)];

    private const int LeavesPerUser = 10;

    private readonly int[][] _userLeaves;

    /// <summary>For each group (by global index), the groups (global indexes) directly above it.</summary>
    private readonly List<int>[] _parents;

    public Dataset(double scale, int seed)
    {
        Scale = scale;
        Seed = seed;
        var random = new Random(seed);
        UserCount = Math.Max(1, (int)Math.Round(100_000 * scale));
        LevelStart = new int[Levels.Length + 1];
        for (var level = 0; level < Levels.Length; level++)
        {
            var minimum = level == 0 ? LeavesPerUser : 1;
            LevelStart[level + 1] = LevelStart[level] + Math.Max(minimum, (int)Math.Round(Levels[level].Count * scale));
        }

        AllUsersGroup = LevelStart[^1];
        GroupCount = AllUsersGroup + 1;
        _parents = [.. Enumerable.Range(0, GroupCount).Select(_ => new List<int>())];
        GroupMembers = [.. Enumerable.Range(0, GroupCount).Select(_ => new List<int>())];

        _userLeaves = new int[UserCount][];
        for (var u = 0; u < UserCount; u++)
        {
            _userLeaves[u] = Pick(random, LeavesPerUser, LevelStart[0], LevelStart[1]);
        }

        for (var level = 1; level < Levels.Length; level++)
        {
            var below = LevelStart[level - 1];
            var belowCount = LevelStart[level] - below;
            for (var g = LevelStart[level]; g < LevelStart[level + 1]; g++)
            {
                foreach (var child in Pick(random, Math.Min(Levels[level].Children, belowCount), below, LevelStart[level]))
                {
                    GroupMembers[g].Add(child);
                    _parents[child].Add(g);
                }
            }
        }
    }

    public double Scale { get; }

    public int Seed { get; }

    public int UserCount { get; }

    /// <summary>Groups, by global index: leaves first, then each level up, then "All users".</summary>
    public int GroupCount { get; }

    public int AllUsersGroup { get; }

    /// <summary>First global group index of each level; the last entry is one past the top level.</summary>
    public int[] LevelStart { get; }

    /// <summary>For each group, the groups (global indexes) that are its direct members.</summary>
    public List<int>[] GroupMembers { get; }

    public long DirectMemberships => (long)UserCount * (LeavesPerUser + 1) + GroupMembers.Sum(m => (long)m.Count);

    public static string UserName(int user) => $"u{user}";

    public string GroupName(int group)
    {
        if (group == AllUsersGroup)
        {
            return "All users";
        }

        var level = Array.FindLastIndex(LevelStart, start => start <= group);
        return Levels[level].Prefix + (group - LevelStart[level]);
    }

    /// <summary>The leaf groups a user is directly in (plus "All users").</summary>
    public IEnumerable<int> DirectGroupsOf(int user) => _userLeaves[user].Append(AllUsersGroup);

    /// <summary>Users directly in each leaf group, by leaf; built on demand (the loader needs it once).</summary>
    public List<int>[] UsersByLeaf()
    {
        var byLeaf = Enumerable.Range(0, LevelStart[1]).Select(_ => new List<int>()).ToArray();
        for (var u = 0; u < UserCount; u++)
        {
            foreach (var leaf in _userLeaves[u])
            {
                byLeaf[leaf].Add(u);
            }
        }

        return byLeaf;
    }

    /// <summary>Ground truth: every group the user belongs to, directly or through nesting.</summary>
    public HashSet<int> GroupsOf(int user)
    {
        var seen = new HashSet<int>();
        var frontier = new Stack<int>(DirectGroupsOf(user));
        while (frontier.TryPop(out var group))
        {
            if (seen.Add(group))
            {
                _parents[group].ForEach(frontier.Push);
            }
        }

        return seen;
    }

    /// <summary><paramref name="count"/> distinct integers in [from, to), from the seeded sequence.</summary>
    private static int[] Pick(Random random, int count, int from, int to)
    {
        var picked = new HashSet<int>();
        while (picked.Count < count)
        {
            picked.Add(random.Next(from, to));
        }

        return [.. picked];
    }
}

namespace DirectoryService.Silo.Tests;

/// <summary>The membership graph as the test believes it to be: edges parent → child, and soft-deleted groups.</summary>
public sealed class MembershipModel
{
    private readonly HashSet<(string Parent, string Child)> _edges = [];
    private readonly HashSet<string> _deleted = [];

    public void Add(string parent, string child) => _edges.Add((parent, child));

    public void Remove(string parent, string child) => _edges.Remove((parent, child));

    public bool Has(string parent, string child) => _edges.Contains((parent, child));

    public void SetDeleted(string group, bool deleted)
    {
        if (deleted)
        {
            _deleted.Add(group);
        }
        else
        {
            _deleted.Remove(group);
        }
    }

    /// <summary>Whether adding parent → child would close a cycle (deleted groups count: they can be restored).</summary>
    public bool WouldCycle(string parent, string child)
    {
        var seen = new HashSet<string> { child };
        var frontier = new Queue<string>([child]);
        while (frontier.TryDequeue(out var next))
        {
            if (next == parent)
            {
                return true;
            }

            foreach (var (p, c) in _edges.Where(e => e.Parent == next))
            {
                if (seen.Add(c))
                {
                    frontier.Enqueue(c);
                }
            }
        }

        return false;
    }

    /// <summary>Live groups reachable upwards through live groups.</summary>
    public SortedSet<string> GroupsOf(string principal)
    {
        var result = new SortedSet<string>(StringComparer.Ordinal);
        var frontier = new Queue<string>([principal]);
        while (frontier.TryDequeue(out var next))
        {
            foreach (var (parent, _) in _edges.Where(e => e.Child == next && !_deleted.Contains(e.Parent)))
            {
                if (result.Add(parent))
                {
                    frontier.Enqueue(parent);
                }
            }
        }

        return result;
    }

    /// <summary>Users and live groups reachable downwards through live groups.</summary>
    public SortedSet<string> MembersOf(string group)
    {
        var result = new SortedSet<string>(StringComparer.Ordinal);
        var frontier = new Queue<string>([group]);
        while (frontier.TryDequeue(out var next))
        {
            foreach (var (_, child) in _edges.Where(e => e.Parent == next && !_deleted.Contains(e.Child)))
            {
                if (result.Add(child))
                {
                    frontier.Enqueue(child);
                }
            }
        }

        return result;
    }
}

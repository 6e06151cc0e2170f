using System.Buffers.Binary;
using System.Globalization;

namespace DirectoryService.Grains.Groups;

/// <summary>
/// What a group must know about its member rows before it can touch one: which buckets exist (the
/// hash prefixes of <see cref="MemberBuckets"/>) and how many nested groups it has. Kept in one row
/// (<see cref="MemberRows.Layout"/>) written in the same atomic write as every change to either, so
/// an activation learns both with one point read instead of a range read over its rows; and a group
/// with no nested groups answers a cycle check without reading anything.
/// <para>
/// The buckets always cover every hash exactly once, so they are the leaves of a 16-ary tree over hex
/// digits. The row stores that tree in preorder, one bit per node (1 split, 0 leaf): a group of a
/// million members (about 5,000 buckets) takes under a kilobyte.
/// </para>
/// </summary>
public sealed class MemberLayout
{
    private const int Digits = 8;

    public MemberLayout(IEnumerable<string> buckets, int nestedCount)
    {
        Buckets = new SortedSet<string>(buckets, StringComparer.Ordinal);
        if (Buckets.Count == 0)
        {
            // A group whose first bucket was never written has one implicit, empty bucket.
            Buckets.Add("");
        }

        NestedCount = nestedCount;
    }

    /// <summary>The layout of a group without members.</summary>
    public static MemberLayout Empty => new([], 0);

    public SortedSet<string> Buckets { get; }

    public int NestedCount { get; set; }

    public byte[] Encode()
    {
        var bits = new List<bool>();
        Walk("");
        var bytes = new byte[4 + ((bits.Count + 7) / 8)];
        BinaryPrimitives.WriteInt32LittleEndian(bytes, NestedCount);
        for (var i = 0; i < bits.Count; i++)
        {
            if (bits[i])
            {
                bytes[4 + (i / 8)] |= (byte)(1 << (i % 8));
            }
        }

        return bytes;

        void Walk(string node)
        {
            var split = !Buckets.Contains(node);
            if (split && node.Length >= Digits)
            {
                throw new InvalidOperationException($"the buckets do not cover hash {node}");
            }

            bits.Add(split);
            if (split)
            {
                foreach (var child in MemberBuckets.Children(node))
                {
                    Walk(child);
                }
            }
        }
    }

    public static MemberLayout Decode(byte[] value)
    {
        var buckets = new List<string>();
        var next = 0;
        Walk("");
        return new MemberLayout(buckets, BinaryPrimitives.ReadInt32LittleEndian(value));

        void Walk(string node)
        {
            var at = 4 + (next / 8);
            var split = at < value.Length && (value[at] & (1 << (next % 8))) != 0;
            next++;
            if (split && node.Length >= Digits)
            {
                throw new InvalidDataException("a member layout row splits a bucket of one hash value");
            }

            if (!split)
            {
                buckets.Add(node);
                return;
            }

            for (var d = 0; d < 16; d++)
            {
                Walk(node + d.ToString("x1", CultureInfo.InvariantCulture));
            }
        }
    }
}

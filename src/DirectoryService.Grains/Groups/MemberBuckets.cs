using System.Globalization;
using DirectoryService.Abstractions.Common;

namespace DirectoryService.Grains.Groups;

/// <summary>
/// How a group's direct members are laid out in rows: hashed into buckets that split as they fill
/// (extendible hashing over the hex digits of a member's hash). Each bucket row holds at most
/// <see cref="Capacity"/> members, so adding or removing one member reads and rewrites one small row
/// whatever the size of the group, and a group of a million members is a few thousand rows, not a
/// million. Bucket keys are hash prefixes (<c>b:_</c>, <c>b:_3</c>, <c>b:_3f</c>, …); the buckets of a
/// group always cover every hash exactly once. Members are listed in id order, which no split
/// changes, so a page cursor stays valid while the group grows.
/// </summary>
public static class MemberBuckets
{
    public const string Prefix = "b:";

    /// <summary>Most members in one bucket row (17 bytes each: about 4 KiB).</summary>
    public const int Capacity = 256;

    private const int EntrySize = 17;
    private const int HashDigits = 8;

    /// <summary>
    /// The member's hash: the first 8 hex digits of its id. Object ids are random (version 4) GUIDs
    /// that the service assigns, so these digits are spread uniformly, and the group's order (hash,
    /// then id) is simply id order.
    /// </summary>
    public static string Hash(string memberId) => memberId[..HashDigits];

    /// <summary>The bucket (hash prefix) holding <paramref name="hash"/>, given the group's buckets.</summary>
    public static string BucketOf(string hash, IReadOnlySet<string> buckets)
    {
        for (var length = 0; length <= HashDigits; length++)
        {
            if (buckets.Contains(hash[..length]))
            {
                return hash[..length];
            }
        }

        // A group whose first bucket was never written has one implicit, empty bucket.
        return "";
    }

    /// <summary>The 16 buckets one full bucket splits into.</summary>
    public static IEnumerable<string> Children(string bucket) =>
        bucket.Length >= HashDigits
            ? throw new InvalidOperationException("a bucket of one hash value cannot split")
            : Enumerable.Range(0, 16).Select(d => bucket + d.ToString("x1", CultureInfo.InvariantCulture));

    public static string Key(string bucket) => Prefix + "_" + bucket;

    public static string BucketOfKey(string key) => key[(Prefix.Length + 1)..];

    /// <summary>Members in (hash, id) order, 17 bytes each: kind, then the id's 16 bytes.</summary>
    public static byte[] Encode(IReadOnlyCollection<ObjectRef> members)
    {
        var bytes = new byte[members.Count * EntrySize];
        var i = 0;
        foreach (var member in Ordered(members))
        {
            bytes[i] = (byte)member.Kind;
            Guid.Parse(member.Id).TryWriteBytes(bytes.AsSpan(i + 1, 16), bigEndian: true, out _);
            i += EntrySize;
        }

        return bytes;
    }

    public static List<ObjectRef> Decode(byte[] value)
    {
        var members = new List<ObjectRef>(value.Length / EntrySize);
        for (var i = 0; i + EntrySize <= value.Length; i += EntrySize)
        {
            members.Add(new ObjectRef(new Guid(value.AsSpan(i + 1, 16), bigEndian: true).ToString("D"), (ObjectKind)value[i]));
        }

        return members;
    }

    /// <summary>Members in the group's order.</summary>
    public static IEnumerable<ObjectRef> Ordered(IEnumerable<ObjectRef> members) =>
        members.Select(m => (Hash: Hash(m.Id), Member: m))
            .OrderBy(m => m.Hash, StringComparer.Ordinal)
            .ThenBy(m => m.Member.Id, StringComparer.Ordinal)
            .Select(m => m.Member);

    /// <summary>True if <paramref name="member"/> comes after the member with id <paramref name="cursor"/> in the group's order.</summary>
    public static bool After(ObjectRef member, string cursor)
    {
        var order = string.CompareOrdinal(Hash(member.Id), Hash(cursor));
        return order > 0 || (order == 0 && string.CompareOrdinal(member.Id, cursor) > 0);
    }

    /// <summary>True if every hash in <paramref name="bucket"/> sorts before <paramref name="hash"/>.</summary>
    public static bool Before(string bucket, string hash) =>
        string.CompareOrdinal(bucket, hash[..Math.Min(bucket.Length, hash.Length)]) < 0;

    /// <summary>The number of members an encoded bucket holds, without decoding it.</summary>
    public static int Count(byte[] value) => value.Length / EntrySize;
}

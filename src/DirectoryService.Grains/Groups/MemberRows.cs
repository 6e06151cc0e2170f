using DirectoryService.Abstractions.Common;
using DirectoryService.Grains.Common;

namespace DirectoryService.Grains.Groups;

/// <summary>
/// The rows of a group's member set, all in one partition so that one change is one atomic write:
/// <c>b:_{hash prefix}</c> a bucket of direct members (<see cref="MemberBuckets"/>), <c>l:</c> the
/// group's <see cref="MemberLayout"/>, <c>n:{id}</c> a nested group (the edges a cycle check follows,
/// without scanning users), <c>o:{number}</c> the "member of" updates owed by one change (16 hex
/// digits, so key order is the changes' order; <c>o:</c> alone is the one row of earlier versions,
/// which sorts first).
/// </summary>
public static class MemberRows
{
    public const string Layout = "l:";
    public const string Nested = "n:";
    public const string Owed = "o:";

    /// <summary>The owed row of the change numbered <paramref name="number"/>.</summary>
    public static string OwedRow(long number) => Owed + number.ToString("x16", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The number of an owed row (0 for the single row of earlier versions).</summary>
    public static long OwedNumber(string row) =>
        row.Length == Owed.Length ? 0 : long.Parse(row.AsSpan(Owed.Length), System.Globalization.NumberStyles.AllowHexSpecifier, System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Per update: added (1) or removed (0), then the member packed (<see cref="PackedRefs"/>).</summary>
    private const int ChangeSize = 1 + PackedRefs.Size;

    public static byte[] EncodeChanges(IReadOnlyList<MemberOfChange> changes)
    {
        var bytes = new byte[changes.Count * ChangeSize];
        for (var i = 0; i < changes.Count; i++)
        {
            var at = bytes.AsSpan(i * ChangeSize, ChangeSize);
            at[0] = changes[i].Added ? (byte)1 : (byte)0;
            PackedRefs.Write(at[1..], changes[i].Member);
        }

        return bytes;
    }

    public static List<MemberOfChange> DecodeChanges(byte[] value)
    {
        var changes = new List<MemberOfChange>(value.Length / ChangeSize);
        for (var i = 0; i + ChangeSize <= value.Length; i += ChangeSize)
        {
            changes.Add(new MemberOfChange(PackedRefs.Read(value.AsSpan(i + 1)), value[i] == 1));
        }

        return changes;
    }
}

/// <summary>An update owed to a member's "member of" index.</summary>
public sealed record MemberOfChange(ObjectRef Member, bool Added);

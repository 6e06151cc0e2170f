using System.Text;
using DirectoryService.Abstractions.Common;
using DirectoryService.Abstractions.Rows;

namespace DirectoryService.Grains.Groups;

/// <summary>
/// The rows of a group's member set, all in one partition so that one change is one atomic write:
/// <c>b:_{hash prefix}</c> a bucket of direct members (<see cref="MemberBuckets"/>), <c>n:{id}</c> a
/// nested group (the edges a cycle check follows, without scanning users), <c>p:{sequence}</c> a
/// "member of" update still owed to a member.
/// </summary>
public static class MemberRows
{
    public const string Nested = "n:";
    public const string Pending = "p:";

    public static string PendingKey(long sequence) => Pending + sequence.ToString("D19", System.Globalization.CultureInfo.InvariantCulture);

    public static long PendingSequence(string key) => long.Parse(key.AsSpan(Pending.Length), System.Globalization.CultureInfo.InvariantCulture);

    public static byte[] EncodeChange(MemberOfChange change) =>
        [change.Added ? (byte)1 : (byte)0, (byte)change.Member.Kind, .. Encoding.UTF8.GetBytes(change.Member.Id)];

    public static MemberOfChange DecodeChange(byte[] value) =>
        new(new ObjectRef(Encoding.UTF8.GetString(value, 2, value.Length - 2), (ObjectKind)value[1]), value[0] == 1);
}

/// <summary>An update owed to a member's "member of" index.</summary>
public sealed record MemberOfChange(ObjectRef Member, bool Added);

using DirectoryService.Abstractions.Common;

namespace DirectoryService.Grains.Common;

/// <summary>
/// Object references packed <see cref="Size"/> bytes each — the kind, then the id's 16 bytes
/// big-endian — instead of ~45 as text, for rows that hold many of them (owed "member of" updates,
/// change records). Only ids in the form the directory mints (a lower-case, hyphenated GUID) read
/// back exactly as written (<see cref="Packs"/>).
/// </summary>
public static class PackedRefs
{
    public const int Size = 1 + PackedIds.Size;

    /// <summary>Whether the reference reads back exactly as written once packed.</summary>
    public static bool Packs(ObjectRef reference) => PackedIds.Packs(reference.Id);

    public static void Write(Span<byte> at, ObjectRef reference)
    {
        at[0] = (byte)reference.Kind;
        PackedIds.Write(at[1..Size], reference.Id);
    }

    public static ObjectRef Read(ReadOnlySpan<byte> at) => new(PackedIds.Read(at[1..Size]), (ObjectKind)at[0]);
}

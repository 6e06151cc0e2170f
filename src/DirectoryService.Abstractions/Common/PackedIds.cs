namespace DirectoryService.Abstractions.Common;

/// <summary>
/// Object ids packed 16 bytes each (big-endian, so packed ids sort as their text does) for state
/// that holds many of them. Only ids in the form the directory mints — a lower-case, hyphenated
/// GUID — read back exactly as written (<see cref="Packs"/>); <see cref="Pack"/> leaves out any other.
/// </summary>
public static class PackedIds
{
    public const int Size = 16;

    /// <summary>Whether the id reads back exactly as written once packed.</summary>
    public static bool Packs(string id)
    {
        if (id.Length != 36)
        {
            return false;
        }

        for (var i = 0; i < id.Length; i++)
        {
            var ok = i is 8 or 13 or 18 or 23 ? id[i] == '-' : char.IsAsciiDigit(id[i]) || id[i] is >= 'a' and <= 'f';
            if (!ok)
            {
                return false;
            }
        }

        return true;
    }

    public static void Write(Span<byte> at, string id) =>
        Guid.ParseExact(id, "D").TryWriteBytes(at[..Size], bigEndian: true, out _);

    public static string Read(ReadOnlySpan<byte> at) => new Guid(at[..Size], bigEndian: true).ToString("D");

    /// <summary>The ids that <see cref="Packs"/>, packed one after the other; null when there are none.</summary>
    public static byte[]? Pack(IEnumerable<string> ids)
    {
        var packs = ids.Where(Packs).ToList();
        if (packs.Count == 0)
        {
            return null;
        }

        var bytes = new byte[packs.Count * Size];
        for (var i = 0; i < packs.Count; i++)
        {
            Write(bytes.AsSpan(i * Size), packs[i]);
        }

        return bytes;
    }

    public static IEnumerable<string> Unpack(byte[]? packed)
    {
        for (var i = 0; packed is not null && i + Size <= packed.Length; i += Size)
        {
            yield return Read(packed.AsSpan(i));
        }
    }
}

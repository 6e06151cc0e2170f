using Azure.Data.Tables;

namespace DirectoryService.Storage.GrainState;

/// <summary>
/// Lays serialized grain state out in one entity within Azure's limits: binary properties of at
/// most 64 KiB each, and a total that stays under 1 MiB even where the emulator counts binary as
/// base64 (Azurite). Larger state is refused: state that can grow without bound must be paged by
/// the grain itself.
/// </summary>
public static class StateChunks
{
    public const int ChunkBytes = 60 * 1024;
    public const int MaxChunks = 12;
    public const int MaxStateBytes = ChunkBytes * MaxChunks;
    public const string CountProperty = "Chunks";
    public const string LengthProperty = "Length";
    private const string DataPrefix = "Data";

    public static void Write(TableEntity entity, ReadOnlySpan<byte> data, string description)
    {
        if (data.Length > MaxStateBytes)
        {
            throw new GrainStateTooLargeException(
                $"State of {description} is {data.Length} bytes, over the {MaxStateBytes}-byte limit of one table entity.");
        }

        var count = (data.Length + ChunkBytes - 1) / ChunkBytes;
        for (var i = 0; i < count; i++)
        {
            var start = i * ChunkBytes;
            entity[DataPrefix + i] = data.Slice(start, Math.Min(ChunkBytes, data.Length - start)).ToArray();
        }

        entity[CountProperty] = count;
        entity[LengthProperty] = data.Length;
    }

    public static byte[] Read(TableEntity entity)
    {
        var count = entity.GetInt32(CountProperty) ?? 0;
        var length = entity.GetInt32(LengthProperty) ?? 0;
        var data = new byte[length];
        var offset = 0;
        for (var i = 0; i < count; i++)
        {
            var chunk = entity.GetBinary(DataPrefix + i)
                ?? throw new InvalidDataException($"Stored state {entity.PartitionKey}/{entity.RowKey} lacks chunk {i} of {count}.");
            chunk.CopyTo(data, offset);
            offset += chunk.Length;
        }

        return offset == length
            ? data
            : throw new InvalidDataException($"Stored state {entity.PartitionKey}/{entity.RowKey} has {offset} bytes, expected {length}.");
    }
}

/// <summary>Grain state too large for one table entity.</summary>
public sealed class GrainStateTooLargeException(string message) : Exception(message);

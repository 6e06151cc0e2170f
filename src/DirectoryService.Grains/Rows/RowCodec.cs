using Orleans.Serialization;

namespace DirectoryService.Grains.Rows;

/// <summary>Encodes row values with the Orleans serializer: compact, and tolerant of added fields through <c>[Id]</c>s.</summary>
public sealed class RowCodec(Serializer serializer)
{
    public byte[] Encode<T>(T value) => serializer.SerializeToArray(value);

    public T Decode<T>(byte[] bytes) => serializer.Deserialize<T>(bytes) ?? throw new InvalidDataException($"row value decodes to no {typeof(T).Name}");
}

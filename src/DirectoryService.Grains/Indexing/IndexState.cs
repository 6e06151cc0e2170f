namespace DirectoryService.Grains.Indexing;

/// <summary>The durable rows of one index bucket, by object id.</summary>
[GenerateSerializer, Alias("IndexState`1")]
public sealed class IndexState<TEntry>
{
    [Id(0)] public Dictionary<string, TEntry> Rows { get; set; } = [];
}

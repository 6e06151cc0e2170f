namespace DirectoryService.Grains.Common;

/// <summary>The durable state every user and group has: its profile, version and soft-delete mark.</summary>
[GenerateSerializer, Alias("DirectoryObjectState`1")]
public sealed class DirectoryObjectState<TProfile>
    where TProfile : class
{
    /// <summary>Null until the object is created.</summary>
    [Id(0)] public TProfile? Profile { get; set; }
    [Id(1)] public DateTimeOffset CreatedAt { get; set; }
    [Id(2)] public long Version { get; set; }
    [Id(3)] public DateTimeOffset? DeletedAt { get; set; }
}

namespace DirectoryService.Abstractions.Common;

/// <summary>The kind of a directory object that can be a member or have members.</summary>
public enum ObjectKind
{
    User = 1,
    Group = 2,
}

/// <summary>A user or group of one tenant, by id.</summary>
[GenerateSerializer, Immutable, Alias("ObjectRef")]
public readonly record struct ObjectRef([property: Id(0)] string Id, [property: Id(1)] ObjectKind Kind)
{
    public static ObjectRef User(string id) => new(id, ObjectKind.User);

    public static ObjectRef Group(string id) => new(id, ObjectKind.Group);

    public override string ToString() => $"{Kind}:{Id}";
}

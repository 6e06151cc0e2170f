namespace DirectoryService.Abstractions.Common;

/// <summary>
/// The field a refusal is about. Domain code names fields of the domain model (<see cref="DomainFields"/>):
/// a property (<c>userPrincipalName</c>), an item of a list (the third <c>member</c>), or an entry of a
/// map (<c>extensionAttributes["k"]</c>); each door maps it to its own wire name (a gRPC field path,
/// a SCIM attribute path) in one place. A door's own checks of a request's shape name the request's
/// field as that door spells it (<see cref="Request"/>), which only that door ever sees.
/// </summary>
[GenerateSerializer, Immutable, Alias("ErrorField")]
public sealed record ErrorField(
    [property: Id(0)] string Name,
    [property: Id(1)] int? Index = null,
    [property: Id(2)] string? Key = null,
    [property: Id(3)] bool IsRequestPath = false)
{
    public static implicit operator ErrorField(string domainName) => new(domainName);

    /// <summary>A path in the request as the door received it (<c>members[1].type</c>), already in wire notation.</summary>
    public static ErrorField Request(string path) => new(path, IsRequestPath: true);

    /// <summary>The item at <paramref name="index"/> of a list field.</summary>
    public ErrorField At(int index) => this with { Index = index };

    /// <summary>The entry <paramref name="key"/> of a map field.</summary>
    public ErrorField Entry(string key) => this with { Key = key };

    public override string ToString() => Index is { } i ? $"{Name}[{i}]" : Key is { } k ? $"{Name}[{k}]" : Name;
}

namespace DirectoryService.Grains.Common;

/// <summary>A unique key an object takes in its tenant: its kind (<c>upn</c>, <c>externalId</c>), its compared value, and its binding.</summary>
public sealed record OwnedKey(string Kind, string Value, KeyBinder Binding)
{
    public const string PrincipalNameKind = "upn";
    public const string ExternalIdKind = "externalId";
}

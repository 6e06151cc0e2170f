namespace DirectoryService.Abstractions.Common;

/// <summary>
/// Builds grain keys. Every tenant-scoped key starts with the tenant id, so a request carrying one
/// tenant can only ever address that tenant's grains.
/// </summary>
public static class GrainKeys
{
    private const char Separator = '/';

    public static string Scoped(string tenantId, string localKey) => string.Concat(tenantId, "/", localKey);

    /// <summary>
    /// The tenant a grain key belongs to: its tenant part, or the whole key for grains keyed by the
    /// tenant id alone (the tenant grain, a tenant's query grains) or by no tenant (the registry).
    /// </summary>
    public static string TenantPart(string key)
    {
        var at = key.IndexOf(Separator, StringComparison.Ordinal);
        return at > 0 ? key[..at] : key;
    }

    public static (string TenantId, string LocalKey) Split(string key)
    {
        var at = key.IndexOf(Separator, StringComparison.Ordinal);
        if (at <= 0)
        {
            throw new ArgumentException($"Grain key '{key}' has no tenant part.", nameof(key));
        }

        return (key[..at], key[(at + 1)..]);
    }
}

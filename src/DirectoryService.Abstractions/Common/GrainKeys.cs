namespace DirectoryService.Abstractions.Common;

/// <summary>
/// Builds grain keys. Every tenant-scoped key starts with the tenant id, so a request carrying one
/// tenant can only ever address that tenant's grains.
/// </summary>
public static class GrainKeys
{
    private const char Separator = '/';

    public static string Scoped(string tenantId, string localKey) => string.Concat(tenantId, "/", localKey);

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

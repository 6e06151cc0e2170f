namespace DirectoryService.Gateway.Security;

/// <summary>Per-tenant request rate limits (section <c>Directory:RateLimits</c>), a token bucket per tenant and silo.</summary>
public sealed class RateLimitOptions
{
    public const string Section = "Directory:RateLimits";

    /// <summary>Sustained calls per second one tenant may make to one silo.</summary>
    public int PermitsPerSecond { get; set; } = 20000;

    /// <summary>Calls a tenant may make at once above the sustained rate.</summary>
    public int Burst { get; set; } = 40000;
}

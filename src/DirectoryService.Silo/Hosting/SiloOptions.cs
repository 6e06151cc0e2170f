using System.ComponentModel.DataAnnotations;

namespace DirectoryService.Silo.Hosting;

/// <summary>Cluster identity and the ports of this silo (section <c>Directory:Silo</c>).</summary>
public sealed class SiloOptions
{
    public const string Section = "Directory:Silo";

    [Required]
    public string ClusterId { get; set; } = "";

    [Required]
    public string ServiceId { get; set; } = "";

    /// <summary>Port for silo-to-silo traffic.</summary>
    [Range(1, 65535)]
    public int SiloPort { get; set; }

    /// <summary>Port for Orleans clients (the admin tooling); the gRPC API listens on the Kestrel endpoint.</summary>
    [Range(1, 65535)]
    public int GatewayPort { get; set; }

    /// <summary>The address other silos reach this one at; empty means the host name's first IPv4 address (containers).</summary>
    public string AdvertisedAddress { get; set; } = "";

    /// <summary>
    /// How long a stopping silo (SIGTERM) keeps serving after its health turned <c>NOT_SERVING</c>, so
    /// load balancers move away before it refuses anything; then it finishes the calls in flight and
    /// leaves the cluster. Set it above the load balancer's health-probe interval.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:05:00", ErrorMessage = "Directory:Silo:DrainPeriod must be between 00:00:00 and 00:05:00")]
    public TimeSpan DrainPeriod { get; set; } = TimeSpan.FromSeconds(5);
}

/// <summary>Where grain state is kept (section <c>Directory:Storage</c>).</summary>
public sealed class StorageOptions
{
    public const string Section = "Directory:Storage";

    public const string AzureTable = "AzureTable";
    public const string Memory = "Memory";

    /// <summary>
    /// <c>AzureTable</c>: grain state and cluster membership in Azure Table storage (Azurite locally).
    /// <c>Memory</c>: a single silo keeping everything in its process, lost when it exits (tests and demos only).
    /// </summary>
    [Required(ErrorMessage = "Directory:Storage:Mode is required: AzureTable or Memory")]
    [RegularExpression("^(AzureTable|Memory)$", ErrorMessage = "Directory:Storage:Mode must be AzureTable or Memory")]
    public string Mode { get; set; } = "";
}

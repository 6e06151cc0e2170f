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

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
}

/// <summary>Where grain state is kept (section <c>Directory:Storage</c>).</summary>
public sealed class StorageOptions
{
    public const string Section = "Directory:Storage";

    /// <summary><c>Memory</c>: state lives in the silo process and is lost when it exits (tests and demos only).</summary>
    [Required]
    [RegularExpression("^Memory$", ErrorMessage = "Directory:Storage:Mode must be 'Memory' (durable Azure Table storage arrives with issue 3)")]
    public string Mode { get; set; } = "";
}

using System.ComponentModel.DataAnnotations;

namespace DirectoryService.Scim.Hosting;

/// <summary>The bounds of the SCIM door (section <c>Directory:Scim</c>), which keep every answer's cost bounded.</summary>
public sealed class ScimOptions
{
    public const string Section = "Directory:Scim";

    /// <summary>Most users or groups a filter that no index serves may examine; beyond it, 400 tooMany.</summary>
    [Range(1, 1_000_000, ErrorMessage = "Directory:Scim:MaxScan must be between 1 and 1,000,000")]
    public int MaxScan { get; set; } = 10_000;

    /// <summary>Most members a read of a group returns; beyond it, 400 tooMany (read with excludedAttributes=members).</summary>
    [Range(1, 1_000_000, ErrorMessage = "Directory:Scim:MaxMembersReturned must be between 1 and 1,000,000")]
    public int MaxMembersReturned { get; set; } = 10_000;
}

namespace DirectoryService.Scim;

/// <summary>The SCIM schema and message URNs (RFC 7643 §8.7, RFC 7644 §3).</summary>
public static class ScimSchemas
{
    public const string User = "urn:ietf:params:scim:schemas:core:2.0:User";
    public const string EnterpriseUser = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
    public const string Group = "urn:ietf:params:scim:schemas:core:2.0:Group";
    public const string ListResponse = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
    public const string PatchOp = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
    public const string Error = "urn:ietf:params:scim:api:messages:2.0:Error";
    public const string ServiceProviderConfig = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig";
    public const string ResourceType = "urn:ietf:params:scim:schemas:core:2.0:ResourceType";
    public const string Schema = "urn:ietf:params:scim:schemas:core:2.0:Schema";

    public const string ContentType = "application/scim+json";

    /// <summary>The base path of the service provider.</summary>
    public const string Base = "/scim/v2";

    /// <summary>Most resources one list response carries (ServiceProviderConfig filter.maxResults).</summary>
    public const int MaxResults = 999;
}

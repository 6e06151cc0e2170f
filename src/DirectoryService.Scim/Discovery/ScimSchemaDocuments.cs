using System.Text.Json.Nodes;

namespace DirectoryService.Scim.Discovery;

/// <summary>The schemas this service provider serves (RFC 7643 §7): the attributes it holds, with their mutability and case rules.</summary>
public static class ScimSchemaDocuments
{
    public static IReadOnlyList<JsonObject> All =>
    [
        Schema(ScimSchemas.User, "User", "User Account",
            Attribute("userName", required: true, caseExact: false, uniqueness: "server", description: "The user principal name: local@domain, the domain verified in the tenant."),
            Complex("name", Attribute("givenName"), Attribute("familyName"), Attribute("formatted", mutability: "writeOnly")),
            Attribute("displayName"),
            Attribute("title"),
            Attribute("active", type: "boolean"),
            Attribute("externalId", caseExact: true, uniqueness: "server", description: "The user's key in the system it came from; unique in the tenant when set."),
            Complex("emails", multiValued: true, Attribute("value"), Attribute("type"), Attribute("primary", type: "boolean"))),
        Schema(ScimSchemas.EnterpriseUser, "EnterpriseUser", "Enterprise User",
            Attribute("employeeNumber"),
            Attribute("department"),
            Complex("manager", Attribute("value", caseExact: true, description: "The id of the user's manager, a user of the tenant."), Attribute("$ref", type: "reference", mutability: "readOnly"))),
        Schema(ScimSchemas.Group, "Group", "Group",
            Attribute("displayName", required: true),
            Attribute("externalId", caseExact: true, uniqueness: "server"),
            Complex("members", multiValued: true, Attribute("value", caseExact: true, mutability: "immutable"), Attribute("type", mutability: "immutable"), Attribute("$ref", type: "reference", mutability: "immutable"))),
    ];

    private static JsonObject Schema(string id, string name, string description, params JsonObject[] attributes) => new()
    {
        ["schemas"] = new JsonArray(ScimSchemas.Schema),
        ["id"] = id,
        ["name"] = name,
        ["description"] = description,
        ["attributes"] = new JsonArray(attributes),
        ["meta"] = new JsonObject { ["resourceType"] = "Schema", ["location"] = $"{ScimSchemas.Base}/Schemas/{id}" },
    };

    private static JsonObject Attribute(string name, string type = "string", bool required = false, bool caseExact = false, string mutability = "readWrite", string uniqueness = "none", string? description = null)
    {
        var attribute = new JsonObject
        {
            ["name"] = name,
            ["type"] = type,
            ["multiValued"] = false,
            ["required"] = required,
            ["caseExact"] = caseExact,
            ["mutability"] = mutability,
            ["returned"] = "default",
            ["uniqueness"] = uniqueness,
        };
        if (description is not null)
        {
            attribute["description"] = description;
        }

        return attribute;
    }

    private static JsonObject Complex(string name, params JsonObject[] subAttributes) => Complex(name, false, subAttributes);

    private static JsonObject Complex(string name, bool multiValued, params JsonObject[] subAttributes)
    {
        var attribute = Attribute(name, type: "complex");
        attribute["multiValued"] = multiValued;
        attribute["subAttributes"] = new JsonArray(subAttributes);
        return attribute;
    }
}

using DirectoryService.Abstractions.Common;
using DirectoryService.Grpc.V1;

namespace DirectoryService.Gateway.Members;

/// <summary>Maps object references between the API and the grains.</summary>
public static class ObjectRefMapping
{
    public static ObjectRef ToDomain(this DirectoryObjectRef? value, string field)
    {
        if (value is null)
        {
            throw DirectoryException.Invalid(ErrorField.Request(field), "is required");
        }

        var kind = value.Type switch
        {
            ObjectType.User => ObjectKind.User,
            ObjectType.Group => ObjectKind.Group,
            _ => throw DirectoryException.Invalid(ErrorField.Request($"{field}.type"), "must be OBJECT_TYPE_USER or OBJECT_TYPE_GROUP"),
        };
        return new ObjectRef(Identifiers.ObjectId(value.Id, ErrorField.Request($"{field}.id")), kind);
    }

    public static DirectoryObjectRef ToProto(this ObjectRef value) => new()
    {
        Id = value.Id,
        Type = value.Kind == ObjectKind.Group ? ObjectType.Group : ObjectType.User,
    };
}

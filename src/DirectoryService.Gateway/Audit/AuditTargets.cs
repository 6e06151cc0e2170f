using System.Collections;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Google.Protobuf.WellKnownTypes;

namespace DirectoryService.Gateway.Audit;

/// <summary>What an audit record says a request named: the ids it targets and the names (never the values) of the properties it sets.</summary>
public static class AuditTargets
{
    /// <summary>
    /// Values of id fields (<c>id</c>, <c>*_id</c>, <c>*_ids</c>) of the request and one message deep
    /// (<c>user.id</c>, <c>members[].id</c>), in declaration order.
    /// </summary>
    public static List<string> Ids(IMessage message)
    {
        var ids = new List<string>();
        foreach (var field in message.Descriptor.Fields.InDeclarationOrder())
        {
            var value = field.Accessor.GetValue(message);
            if (field.FieldType == FieldType.String && IsIdField(field))
            {
                ids.AddRange(field.IsRepeated ? ((IEnumerable)value).OfType<string>().Where(s => s.Length > 0) : value is string { Length: > 0 } id ? [id] : []);
            }
            else if (field.FieldType == FieldType.Message && field.MessageType != FieldMask.Descriptor && !field.IsMap)
            {
                var nested = field.IsRepeated ? ((IEnumerable)value).OfType<IMessage>() : value is IMessage one ? [one] : [];
                ids.AddRange(nested.SelectMany(n => n.Descriptor.Fields.InDeclarationOrder()
                    .Where(f => f.Name == "id" && f.FieldType == FieldType.String)
                    .Select(f => f.Accessor.GetValue(n) as string)
                    .OfType<string>().Where(s => s.Length > 0)));
            }
        }

        return ids;
    }

    /// <summary>The update mask's paths, or for a create the names of the fields the new resource sets.</summary>
    public static string[] Changed(IMessage request, bool creates)
    {
        var mask = request.Descriptor.Fields.InDeclarationOrder().FirstOrDefault(f => f.FieldType == FieldType.Message && f.MessageType == FieldMask.Descriptor);
        if (mask?.Accessor.GetValue(request) is FieldMask paths)
        {
            return [.. paths.Paths];
        }

        var resource = creates
            ? request.Descriptor.Fields.InDeclarationOrder()
                .Where(f => f.FieldType == FieldType.Message && !f.IsRepeated && f.MessageType != FieldMask.Descriptor)
                .Select(f => f.Accessor.GetValue(request) as IMessage).FirstOrDefault(m => m is not null)
            : null;
        return resource is null
            ? []
            : [.. resource.Descriptor.Fields.InDeclarationOrder().Where(f => f.Name is not ("id" or "etag") && IsSet(f, resource)).Select(f => f.Name)];
    }

    /// <summary>The value of a dotted field path (<c>tenant.id</c>), or null.</summary>
    public static string? Value(IMessage message, string path)
    {
        object? value = message;
        foreach (var name in path.Split('.'))
        {
            value = value is IMessage m && m.Descriptor.FindFieldByName(name) is { } field ? field.Accessor.GetValue(m) : null;
        }

        return value as string is { Length: > 0 } text ? text : null;
    }

    /// <summary>Ids the service assigns; <c>external_id</c> is a customer's key (often an employee number), not a target.</summary>
    private static bool IsIdField(FieldDescriptor field) => field.Name != "external_id" && (field.Name == "id" || field.Name == "ids" || field.Name.EndsWith("_id", StringComparison.Ordinal) || field.Name.EndsWith("_ids", StringComparison.Ordinal));

    private static bool IsSet(FieldDescriptor field, IMessage message) =>
        field.HasPresence && !field.IsRepeated
            ? field.Accessor.HasValue(message)
            : field.Accessor.GetValue(message) switch
            {
                null => false,
                string s => s.Length > 0,
                bool b => b,
                ICollection c => c.Count > 0,
                _ => true,
            };
}

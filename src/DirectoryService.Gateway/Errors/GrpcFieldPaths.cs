using System.Collections.Concurrent;
using System.Text;
using DirectoryService.Abstractions.Common;
using DirectoryService.Grpc.V1;
using Google.Protobuf.Reflection;

namespace DirectoryService.Gateway.Errors;

/// <summary>
/// Names a domain field (<see cref="ErrorField"/>) by its path in the gRPC request that the refused
/// call carried, e.g. <c>userPrincipalName</c> in CreateUser → <c>user.user_principal_name</c>, the
/// second <c>member</c> of AddMembers → <c>members[1].id</c>. Domain names are the proto fields' JSON
/// names, so the request's descriptor tells where each lives: a field of the request itself, a field
/// of the resource it carries (<c>user</c>, <c>group</c>, <c>tenant</c>), or the resource's id beside
/// it (<c>tenant_id</c>). A reference resolves to the id inside the <c>DirectoryObjectRef</c>.
/// </summary>
public static class GrpcFieldPaths
{
    private static readonly ConcurrentDictionary<(string Request, string Name), string> Resolved = new();

    public static string Of(ErrorField field, MessageDescriptor? request)
    {
        if (field.IsRequestPath)
        {
            return field.Name;
        }

        var path = request is null ? Snake(field.Name) : Resolved.GetOrAdd((request.FullName, field.Name), key => Resolve(request, key.Name));
        var (head, tail) = SplitReference(path);
        return field.Index is { } i ? $"{head}[{i}]{tail}"
            : field.Key is { } k ? $"{head}[{k}]{tail}"
            : head + tail;
    }

    /// <summary>A domain field name as the request spells it, e.g. <c>job_title</c> for <c>jobTitle</c> (update masks).</summary>
    public static string DomainName(string wirePath)
    {
        var dot = wirePath.IndexOf('.', StringComparison.Ordinal);
        var head = dot < 0 ? wirePath : wirePath[..dot];
        var camel = new StringBuilder(head.Length);
        for (var i = 0; i < head.Length; i++)
        {
            camel.Append(head[i] == '_' && i + 1 < head.Length ? char.ToUpperInvariant(head[++i]) : head[i]);
        }

        return dot < 0 ? camel.ToString() : camel + wirePath[dot..];
    }

    private static string Resolve(MessageDescriptor request, string name)
    {
        string[] candidates = [name, name + "Id", name + "Ids", name + "s"];
        if (Find(request, candidates) is { } top)
        {
            return Path(top);
        }

        var resource = request.Fields.InDeclarationOrder().FirstOrDefault(f =>
            f.FieldType == FieldType.Message && !f.IsRepeated && f.MessageType.File.Package == "directory.v1" && f.MessageType != DirectoryObjectRef.Descriptor);
        if (resource is not null)
        {
            var beside = request.FindFieldByName(resource.Name + "_" + Snake(name));
            if (beside is not null)
            {
                return Path(beside);
            }

            if (Find(resource.MessageType, candidates) is { } inner)
            {
                return resource.Name + "." + Path(inner);
            }
        }

        return Snake(name);
    }

    private static FieldDescriptor? Find(MessageDescriptor message, string[] jsonNames) =>
        jsonNames.Select(n => message.Fields.InDeclarationOrder().FirstOrDefault(f => f.JsonName == n)).FirstOrDefault(f => f is not null);

    /// <summary>A reference field's path with the marker that its id is meant (split off again to place an index first).</summary>
    private static string Path(FieldDescriptor field) =>
        field.FieldType == FieldType.Message && field.MessageType == DirectoryObjectRef.Descriptor ? field.Name + "\0.id" : field.Name;

    private static (string Head, string Tail) SplitReference(string path)
    {
        var at = path.IndexOf('\0', StringComparison.Ordinal);
        return at < 0 ? (path, "") : (path[..at], path[(at + 1)..]);
    }

    private static string Snake(string name)
    {
        var snake = new StringBuilder(name.Length + 4);
        foreach (var c in name)
        {
            snake.Append(char.IsUpper(c) ? "_" + char.ToLowerInvariant(c) : c.ToString());
        }

        return snake.ToString();
    }
}

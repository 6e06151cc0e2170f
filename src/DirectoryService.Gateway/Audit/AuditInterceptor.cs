using Google.Protobuf;
using Google.Protobuf.Reflection;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Grpc.Core.Interceptors;

namespace DirectoryService.Gateway.Audit;

/// <summary>
/// Records every write call — success or failure — before its answer leaves, with the ids it named
/// or created and the names (never the values) of the properties it set.
/// </summary>
public sealed class AuditInterceptor(AuditTrail trail) : Interceptor
{
    private static readonly string[] WriteVerbs = ["Create", "Update", "Delete", "Restore", "Add", "Remove"];

    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        var method = context.Method[(context.Method.LastIndexOf('/') + 1)..];
        if (!WriteVerbs.Any(v => method.StartsWith(v, StringComparison.Ordinal)))
        {
            return await continuation(request, context);
        }

        var targets = Ids((IMessage)request);
        var changed = Changed((IMessage)request);
        try
        {
            var response = await continuation(request, context);
            await trail.RecordAsync(context.GetHttpContext(), context.Method, [.. targets, .. Ids((IMessage)response!).Except(targets)], changed, "OK", TenantOf((IMessage)request));
            return response;
        }
        catch (RpcException e)
        {
            await trail.RecordAsync(context.GetHttpContext(), context.Method, targets, changed, e.StatusCode.ToString(), TenantOf((IMessage)request));
            throw;
        }
    }

    /// <summary>Values of id fields, top-level and one message deep (user.id, members[].id).</summary>
    private static List<string> Ids(IMessage message)
    {
        var ids = new List<string>();
        foreach (var field in message.Descriptor.Fields.InDeclarationOrder())
        {
            var value = field.Accessor.GetValue(message);
            if (field.FieldType == FieldType.String && IsIdField(field) && !field.IsRepeated && value is string { Length: > 0 } id)
            {
                ids.Add(id);
            }
            else if (field.FieldType == FieldType.Message && field.MessageType != FieldMask.Descriptor)
            {
                var nested = field.IsRepeated ? ((System.Collections.IEnumerable)value).OfType<IMessage>() : value is IMessage one ? [one] : [];
                ids.AddRange(nested.SelectMany(n => n.Descriptor.Fields.InDeclarationOrder()
                    .Where(f => f.Name == "id" && f.FieldType == FieldType.String)
                    .Select(f => f.Accessor.GetValue(n) as string)
                    .OfType<string>().Where(s => s.Length > 0)));
            }
        }

        return ids;
    }

    private static bool IsIdField(FieldDescriptor field) => field.Name == "id" || field.Name.EndsWith("_id", StringComparison.Ordinal);

    /// <summary>The update mask's paths, or on create the names of the fields the new resource sets.</summary>
    private static string[] Changed(IMessage request)
    {
        var mask = request.Descriptor.Fields.InDeclarationOrder().FirstOrDefault(f => f.FieldType == FieldType.Message && f.MessageType == FieldMask.Descriptor);
        if (mask?.Accessor.GetValue(request) is FieldMask paths)
        {
            return [.. paths.Paths];
        }

        var resource = request.Descriptor.Fields.InDeclarationOrder()
            .Where(f => f.FieldType == FieldType.Message && !f.IsRepeated && f.MessageType != FieldMask.Descriptor)
            .Select(f => f.Accessor.GetValue(request) as IMessage).FirstOrDefault(m => m is not null && request.Descriptor.Name.StartsWith("Create", StringComparison.Ordinal));
        return resource is null
            ? []
            : [.. resource.Descriptor.Fields.InDeclarationOrder().Where(f => f.Name is not ("id" or "etag") && IsSet(f, resource)).Select(f => f.Name)];
    }

    private static bool IsSet(FieldDescriptor field, IMessage message) =>
        field.HasPresence && !field.IsRepeated
            ? field.Accessor.HasValue(message)
            : field.Accessor.GetValue(message) switch
            {
                null => false,
                string s => s.Length > 0,
                bool b => b,
                System.Collections.ICollection c => c.Count > 0,
                _ => true,
            };

    /// <summary>The tenant an operator's tenant call is about, so its record lands in that tenant's log.</summary>
    private static string? TenantOf(IMessage request) =>
        request.Descriptor.FullName.StartsWith("directory.v1.", StringComparison.Ordinal) && request.Descriptor.Name.EndsWith("TenantRequest", StringComparison.Ordinal)
            ? Ids(request).FirstOrDefault()
            : null;
}

using System.Collections.Frozen;
using DirectoryService.Grpc.V1;
using Google.Protobuf.Reflection;

namespace DirectoryService.Gateway.Rpcs;

/// <summary>One RPC of directory.v1 as its proto declares it: its request type and its audit policy.</summary>
public sealed record RpcDescription(string FullMethod, MessageDescriptor Request, AuditPolicy Audit)
{
    /// <summary>Whether the call may change the directory (declared with <c>option (directory.v1.audit) = { write: true }</c>).</summary>
    public bool IsWrite => Audit.Write;
}

/// <summary>
/// Every RPC of directory.v1, read from the compiled proto descriptors, keyed by the full method
/// name a call carries (<c>/directory.v1.Users/CreateUser</c>). What a call is (a write, a create,
/// about which tenant) is declared once, on the RPC in its proto, and read from here.
/// </summary>
public static class RpcCatalog
{
    private static readonly FrozenDictionary<string, RpcDescription> All = new[]
        {
            UsersReflection.Descriptor, GroupsReflection.Descriptor, MembersReflection.Descriptor, SigninReflection.Descriptor,
            TenantsReflection.Descriptor, AuditReflection.Descriptor, DiagnosticsReflection.Descriptor, ImportReflection.Descriptor, ChangesReflection.Descriptor,
        }
        .SelectMany(file => file.Services)
        .SelectMany(service => service.Methods)
        .Select(m => new RpcDescription($"/{m.Service.FullName}/{m.Name}", m.InputType, m.GetOptions()?.GetExtension(AnnotationsExtensions.Audit) ?? new AuditPolicy()))
        .ToFrozenDictionary(r => r.FullMethod, StringComparer.Ordinal);

    /// <summary>The RPC of a call's full method name; null for other services (health, reflection).</summary>
    public static RpcDescription? Find(string fullMethod) => All.GetValueOrDefault(fullMethod);

    public static IEnumerable<RpcDescription> Descriptions => All.Values;
}

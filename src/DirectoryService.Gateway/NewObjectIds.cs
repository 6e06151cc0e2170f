using DirectoryService.Abstractions.Common;
using Grpc.Core;

namespace DirectoryService.Gateway;

/// <summary>
/// The id a create call assigns to its new object, chosen before the call runs so that the audit
/// record stored ahead of it names the object (<c>creates: true</c> on the RPC).
/// </summary>
public static class NewObjectIds
{
    private const string Key = "directory.new-object-id";

    /// <summary>Chooses the id for the call and returns it.</summary>
    public static string Reserve(ServerCallContext context)
    {
        var id = Identifiers.NewObjectId();
        context.UserState[Key] = id;
        return id;
    }

    /// <summary>The id reserved for this call, or a fresh one when none was.</summary>
    public static string For(ServerCallContext context) =>
        context.UserState.TryGetValue(Key, out var id) && id is string reserved ? reserved : Identifiers.NewObjectId();
}

using System.Diagnostics;

namespace DirectoryService.Abstractions.Common;

/// <summary>
/// The API operation a request performs, carried as activity baggage (Orleans carries baggage
/// through grain calls), so that what the request causes further down — storage calls — can be
/// counted by the operation that caused it. Each door names its calls.
/// </summary>
public static class OperationBaggage
{
    public const string Key = "directory.operation";

    /// <summary>Names the current request's operation (<c>/directory.v1.Users/CreateUser</c>, <c>SCIM POST /scim/v2/Users</c>).</summary>
    public static void Set(string operation) => Activity.Current?.SetBaggage(Key, operation);

    /// <summary>The operation the current work belongs to, or <c>background</c> when no request caused it.</summary>
    public static string Current => Activity.Current?.GetBaggageItem(Key) ?? "background";
}

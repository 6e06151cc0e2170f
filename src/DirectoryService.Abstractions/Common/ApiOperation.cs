using System.Diagnostics;

namespace DirectoryService.Abstractions.Common;

/// <summary>
/// The API operation a request performs. Each door begins one per call: a span of its own (source
/// <see cref="SourceName"/>, named by the operation) under the HTTP request's, and the operation's name
/// as activity baggage, which Orleans carries through grain calls, so that what the request causes
/// further down — grain calls (Orleans's spans), storage calls (<c>DirectoryService.Storage</c>) — is
/// traced under it and counted by the operation that caused it.
/// </summary>
public static class ApiOperation
{
    public const string Key = "directory.operation";

    public const string SourceName = "DirectoryService.Gateway";

    private static readonly ActivitySource Source = new(SourceName);

    /// <summary>
    /// Begins the current request's operation (<c>/directory.v1.Users/CreateUser</c>,
    /// <c>SCIM POST /scim/v2/Users</c>); dispose the span when the call is answered.
    /// </summary>
    public static Activity? Begin(string operation)
    {
        // On the request's own activity too, so work the door does after the span (settling the audit)
        // still counts as this operation; and in the request context, which is current while a grain
        // the request calls is activated (its state read), where no activity of the request is.
        Activity.Current?.SetBaggage(Key, operation);
        RequestContext.Set(Key, operation);
        return Source.StartActivity(operation, ActivityKind.Internal)?.SetTag(Key, operation).SetBaggage(Key, operation);
    }

    /// <summary>Ends the operation's span as failed, with the status the caller got.</summary>
    public static void Fail(Activity? span, string status, string? detail)
    {
        span?.SetTag("directory.status", status).SetStatus(ActivityStatusCode.Error, detail);
    }

    /// <summary>The operation the current work belongs to, or <c>background</c> when no request caused it.</summary>
    public static string Current => Activity.Current?.GetBaggageItem(Key) ?? RequestContext.Get(Key) as string ?? "background";
}

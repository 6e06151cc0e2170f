using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace DirectoryService.Storage.Tables;

/// <summary>Checks the storage settings at start-up, naming the setting at fault.</summary>
public sealed partial class TableStorageOptionsValidator : IValidateOptions<TableStorageOptions>
{
    public ValidateOptionsResult Validate(string? name, TableStorageOptions options)
    {
        var failures = new List<string>();
        var hasUri = !string.IsNullOrWhiteSpace(options.ServiceUri);
        if (hasUri && !string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            failures.Add("Directory:Storage:ConnectionString and Directory:Storage:ServiceUri are both set: set one (a connection string with a key, or the service URI reached with Azure credentials)");
        }

        if (hasUri && !(Uri.TryCreate(options.ServiceUri, UriKind.Absolute, out var uri) && uri.Scheme == Uri.UriSchemeHttps && uri.Host.Length > 0))
        {
            failures.Add($"Directory:Storage:ServiceUri must be an absolute https URI such as https://<account>.table.core.windows.net, got '{options.ServiceUri}'");
        }

        if (!string.IsNullOrWhiteSpace(options.ManagedIdentityClientId))
        {
            if (!hasUri)
            {
                failures.Add("Directory:Storage:ManagedIdentityClientId is set without Directory:Storage:ServiceUri: a managed identity is used only with the service URI");
            }

            if (!Guid.TryParse(options.ManagedIdentityClientId, out _))
            {
                failures.Add($"Directory:Storage:ManagedIdentityClientId must be the identity's client id (a GUID), got '{options.ManagedIdentityClientId}'");
            }
        }

        foreach (var (setting, table) in new[] { ("GrainStateTable", options.GrainStateTable), ("RowTable", options.RowTable), ("AuditTable", options.AuditTable), ("ClusterTable", options.ClusterTable), ("ReminderTable", options.ReminderTable) })
        {
            if (!TableName().IsMatch(table ?? ""))
            {
                failures.Add($"Directory:Storage:{setting} must be 3-61 letters or digits starting with a letter (two hex digits are appended per shard), got '{table}'");
            }
        }

        if (options.TableShards is < 1 or > 64)
        {
            failures.Add($"Directory:Storage:TableShards must be between 1 and 64, got {options.TableShards}");
        }

        if (options.InjectedLatency < TimeSpan.Zero || options.InjectedLatency > TimeSpan.FromSeconds(1))
        {
            failures.Add($"Directory:Storage:InjectedLatency must be between 00:00:00 and 00:00:01, got {options.InjectedLatency}");
        }

        if (options.OperationTimeout < TimeSpan.FromMilliseconds(100) || options.OperationTimeout > TimeSpan.FromMinutes(5))
        {
            failures.Add($"Directory:Storage:OperationTimeout must be between 00:00:00.1 and 00:05:00, got {options.OperationTimeout}");
        }

        if (options.MaxConnections is < 1 or > 1024)
        {
            failures.Add($"Directory:Storage:MaxConnections must be between 1 and 1024, got {options.MaxConnections}");
        }

        if (options.BulkConnections is { } bulk && (bulk < 1 || bulk > options.MaxConnections))
        {
            failures.Add($"Directory:Storage:BulkConnections must be between 1 and Directory:Storage:MaxConnections ({options.MaxConnections}), got {bulk}");
        }

        if (options.MaxRetries is < 0 or > 20)
        {
            failures.Add($"Directory:Storage:MaxRetries must be between 0 and 20, got {options.MaxRetries}");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9]{2,60}$", RegexOptions.CultureInvariant)]
    private static partial Regex TableName();
}

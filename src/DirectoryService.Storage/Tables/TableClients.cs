using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;

namespace DirectoryService.Storage.Tables;

/// <summary>Creates table clients that retry transient faults with exponential backoff.</summary>
public static class TableClients
{
    /// <summary>
    /// The SDK retries timeouts, 408, 429 and 5xx. A retried conditional write can only succeed once
    /// (etags and inserts are conditions), so a write whose first attempt landed reports a conflict,
    /// never a false success; callers resolve it from what storage holds (grain storage compares the
    /// stored bytes) or treat it as "outcome unknown, reload".
    /// </summary>
    public static TableClient Create(string connectionString, string table, int maxRetries, HttpPipelinePolicy? perTryPolicy = null) =>
        Service(connectionString, maxRetries, perTryPolicy).GetTableClient(table);

    /// <summary>A service client with the same retries, for the providers that take one (cluster membership).</summary>
    public static TableServiceClient Service(string connectionString, int maxRetries, HttpPipelinePolicy? perTryPolicy = null)
    {
        var options = new TableClientOptions();
        if (perTryPolicy is not null)
        {
            options.AddPolicy(perTryPolicy, HttpPipelinePosition.PerRetry);
        }

        options.Retry.Mode = RetryMode.Exponential;
        options.Retry.MaxRetries = maxRetries;
        options.Retry.Delay = TimeSpan.FromMilliseconds(100);
        options.Retry.MaxDelay = TimeSpan.FromSeconds(5);
        options.Retry.NetworkTimeout = TimeSpan.FromSeconds(15);
        return new TableServiceClient(connectionString, options);
    }
}

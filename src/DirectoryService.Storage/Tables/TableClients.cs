using System.Collections.Concurrent;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using Azure.Identity;

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

    /// <summary>A table of the configured account: by connection string, or by service URI with Azure credentials.</summary>
    public static TableClient Create(TableStorageOptions storage, string table) => Service(storage).GetTableClient(table);

    /// <summary>
    /// A service client of the configured account, with the retries below: by service URI with
    /// Azure.Identity's <c>DefaultAzureCredential</c> (one per identity, shared, so its token cache
    /// serves every table) when <see cref="TableStorageOptions.ServiceUri"/> is set; else by
    /// connection string (Azurite's development account when none is set).
    /// </summary>
    public static TableServiceClient Service(TableStorageOptions storage)
    {
        if (!string.IsNullOrWhiteSpace(storage.ServiceUri))
        {
            return new TableServiceClient(new Uri(storage.ServiceUri), Credentials.GetOrAdd(storage.ManagedIdentityClientId ?? "", Credential), Options(storage.MaxRetries, Delay(storage)));
        }

        return Service(string.IsNullOrWhiteSpace(storage.ConnectionString) ? TableStorageOptions.DevelopmentConnectionString : storage.ConnectionString, storage.MaxRetries, Delay(storage));
    }

    private static InjectedLatencyPolicy? Delay(TableStorageOptions storage) =>
        storage.InjectedLatency > TimeSpan.Zero ? new InjectedLatencyPolicy(storage.InjectedLatency) : null;

    /// <summary>A service client with the same retries, from a connection string.</summary>
    public static TableServiceClient Service(string connectionString, int maxRetries, HttpPipelinePolicy? perTryPolicy = null) =>
        new(connectionString, Options(maxRetries, perTryPolicy));

    private static readonly ConcurrentDictionary<string, TokenCredential> Credentials = new(StringComparer.OrdinalIgnoreCase);

    private static TokenCredential Credential(string managedIdentityClientId) => new DefaultAzureCredential(new DefaultAzureCredentialOptions
    {
        ManagedIdentityClientId = managedIdentityClientId.Length > 0 ? managedIdentityClientId : null,
    });

    private static TableClientOptions Options(int maxRetries, HttpPipelinePolicy? perTryPolicy)
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
        return options;
    }
}

/// <summary>Delays every request by a fixed time before sending it (<see cref="TableStorageOptions.InjectedLatency"/>).</summary>
public sealed class InjectedLatencyPolicy(TimeSpan latency) : HttpPipelinePolicy
{
    public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        Thread.Sleep(latency);
        ProcessNext(message, pipeline);
    }

    public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        await Task.Delay(latency, message.CancellationToken);
        await ProcessNextAsync(message, pipeline);
    }
}

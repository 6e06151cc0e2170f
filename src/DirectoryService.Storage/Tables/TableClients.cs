using System.Collections.Concurrent;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using Azure.Identity;
using DirectoryService.Abstractions.Common;

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
            return new TableServiceClient(new Uri(storage.ServiceUri), Credentials.GetOrAdd(storage.ManagedIdentityClientId ?? "", Credential), Options(storage.MaxRetries, Delay(storage), storage.OperationTimeout));
        }

        var connectionString = string.IsNullOrWhiteSpace(storage.ConnectionString) ? TableStorageOptions.DevelopmentConnectionString : storage.ConnectionString;
        return new TableServiceClient(connectionString, Options(storage.MaxRetries, Delay(storage), storage.OperationTimeout));
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

    /// <summary>
    /// One connection pool for every table client, which drops a connection idle for 4 s. Azurite
    /// (Node's HTTP server) closes a connection idle for 5 s, and .NET's pool keeps idle ones for a
    /// minute: a request sent on a connection the server is closing gets a reset, which
    /// <see cref="UnreachableTries"/> counts as storage gone away, and <see cref="RewindWatch"/> then
    /// suspects an emulator restarted without its last writes. Azure keeps idle connections for
    /// minutes, so reconnecting a little sooner costs nothing there. As the SDK's own transport:
    /// no cookies, no redirects.
    /// </summary>
    private static readonly HttpClientTransport Transport = new(new SocketsHttpHandler
    {
        PooledConnectionIdleTimeout = TimeSpan.FromSeconds(4),
        UseCookies = false,
        AllowAutoRedirect = false,
    });

    private static TableClientOptions Options(int maxRetries, HttpPipelinePolicy? perTryPolicy, TimeSpan? operationTimeout = null)
    {
        var options = new TableClientOptions { Transport = Transport };
        if (perTryPolicy is not null)
        {
            options.AddPolicy(perTryPolicy, HttpPipelinePosition.PerRetry);
        }

        if (operationTimeout is { } bound)
        {
            options.AddPolicy(new OperationTimeoutPolicy(bound), HttpPipelinePosition.PerCall);
        }

        options.AddPolicy(UnreachableTries.Instance, HttpPipelinePosition.PerRetry);

        options.Retry.Mode = RetryMode.Exponential;
        options.Retry.MaxRetries = maxRetries;
        options.Retry.Delay = TimeSpan.FromMilliseconds(100);
        options.Retry.MaxDelay = TimeSpan.FromSeconds(5);
        options.Retry.NetworkTimeout = operationTimeout is { } timeout && timeout < TimeSpan.FromSeconds(15) ? timeout : TimeSpan.FromSeconds(15);
        return options;
    }
}

/// <summary>
/// Bounds a whole storage operation, retries included (<see cref="TableStorageOptions.OperationTimeout"/>,
/// or what is left of the write's <see cref="CallDeadline"/> if less): past the bound, or when
/// storage cannot be reached at all, the caller gets a
/// <see cref="StorageUnavailableException"/> at once. The request itself may still reach storage
/// (a paused server answers when it resumes), so a write it interrupted has an unknown outcome,
/// which every caller already handles as it handles a lost answer.
/// </summary>
public sealed class OperationTimeoutPolicy(TimeSpan timeout) : HttpPipelinePolicy
{
    public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline) =>
        ProcessAsync(message, pipeline).AsTask().GetAwaiter().GetResult();

    public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        // A write's remaining time budget, when it has one, bounds the operation too.
        var bound = timeout;
        if (CallDeadline.Remaining(DateTimeOffset.UtcNow) is { } left && left < bound)
        {
            if (left <= TimeSpan.Zero)
            {
                throw new StorageUnavailableException("the write's time budget ran out before storage answered");
            }

            bound = left;
        }

        var call = ProcessNextAsync(message, pipeline).AsTask();
        try
        {
            await call.WaitAsync(bound, message.CancellationToken);
        }
        catch (TimeoutException e)
        {
            _ = call.ContinueWith(t => t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            throw new StorageUnavailableException($"storage did not answer within {bound.TotalSeconds:0.#} s", e);
        }
        catch (Exception e) when (Unreachable(e, message))
        {
            throw new StorageUnavailableException("storage could not be reached", e);
        }
    }

    /// <summary>A transport failure (no HTTP response at all) or a per-try network timeout, after the retries.</summary>
    private static bool Unreachable(Exception e, HttpMessage message) =>
        e is Azure.RequestFailedException { Status: 0 }
        || (e is OperationCanceledException && !message.CancellationToken.IsCancellationRequested);
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

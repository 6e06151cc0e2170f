using System.Collections.Concurrent;
using System.Diagnostics;
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
            return new TableServiceClient(new Uri(storage.ServiceUri), Credentials.GetOrAdd(storage.ManagedIdentityClientId ?? "", Credential), Options(storage));
        }

        var connectionString = string.IsNullOrWhiteSpace(storage.ConnectionString) ? TableStorageOptions.DevelopmentConnectionString : storage.ConnectionString;
        return new TableServiceClient(connectionString, Options(storage));
    }

    /// <summary>The client options of the configured account: its retries, bound, connections and turns.</summary>
    private static TableClientOptions Options(TableStorageOptions storage) =>
        Options(storage.MaxRetries, Delay(storage), storage.OperationTimeout, storage.MaxConnections, storage.BulkTurns, storage.IsEmulator);

    private static InjectedLatencyPolicy? Delay(TableStorageOptions storage) =>
        storage.InjectedLatency > TimeSpan.Zero ? new InjectedLatencyPolicy(storage.InjectedLatency) : null;

    /// <summary>
    /// The service's own writer of entity group transactions (<see cref="TableTransactions"/>) for
    /// <paramref name="table"/> of the configured account, over the same pipeline as its client (<see cref="Create(TableStorageOptions, string)"/>),
    /// signed as the client is: by the Azure credential, or the connection string's account key; null
    /// for a connection string with a SAS (the SDK then sends the account's transactions).
    /// </summary>
    public static TableTransactions? Transactions(TableStorageOptions storage, TableClient table)
    {
        HttpPipelinePolicy? signing = !string.IsNullOrWhiteSpace(storage.ServiceUri)
            ? new BearerTokenAuthenticationPolicy(Credentials.GetOrAdd(storage.ManagedIdentityClientId ?? "", Credential), "https://storage.azure.com/.default")
            : SharedKeyLitePolicy.FromConnectionString(string.IsNullOrWhiteSpace(storage.ConnectionString) ? TableStorageOptions.DevelopmentConnectionString : storage.ConnectionString);
        return signing is null ? null : TableTransactions.Create(table.Uri, Options(storage), signing);
    }

    /// <summary>The same, for a table of the account of a connection string, with the retries of <see cref="Create(string, string, int, HttpPipelinePolicy?)"/>.</summary>
    public static TableTransactions? Transactions(string connectionString, TableClient table, int maxRetries) =>
        SharedKeyLitePolicy.FromConnectionString(connectionString) is { } signing
            ? TableTransactions.Create(table.Uri, Options(maxRetries, null, emulator: new TableStorageOptions { ConnectionString = connectionString }.IsEmulator), signing)
            : null;

    /// <summary>A service client with the same retries, from a connection string.</summary>
    public static TableServiceClient Service(string connectionString, int maxRetries, HttpPipelinePolicy? perTryPolicy = null) =>
        new(connectionString, Options(maxRetries, perTryPolicy, emulator: new TableStorageOptions { ConnectionString = connectionString }.IsEmulator));

    private static readonly ConcurrentDictionary<string, TokenCredential> Credentials = new(StringComparer.OrdinalIgnoreCase);

    private static TokenCredential Credential(string managedIdentityClientId) => new DefaultAzureCredential(new DefaultAzureCredentialOptions
    {
        ManagedIdentityClientId = managedIdentityClientId.Length > 0 ? managedIdentityClientId : null,
    });

    /// <summary>
    /// One connection pool for every table client with the same bound on connections
    /// (<see cref="TableStorageOptions.MaxConnections"/>) and idle timeout (<see cref="IdleTimeout"/>).
    /// As the SDK's own transport: no cookies, no redirects.
    /// </summary>
    private static readonly ConcurrentDictionary<(int Connections, TimeSpan Idle), HttpClientTransport> Transports = new();

    private static HttpClientTransport Transport(int maxConnections, TimeSpan idle) => Transports.GetOrAdd((maxConnections, idle), key => new(new SocketsHttpHandler
    {
        PooledConnectionIdleTimeout = key.Idle,
        MaxConnectionsPerServer = key.Connections,
        UseCookies = false,
        AllowAutoRedirect = false,
    }));

    /// <summary>
    /// How long the pool keeps a connection idle. Azurite (Node's HTTP server) closes a connection
    /// idle for 5 s, and .NET's pool keeps idle ones for a minute: a request sent on a connection the
    /// server is closing gets a reset, which <see cref="StorageTries"/> counts as storage gone
    /// away, and <see cref="RewindWatch"/> then suspects an emulator restarted without its last
    /// writes — and the silo drops every activation. 4 s was not enough on the emulator: while it
    /// saves its database its thread is held for up to ~3.5 s, and when it runs again it expires the
    /// connection's 5 s before it reads the request that arrived meanwhile (after a scale-1 import,
    /// once in a run of sign-ins, whose light traffic leaves connections idle). 1 s there leaves a
    /// 4-s margin. Azure keeps idle connections for minutes: 4 s, so light traffic seldom reconnects.
    /// </summary>
    private static TimeSpan IdleTimeout(bool emulator) => emulator ? TimeSpan.FromSeconds(1) : TimeSpan.FromSeconds(4);

    /// <summary>One bulk lane per connection pool (<see cref="Transports"/>), shared like the pool.</summary>
    private static readonly ConcurrentDictionary<(int Connections, int Turns), BulkLane> Lanes = new();

    private static TableClientOptions Options(int maxRetries, HttpPipelinePolicy? perTryPolicy, TimeSpan? operationTimeout = null, int maxConnections = 64, int bulkTurns = 48, bool emulator = false)
    {
        var options = new TableClientOptions { Transport = Transport(maxConnections, IdleTimeout(emulator)) };
        if (perTryPolicy is not null)
        {
            options.AddPolicy(perTryPolicy, HttpPipelinePosition.PerRetry);
        }

        options.AddPolicy(StorageTries.Instance, HttpPipelinePosition.PerRetry);

        options.Retry.Mode = RetryMode.Exponential;
        options.Retry.MaxRetries = maxRetries;
        options.Retry.Delay = RetryDelay;
        options.Retry.MaxDelay = MaxRetryDelay;
        options.Retry.NetworkTimeout = operationTimeout is { } timeout && timeout < TimeSpan.FromSeconds(15) ? timeout : TimeSpan.FromSeconds(15);
        if (operationTimeout is { } bound)
        {
            // Before the bound: the wait for a bulk turn is not part of it.
            options.AddPolicy(Lanes.GetOrAdd((maxConnections, bulkTurns), key => new BulkLane(key.Turns)), HttpPipelinePosition.PerCall);
            options.AddPolicy(new OperationTimeoutPolicy(bound), HttpPipelinePosition.PerCall);
            options.RetryPolicy = new BudgetedRetryPolicy(maxRetries, options.Retry.NetworkTimeout);
        }

        return options;
    }

    private static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The SDK's exponential retries, kept within the operation's deadline (set by
    /// <see cref="OperationTimeoutPolicy"/>): each try's network timeout is cut to the time left, and
    /// no retry is begun that its delay could carry past the deadline. So when the caller is told,
    /// the operation is over, every try included — nothing of it is still sending. (The first version
    /// abandoned the operation at its bound while its retries went on; the SDK then disposed the
    /// request, and a retry sent it without its body: Azurite stored the row with no properties,
    /// losing the state it held.)
    /// </summary>
    private sealed class BudgetedRetryPolicy(int maxRetries, TimeSpan networkTimeout)
        : RetryPolicy(maxRetries, DelayStrategy.CreateExponentialDelayStrategy(RetryDelay, MaxRetryDelay))
    {
        /// <summary>The SDK's exponential delays vary by up to a fifth either way.</summary>
        private const double Jitter = 1.2;

        protected override void OnSendingRequest(HttpMessage message)
        {
            message.SetProperty(typeof(BudgetedRetryPolicy), Tries(message) + 1);
            if (OperationTimeoutPolicy.Left(message) is { } left)
            {
                if (left <= TimeSpan.Zero)
                {
                    throw new OperationDeadlinePassedException();
                }

                message.NetworkTimeout = left < networkTimeout ? left : networkTimeout;
            }
        }

        protected override ValueTask OnSendingRequestAsync(HttpMessage message)
        {
            OnSendingRequest(message);
            return default;
        }

        protected override bool ShouldRetry(HttpMessage message, Exception? exception) =>
            InTime(message) && base.ShouldRetry(message, exception);

        protected override async ValueTask<bool> ShouldRetryAsync(HttpMessage message, Exception? exception) =>
            InTime(message) && await base.ShouldRetryAsync(message, exception);

        /// <summary>Whether the next try would start before the deadline, however long the delay before it.</summary>
        private static bool InTime(HttpMessage message)
        {
            if (OperationTimeoutPolicy.Left(message) is not { } left)
            {
                return true;
            }

            var delay = RetryDelay * Math.Pow(2, Math.Min(Tries(message) - 1, 16));
            return left > (delay < MaxRetryDelay ? delay : MaxRetryDelay) * Jitter;
        }

        private static int Tries(HttpMessage message) =>
            message.TryGetProperty(typeof(BudgetedRetryPolicy), out var tries) && tries is int n ? n : 0;
    }
}

/// <summary>
/// Bounds a whole storage operation, retries included (<see cref="TableStorageOptions.OperationTimeout"/>,
/// or what is left of the write's <see cref="CallDeadline"/> if less): past the bound, or when
/// storage cannot be reached at all, the caller gets a <see cref="StorageUnavailableException"/>.
/// The bound is kept inside the retries (<c>BudgetedRetryPolicy</c>), so when the caller hears of it
/// no try is left running. A request already sent may still be applied (a paused server answers when
/// it resumes), so a write it interrupted has an unknown outcome, which every caller already handles
/// as it handles a lost answer.
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

        message.SetProperty(typeof(OperationTimeoutPolicy), Stopwatch.GetTimestamp() + (long)(bound.TotalSeconds * Stopwatch.Frequency));
        try
        {
            await ProcessNextAsync(message, pipeline);
        }
        catch (Exception e) when (!message.CancellationToken.IsCancellationRequested && Unanswered(e))
        {
            // A try's timeout is what was left when it started, so it can fire a moment before the
            // deadline by the clock here: a timeout is the bound reached, whatever the clock says.
            throw Left(message) <= TimeSpan.Zero || TimedOut(e)
                ? new StorageUnavailableException($"storage did not answer within {bound.TotalSeconds:0.#} s", e)
                : new StorageUnavailableException("storage could not be reached", e);
        }
    }

    /// <summary>The time the operation of <paramref name="message"/> has left; null when it is not bounded.</summary>
    internal static TimeSpan? Left(HttpMessage message) =>
        message.TryGetProperty(typeof(OperationTimeoutPolicy), out var deadline) && deadline is long at
            ? Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), at)
            : null;

    /// <summary>The last try ended by a timeout (its own, or the deadline before it could be sent), not by a transport failure.</summary>
    private static bool TimedOut(Exception e) => e switch
    {
        AggregateException all => all.InnerExceptions.Count > 0 && TimedOut(all.InnerExceptions[^1]),
        OperationCanceledException or OperationDeadlinePassedException => true,
        _ => false,
    };

    /// <summary>No HTTP answer at all: a transport failure, a try's network timeout, the deadline reached — or every try of the retries so.</summary>
    private static bool Unanswered(Exception e) => e switch
    {
        AggregateException all => all.InnerExceptions.All(Unanswered),
        Azure.RequestFailedException { Status: 0 } or OperationCanceledException or OperationDeadlinePassedException => true,
        _ => false,
    };
}

/// <summary>The operation's deadline passed before a retry could start: no try was sent.</summary>
internal sealed class OperationDeadlinePassedException() : Exception("the operation's deadline passed before the next try");

/// <summary>
/// Delays every request by a fixed time before sending it (<see cref="TableStorageOptions.InjectedLatency"/>),
/// as a slow network would: within the operation's deadline, so a delay longer than the time left
/// ends the try at the deadline, unsent, as storage not answering in time.
/// </summary>
public sealed class InjectedLatencyPolicy(TimeSpan latency) : HttpPipelinePolicy
{
    public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        var (delay, sends) = Delay(message);
        Thread.Sleep(delay);
        if (!sends)
        {
            throw new OperationDeadlinePassedException();
        }

        ProcessNext(message, pipeline);
    }

    public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        var (delay, sends) = Delay(message);
        await Task.Delay(delay, message.CancellationToken);
        if (!sends)
        {
            throw new OperationDeadlinePassedException();
        }

        await ProcessNextAsync(message, pipeline);
    }

    private (TimeSpan Delay, bool Sends) Delay(HttpMessage message) =>
        OperationTimeoutPolicy.Left(message) is { } left && left < latency
            ? (left > TimeSpan.Zero ? left : TimeSpan.Zero, false)
            : (latency, true);
}

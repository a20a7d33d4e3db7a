using Azure;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;
using Polly.Simmy;
using Polly.Simmy.Fault;

namespace Compliance.Storage;

/// <summary>
/// The Polly pipeline around our own storage operations (one batch, one query, one upload). The Azure SDK
/// already retries each HTTP request <see cref="ComplianceStorageOptions.SdkMaxRetries"/> times; this
/// pipeline retries the whole operation <see cref="ComplianceStorageOptions.OperationAttempts"/> times in
/// all, only for transient faults. Worst case per operation: attempts × (1 + SDK retries) HTTP tries — with
/// the defaults 3 × 3 = 9 — and then the exception reaches the trigger, whose own redelivery is bounded by
/// host.json. Nothing else retries, so the budget does not multiply further.
/// </summary>
public static class StorageResilience
{
    public const string PipelineKey = "compliance-storage";

    private static readonly ResiliencePropertyKey<int> InjectedKey = new("compliance.chaos.injected");

    internal static void Configure(ResiliencePipelineBuilder builder, ComplianceStorageOptions options, StorageResilienceMonitor monitor, ILogger logger)
    {
        builder.AddRetry(new RetryStrategyOptions
        {
            MaxRetryAttempts = options.OperationAttempts - 1,
            Delay = options.RetryDelay,
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            ShouldHandle = new PredicateBuilder().Handle<RequestFailedException>(IsTransient).Handle<HttpRequestException>().Handle<TimeoutException>().Handle<IOException>(),
            OnRetry = args =>
            {
                monitor.RecordRetry(args.AttemptNumber + 2);
                logger.LogWarning(args.Outcome.Exception, "Storage operation {Operation} failed transiently; attempt {Attempt} of {Attempts} in {Delay}", args.Context.OperationKey, args.AttemptNumber + 2, options.OperationAttempts, args.RetryDelay);
                return ValueTask.CompletedTask;
            },
        });

        if (options.ChaosFaultsPerOperation > 0)
        {
            // Inside the retry, so the retry must absorb what is injected. Deterministic: each operation
            // fails exactly N times, which makes "within budget" a property a test can hold us to.
            builder.AddChaosFault(new ChaosFaultStrategyOptions
            {
                InjectionRate = 1,
                EnabledGenerator = args => ValueTask.FromResult(args.Context.Properties.GetValue(InjectedKey, 0) < options.ChaosFaultsPerOperation),
                FaultGenerator = args =>
                {
                    args.Context.Properties.Set(InjectedKey, args.Context.Properties.GetValue(InjectedKey, 0) + 1);
                    return ValueTask.FromResult<Exception?>(new RequestFailedException(503, "Chaos: injected transient storage fault.", "ServerBusy", null));
                },
                OnFaultInjected = _ =>
                {
                    monitor.RecordInjectedFault();
                    return ValueTask.CompletedTask;
                },
            });
        }
    }

    /// <summary>Timeouts, throttling and server errors are worth another try; 4xx answers are not.</summary>
    public static bool IsTransient(RequestFailedException ex) => ex.Status is 0 or 408 or 429 or 500 or 502 or 503 or 504;
}

/// <summary>Counts what the storage pipeline did, for logs, tests and game days.</summary>
public sealed class StorageResilienceMonitor
{
    private int retries;
    private int injectedFaults;
    private long httpCalls;
    private long injectedHttpFaults;
    private int maxAttempts = 1;

    public int Retries => Volatile.Read(ref retries);

    public int InjectedFaults => Volatile.Read(ref injectedFaults);

    /// <summary>HTTP tries our storage clients made while <see cref="ComplianceStorageOptions.ChaosHttpFaultRate"/> was on.</summary>
    public long HttpCalls => Interlocked.Read(ref httpCalls);

    /// <summary>Of those, the ones answered with an injected 503.</summary>
    public long InjectedHttpFaults => Interlocked.Read(ref injectedHttpFaults);

    /// <summary>The most attempts any single operation needed.</summary>
    public int MaxAttempts => Volatile.Read(ref maxAttempts);

    internal void RecordRetry(int attempt)
    {
        Interlocked.Increment(ref retries);
        int seen;
        while ((seen = Volatile.Read(ref maxAttempts)) < attempt && Interlocked.CompareExchange(ref maxAttempts, attempt, seen) != seen)
        {
        }
    }

    internal void RecordInjectedFault() => Interlocked.Increment(ref injectedFaults);

    internal void RecordHttpCall() => Interlocked.Increment(ref httpCalls);

    internal void RecordInjectedHttpFault() => Interlocked.Increment(ref injectedHttpFaults);
}

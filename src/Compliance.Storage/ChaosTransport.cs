using System.Diagnostics.CodeAnalysis;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;
using Polly;
using Polly.Simmy;
using Polly.Simmy.Outcomes;

namespace Compliance.Storage;

/// <summary>
/// Chaos engineering below the SDK's own retry: a Polly outcome-chaos strategy answers a share of the
/// HTTP requests our Blob and Table clients send with a 503 "server busy" instead of sending them, the
/// way a throttled or failing storage front end would. It is the transport itself, so the SDK classifies
/// the answer as it would a real one, each try rolls the dice, and the SDK's retries, then our operation
/// retries, then the trigger's redelivery must absorb the faults. Off unless
/// <see cref="ComplianceStorageOptions.ChaosHttpFaultRate"/> is set (tests and game days).
/// </summary>
internal sealed class ChaosTransport : HttpPipelineTransport
{
    private readonly HttpPipelineTransport inner;
    private readonly ResiliencePipeline<bool> chaos;
    private readonly StorageResilienceMonitor monitor;

    public ChaosTransport(HttpPipelineTransport inner, double injectionRate, StorageResilienceMonitor monitor)
    {
        this.inner = inner;
        this.monitor = monitor;
        chaos = new ResiliencePipelineBuilder<bool>()
            .AddChaosOutcome(new ChaosOutcomeStrategyOptions<bool>
            {
                InjectionRate = injectionRate,
                OutcomeGenerator = _ => ValueTask.FromResult<Outcome<bool>?>(Outcome.FromResult(true)),
                OnOutcomeInjected = _ =>
                {
                    monitor.RecordInjectedHttpFault();
                    return ValueTask.CompletedTask;
                },
            })
            .Build();
    }

    public override Request CreateRequest() => inner.CreateRequest();

    public override void Process(HttpMessage message) => ProcessAsync(message, async: false).AsTask().GetAwaiter().GetResult();

    public override ValueTask ProcessAsync(HttpMessage message) => ProcessAsync(message, async: true);

    private async ValueTask ProcessAsync(HttpMessage message, bool async)
    {
        monitor.RecordHttpCall();
        var injected = await chaos.ExecuteAsync(
            async ct =>
            {
                if (async)
                {
                    await inner.ProcessAsync(message).ConfigureAwait(false);
                }
                else
                {
                    inner.Process(message);
                }

                return false;
            },
            message.CancellationToken).ConfigureAwait(false);
        if (injected)
        {
            message.Response = new ServerBusyResponse(message.Request.ClientRequestId);
        }
    }

    /// <summary>What a busy storage front end answers: 503 with the ServerBusy error code and no body.</summary>
    private sealed class ServerBusyResponse(string clientRequestId) : Response
    {
        private readonly Dictionary<string, string> headers = new(StringComparer.OrdinalIgnoreCase)
        {
            ["x-ms-error-code"] = "ServerBusy",
            ["Content-Length"] = "0",
        };

        public override int Status => 503;

        public override string ReasonPhrase => "Server Busy (injected by chaos)";

        public override Stream? ContentStream { get; set; } = new MemoryStream([], writable: false);

        public override string ClientRequestId { get; set; } = clientRequestId;

        public override void Dispose() => ContentStream?.Dispose();

        protected override bool ContainsHeader(string name) => headers.ContainsKey(name);

        protected override IEnumerable<HttpHeader> EnumerateHeaders() => headers.Select(h => new HttpHeader(h.Key, h.Value));

        protected override bool TryGetHeader(string name, [NotNullWhen(true)] out string? value) => headers.TryGetValue(name, out value);

        protected override bool TryGetHeaderValues(string name, [NotNullWhen(true)] out IEnumerable<string>? values)
        {
            values = headers.TryGetValue(name, out var value) ? [value] : null;
            return values is not null;
        }
    }
}

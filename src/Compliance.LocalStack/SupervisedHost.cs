using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Compliance.LocalStack;

/// <summary>
/// Keeps a local host running the way the Functions platform keeps an app running: when a host stops
/// because of a fault (<see cref="HostFaults"/>: a listener failed, say while storage was unreachable), a
/// new one is built and started, with a growing pause while starting keeps failing. Processing is
/// idempotent and the reconciler picks up what the old host left half done, so a restart loses nothing.
/// A stop without a fault (Ctrl+C, dispose) ends it.
/// </summary>
public sealed class SupervisedHost : IAsyncDisposable
{
    private static readonly TimeSpan FirstPause = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan LongestPause = TimeSpan.FromSeconds(15);

    private readonly Func<IHost> build;
    private readonly ILogger logger;
    private readonly CancellationTokenSource stopping = new();
    private IHost current;
    private Task? supervision;
    private int restarts;

    private SupervisedHost(Func<IHost> build, IHost first, ILogger logger)
    {
        this.build = build;
        current = first;
        this.logger = logger;
    }

    /// <summary>The host running now (or the last one, between a fault and the next start).</summary>
    public IHost Current => Volatile.Read(ref current);

    /// <summary>How many times a faulted host was replaced.</summary>
    public int Restarts => Volatile.Read(ref restarts);

    /// <summary>Builds and starts the first host; a failure here (bad settings, say) is the caller's, not retried.</summary>
    public static async Task<SupervisedHost> StartAsync(Func<IHost> build, ILogger logger, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(build);
        var first = await StartNewAsync(build, cancellationToken).ConfigureAwait(false);
        var supervised = new SupervisedHost(build, first, logger);
        supervised.supervision = supervised.SuperviseAsync();
        return supervised;
    }

    private async Task SuperviseAsync()
    {
        var token = stopping.Token;
        while (!token.IsCancellationRequested)
        {
            // Returns once the host has stopped: after a fault, a stop from inside, or (when disposing) the token.
            var host = Current;
            await host.WaitForShutdownAsync(token).ConfigureAwait(false);
            if (token.IsCancellationRequested)
            {
                return;
            }

            var fault = host.Services.GetService<HostFaults>()?.Fault;
            host.Dispose();
            if (fault is null)
            {
                return; // stopped on purpose
            }

            var pause = FirstPause;
            while (!token.IsCancellationRequested)
            {
                logger.LogWarning("The local host stopped after a fault ({Fault}); starting a new one in {Pause}", fault.Message, pause);
                try
                {
                    await Task.Delay(pause, token).ConfigureAwait(false);
                    var next = await StartNewAsync(build, token).ConfigureAwait(false);
                    Volatile.Write(ref current, next);
                    Interlocked.Increment(ref restarts);
                    logger.LogWarning("A new local host is running (restart {Restart})", Restarts);
                    break;
                }
                catch (OperationCanceledException) when (token.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception ex)
                {
                    fault = ex;
                    pause = TimeSpan.FromTicks(Math.Min(pause.Ticks * 2, LongestPause.Ticks));
                }
            }
        }
    }

    private static async Task<IHost> StartNewAsync(Func<IHost> build, CancellationToken cancellationToken)
    {
        var host = build();
        try
        {
            await host.StartAsync(cancellationToken).ConfigureAwait(false);
            return host;
        }
        catch
        {
            host.Dispose();
            throw;
        }
    }

    /// <summary>Stops the running host (the supervision loop does, through its token) and disposes it.</summary>
    public async ValueTask DisposeAsync()
    {
        await stopping.CancelAsync().ConfigureAwait(false);
        try
        {
            await (supervision ?? Task.CompletedTask).ConfigureAwait(false);
        }
        finally
        {
            Current.Dispose();
            stopping.Dispose();
        }
    }
}

using System.Runtime.ExceptionServices;
using Microsoft.Azure.WebJobs;
using Microsoft.Azure.WebJobs.Host.Timers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Compliance.LocalStack;

/// <summary>
/// What the WebJobs SDK does with an exception that escapes one of its listeners (the blob scan, the
/// timer): its default handler rethrows it on a new thread, which ends the process — fine under the
/// Functions platform, which starts a new one, fatal for a laptop host or a test run. This one does what
/// the Functions host does instead: logs it and stops this host, so <see cref="SupervisedHost"/> can start
/// a new one. A transient storage fault during a blob-receipt lease release is enough to get here.
/// </summary>
internal sealed class HostFaultHandler(IHost host, ILogger logger) : IWebJobsExceptionHandler
{
    public void Initialize(JobHost host)
    {
    }

    public Task OnTimeoutExceptionAsync(ExceptionDispatchInfo exceptionInfo, TimeSpan timeoutGracePeriod) => StopAsync(exceptionInfo, "A function timed out");

    public Task OnUnhandledExceptionAsync(ExceptionDispatchInfo exceptionInfo) => StopAsync(exceptionInfo, "A trigger listener failed");

    private Task StopAsync(ExceptionDispatchInfo exceptionInfo, string what)
    {
        ArgumentNullException.ThrowIfNull(exceptionInfo);
        logger.LogCritical(exceptionInfo.SourceException, "{What}; stopping this host so that a new one takes over", what);
        host.Services.GetService<HostFaults>()?.Record(exceptionInfo.SourceException);
        host.Services.GetRequiredService<IHostApplicationLifetime>().StopApplication();
        return Task.CompletedTask;
    }

    /// <summary>Creates the handler for the host being built.</summary>
    internal sealed class Factory(ILoggerFactory loggers) : IWebJobsExceptionHandlerFactory
    {
        public IWebJobsExceptionHandler Create(IHost jobHost) => new HostFaultHandler(jobHost, loggers.CreateLogger<HostFaultHandler>());
    }
}

/// <summary>The fault that stopped a host, if one did: a stop with a fault is restarted, a stop without one (Ctrl+C) is not.</summary>
public sealed class HostFaults
{
    private Exception? fault;

    public Exception? Fault => Volatile.Read(ref fault);

    internal void Record(Exception exception) => Interlocked.CompareExchange(ref fault, exception, null);
}

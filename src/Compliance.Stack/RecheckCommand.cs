using System.CommandLine;
using System.Globalization;
using Compliance.Cli;
using Compliance.Core.Filings;
using Compliance.Pipeline.Rechecks;
using Microsoft.Extensions.DependencyInjection;

namespace Compliance.Stack;

/// <summary>
/// <c>compliance-stack recheck --period 2016-06 [--rule HF-RATE-CAP] [--wait]</c> starts a re-check of a month's stored filings
/// (what <c>POST /api/rechecks</c> does), <c>compliance-stack recheck --id …</c> shows one's progress. The checks themselves
/// run wherever the queue triggers run: the Functions app, or <c>compliance-stack serve</c>.
/// </summary>
internal static class RecheckCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var (ports, storage) = (new LocalStackCommands.PortOptions(), MigrateCommand.StorageOption());
        var period = new Option<string?>("--period") { Description = "The filing month (yyyy-MM) whose stored filings are checked again." };
        var rule = new Option<string?>("--rule") { Description = "Only filings of the kind this rule applies to (HF-RATE-CAP: payroll filings)." };
        var id = new Option<string?>("--id") { Description = "Show the progress of this re-check instead of starting one." };
        var wait = new Option<bool>("--wait") { Description = "Print the progress every few seconds until every filing is done or failed." };
        var command = new Command(
            "recheck",
            """
            Check a month's stored filings again under the policy catalog in force — after a catalog change — as a
            re-upload would: findings the new catalog no longer has are resolved, new ones are added, those that stay
            keep their review state. Every filing goes onto a Storage queue; the Functions app (or compliance-stack serve)
            checks them in parallel. Failed filings are reported here and kept in the poison queue.
            Examples: compliance-stack recheck --period 2016-06 --rule HF-RATE-CAP --wait
                      compliance-stack recheck --id 20261205T031500Z-3f9a1c
            """)
        {
            storage,
            period,
            rule,
            id,
            wait,
        };
        ports.AddTo(command);
        command.SetAction((parse, cancellationToken) =>
        {
            var asked = parse.GetValue(period);
            Period? month = null;
            if (parse.GetValue(id) is null && (asked is null || !Period.TryParse(asked, out month)))
            {
                error.WriteLine(asked is null ? "Give --period yyyy-MM (a month to re-check) or --id (a re-check to follow)." : $"'{asked}' is not a month; write yyyy-MM, for example 2016-06.");
                return Task.FromResult(ExitCodes.Usage);
            }

            return MigrateCommand.WithPipelineAsync(parse, ports, storage, cancellationToken, async provider =>
            {
                var rechecks = provider.GetRequiredService<RecheckService>();
                RecheckProgress progress;
                if (parse.GetValue(id) is { } existing)
                {
                    if (await rechecks.ProgressAsync(existing, cancellationToken) is not { } found)
                    {
                        await error.WriteLineAsync($"No re-check '{existing}'.");
                        return ExitCodes.Usage;
                    }

                    progress = found;
                }
                else
                {
                    switch (await rechecks.StartAsync($"{Environment.UserName} (compliance-stack recheck)", month!.Value, parse.GetValue(rule), cancellationToken))
                    {
                        case RecheckStart.Started started:
                            progress = started.Progress;
                            await output.WriteLineAsync($"Re-check {progress.Id} of {progress.Period} started{(progress.Rule is { } r ? $" (filings of rule {r}'s kind)" : string.Empty)}.");
                            break;
                        case RecheckStart.AlreadyRunning running:
                            progress = running.Progress;
                            await output.WriteLineAsync($"Re-check {progress.Id} of {progress.Period} is already running; following it.");
                            break;
                        case RecheckStart.UnknownRule unknown:
                            await error.WriteLineAsync($"The catalog in force has no rule '{unknown.Rule}'; compliance policies lists them.");
                            return ExitCodes.Usage;
                        default:
                            throw new InvalidOperationException("An outcome of starting a re-check is not handled.");
                    }
                }

                await output.WriteLineAsync(Line(progress));
                while (parse.GetValue(wait) && !progress.IsFinished)
                {
                    await Task.Delay(TimeSpan.FromSeconds(3), cancellationToken);
                    progress = (await rechecks.ProgressAsync(progress.Id, cancellationToken))!;
                    await output.WriteLineAsync(Line(progress));
                }

                foreach (var failure in progress.Failures)
                {
                    await output.WriteLineAsync($"  failed: {failure.BlobName} after {failure.Attempts} deliveries: {failure.Error}");
                }

                return progress.Failed > 0 ? ExitCodes.Internal : ExitCodes.Clean;
            });
        });
        return command;
    }

    private static string Line(RecheckProgress p) => string.Create(
        CultureInfo.InvariantCulture,
        $"{p.Id} {p.State}: {p.Queued} queued, {p.Done} done ({p.Checked} checked, {p.Rejected} rejected, {p.Current} already current, {p.Gone} gone), {p.Failed} failed, {p.Remaining} remaining");
}

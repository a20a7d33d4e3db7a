using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Compliance.Core.Digests;
using Compliance.Core.Filings;
using Compliance.Core.Policies;
using Compliance.Storage;
using Compliance.Storage.Entities;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Compliance.Pipeline.Digests;

/// <summary>A rendered digest: the mail's subject and text part, and the files to archive.</summary>
public sealed record RenderedDigest(string Subject, string Text, List<DigestFile> Files);

/// <summary>
/// A file of a digest, written when it is asked for: a national month's JSON and CSV run to hundreds of megabytes,
/// so the archive writes each in turn to a temporary file and uploads it from there rather than holding them all.
/// </summary>
public sealed record DigestFile(string Name, string Type, Action<Stream> Write)
{
    public static DigestFile Of(string name, string type, BinaryData content) => new(name, type, output => output.Write(content.ToMemory().Span));

    /// <summary>The file in memory (for a small digest, a test, a folder on disk).</summary>
    public BinaryData Content
    {
        get
        {
            var buffer = new MemoryStream();
            Write(buffer);
            return new BinaryData(buffer.GetBuffer().AsMemory(0, (int)buffer.Length));
        }
    }
}

/// <summary>What one digest run did.</summary>
public sealed record DigestRunResult(Period Month, int Recipients, int Archived, int Sent, int AlreadySent, int Skipped);

/// <summary>
/// Builds, archives and sends a month's digest — exactly once per recipient, however often it runs.
/// <para>
/// Each recipient has a ledger entry (Digests table, month × recipient). The digest is rendered and
/// archived to <c>digests/{yyyy-MM}/{recipient}/</c> first and the entry marked; the mail is then sent from
/// the archive, the attempt claimed beforehand with an ETag-checked update, and the entry marked sent.
/// A second run finds every entry sent and does nothing; a run that died after archiving resumes with the
/// send; two runs at once cannot both claim the same send. The one window left is a crash between the
/// SMTP server accepting the mail and the ledger update: the resend carries the same Message-Id, so mail
/// systems and readers can recognise it.
/// </para>
/// </summary>
public sealed class DigestService(DigestStore store, FindingCounts counts, IDigestSender sender, PolicyCatalog catalog, IOptions<DigestOptions> options, PipelineTelemetry telemetry, TimeProvider time, ILogger<DigestService> logger)
{
    private const string MailHtml = "mail.html";

    /// <summary>The month a run at <paramref name="utcNow"/> reports on: the calendar month before, in China Standard Time.</summary>
    public static Period MonthBefore(DateTimeOffset utcNow)
    {
        return DigestBuilder.Previous(ChinaTime.MonthOf(utcNow));
    }

    /// <summary>
    /// The scheduled run: the month before now (China Standard Time), built, archived and sent. A past-due
    /// run (the host was down at 08:00 on the 1st) still reports on that month, not on the one it wakes in.
    /// </summary>
    public async Task<DigestRunResult> RunScheduledAsync(bool pastDue, CancellationToken cancellationToken)
    {
        var month = MonthBefore(time.GetUtcNow());
        if (pastDue)
        {
            logger.LogWarning("The digest timer for {Month} fired late; sending now", month);
        }

        var result = await RunAsync(month, send: true, cancellationToken).ConfigureAwait(false);
        logger.LogInformation("Digest {Month}: {Sent} sent, {AlreadySent} already sent, {Archived} archived, {Skipped} skipped, of {Recipients} recipients", result.Month, result.Sent, result.AlreadySent, result.Archived, result.Skipped, result.Recipients);
        return result;
    }

    /// <summary>
    /// Reads what the month's digest needs: the month's and the previous month's findings (their province partitions,
    /// in parallel), the month's filings, and — for the trend's earlier months and the backlog — the counts of the
    /// <see cref="DigestBuilder.BacklogMonths"/> months before, never those months' findings.
    /// </summary>
    public async Task<DigestInput> LoadAsync(Period month, CancellationToken cancellationToken) =>
        await LoadAsync(month, await RecipientsAsync(cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);

    private async Task<DigestInput> LoadAsync(Period month, IReadOnlyList<DigestRecipient> recipients, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var pool = new StringPool();
        DigestViolation Effective(ViolationEntity v) => ToDigest(v, pool, now);
        var current = await store.ViolationsOfMonthAsync(month.ToString(), Effective, cancellationToken).ConfigureAwait(false);
        var previous = await store.ViolationsOfMonthAsync(DigestBuilder.Previous(month).ToString(), Effective, cancellationToken).ConfigureAwait(false);
        return new DigestInput(month, current, previous, await EarlierAsync(month, now, cancellationToken).ConfigureAwait(false), NamesOf(recipients))
        {
            Filings = await FilingsAsync(month, cancellationToken).ConfigureAwait(false),
            RuleTitles = ruleTitles,
        };
    }

    /// <summary>
    /// The digest of <paramref name="region"/> for <paramref name="month"/>, read as the region's key range streams
    /// past (the month's and the month before's) and never held: the findings it lists go to temporary files, so a
    /// national month costs its tallies (by enterprise, and enterprise × rule). Dispose it to delete the files.
    /// </summary>
    public async Task<RegulatorDigest> RegulatorDigestAsync(Period month, string region, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var context = await MonthContextAsync(month, await RecipientsAsync(cancellationToken).ConfigureAwait(false), now, cancellationToken).ConfigureAwait(false);
        return await RegulatorDigestAsync(context, region, now, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>What every recipient's digest of a month shares, read once per run.</summary>
    private sealed record MonthContext(Period Month, IReadOnlyDictionary<string, string> Names, IReadOnlyList<DigestCell> Earlier, IReadOnlyList<DigestFiling> Filings);

    private async Task<MonthContext> MonthContextAsync(Period month, IReadOnlyList<DigestRecipient> recipients, DateTimeOffset now, CancellationToken cancellationToken) =>
        new(month, NamesOf(recipients), await EarlierAsync(month, now, cancellationToken).ConfigureAwait(false), await FilingsAsync(month, cancellationToken).ConfigureAwait(false));

    private async Task<RegulatorDigest> RegulatorDigestAsync(MonthContext context, string region, DateTimeOffset now, CancellationToken cancellationToken)
    {
        using var accumulator = new RegulatorDigestAccumulator(context.Month, region, context.Names, ruleTitles, spill: true);
        var prefix = DigestBuilder.RegionPrefix(region);

        // Pages of several provinces arrive at once; the accumulator counts under its own lock and spills each
        // province to a file of its own, in key order. No texts are pooled: each finding is let go once spilled.
        await store.StreamViolationsOfMonthAsync(DigestBuilder.Previous(context.Month).ToString(), prefix, (_, v) => accumulator.AddPrevious(ToDigest(v, null, now)), cancellationToken).ConfigureAwait(false);
        await store.StreamViolationsOfMonthAsync(context.Month.ToString(), prefix, (part, v) => accumulator.Add(ToDigest(v, null, now), part), cancellationToken).ConfigureAwait(false);
        foreach (var filing in context.Filings)
        {
            accumulator.AddFiling(filing);
        }

        return accumulator.Build(context.Earlier);
    }

    /// <summary>An enterprise's digest from its own partition: null when it has no standing finding in the month.</summary>
    private async Task<EnterpriseDigest?> EnterpriseDigestAsync(MonthContext context, string uscc, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var pool = new StringPool();
        var own = await store.ViolationsOfEnterpriseAsync(uscc, context.Month.ToString(), cancellationToken).ConfigureAwait(false);
        return DigestBuilder.ForEnterprise(context.Month, uscc, context.Names, own.Select(v => ToDigest(v, pool, now)));
    }

    private async Task<List<DigestFiling>> FilingsAsync(Period month, CancellationToken cancellationToken) =>
        [.. (await store.FilingsOfMonthAsync(month.ToString(), cancellationToken).ConfigureAwait(false)).Select(f => new DigestFiling(f.Uscc, Core.Checking.FilingStatusNames.IsChecked(f.Status), f.Regions.Split(',', StringSplitOptions.RemoveEmptyEntries)))];

    /// <summary>Each rule's limit in words, from the catalog loaded at start: built once, not per recipient.</summary>
    private readonly Dictionary<string, LocalizedText> ruleTitles = catalog.Rules.ToDictionary(r => r.Id, r => r.Title, StringComparer.Ordinal);

    private static Dictionary<string, string> NamesOf(IReadOnlyList<DigestRecipient> recipients) =>
        recipients.Where(r => r.Uscc is not null && r.Name is not null).GroupBy(r => r.Uscc!).ToDictionary(g => g.Key, g => g.First().Name!);

    /// <summary>The counts of the months before <paramref name="month"/> in every province, by month and region.</summary>
    private async Task<List<DigestCell>> EarlierAsync(Period month, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var months = Enumerable.Range(1, DigestBuilder.BacklogMonths).Select(back => month.AddMonths(-back).ToString()).ToList();
        var read = await counts.CountersAsync(months, string.Empty, now, cancellationToken).ConfigureAwait(false);
        return
        [
            .. read.SelectMany(r => r.Counters.Where(c => c.Findings != 0 && c.Status != ViolationEntity.ResolvedStatus)
                .GroupBy(c => c.Region, StringComparer.Ordinal)
                .Select(g => new DigestCell(Period.Parse(r.Month), g.Key, g.Sum(c => c.Findings), g.Where(c => FindingCounts.IsOutstanding(c.Status)).Sum(c => c.Findings)))),
        ];
    }

    /// <summary>Recipients from configuration and from the Recipients table, each address and audience once.</summary>
    public async Task<IReadOnlyList<DigestRecipient>> RecipientsAsync(CancellationToken cancellationToken)
    {
        var stored = (await store.RecipientsAsync(cancellationToken).ConfigureAwait(false))
            .Where(r => r.PartitionKey is RecipientEntity.Regulator or RecipientEntity.Enterprise)
            .Select(r => new DigestRecipient
            {
                Email = r.Email,
                Name = r.Name,
                Region = r.PartitionKey == RecipientEntity.Regulator ? r.Region : null,
                Uscc = r.PartitionKey == RecipientEntity.Enterprise ? r.Uscc : null,
            });
        return [.. options.Value.Recipients.Concat(stored).Where(r => r.Region is not null || r.Uscc is not null).DistinctBy(r => (r.Audience, r.Email.ToLowerInvariant()))];
    }

    /// <summary>
    /// Every recipient's digest of <paramref name="month"/>, archived and (with <paramref name="send"/>) sent, one
    /// recipient at a time: a regulator's is read from its region's key range and written through a temporary file,
    /// an enterprise's from its own partition, and one already sent is not read at all.
    /// </summary>
    public async Task<DigestRunResult> RunAsync(Period month, bool send, CancellationToken cancellationToken)
    {
        var recipients = await RecipientsAsync(cancellationToken).ConfigureAwait(false);
        var now = time.GetUtcNow();
        var context = await MonthContextAsync(month, recipients, now, cancellationToken).ConfigureAwait(false);
        int archived = 0, sent = 0, alreadySent = 0, skipped = 0;
        var failures = new List<Exception>();
        foreach (var recipient in recipients)
        {
            EnterpriseDigest? own = null;
            if (recipient.Region is null && (recipient.Uscc is null || (own = await EnterpriseDigestAsync(context, recipient.Uscc, now, cancellationToken).ConfigureAwait(false)) is null))
            {
                skipped++; // an enterprise with nothing to fix this month gets no mail
                continue;
            }

            var id = RecipientId(recipient);
            var entry = await store.LedgerEntryAsync(month.ToString(), id, recipient.Email, recipient.Audience, cancellationToken).ConfigureAwait(false);
            if (entry.Sent)
            {
                alreadySent++;
                continue;
            }

            using var regional = recipient.Region is { } region ? await RegulatorDigestAsync(context, region, now, cancellationToken).ConfigureAwait(false) : null;
            var files = regional is not null ? RenderRegulator(regional) : RenderEnterprise(own!);

            if (entry.Archive is null)
            {
                var prefix = $"{month}/{id}";
                foreach (var file in files.Files)
                {
                    await using var content = new FileStream(Path.GetTempFileName(), FileMode.Create, FileAccess.ReadWrite, FileShare.None, 1 << 16, FileOptions.DeleteOnClose);
                    file.Write(content);
                    await store.ArchiveAsync(prefix, file.Name, content, file.Type, cancellationToken).ConfigureAwait(false);
                }

                entry.Archive = prefix;
                if (!await store.TryUpdateAsync(entry, cancellationToken).ConfigureAwait(false))
                {
                    skipped++; // another run is on it
                    continue;
                }

                archived++;
                logger.LogInformation("Digest {Month} for {Audience} archived to {Archive}", month, recipient.Audience, prefix);
            }

            if (!send)
            {
                continue;
            }

            entry.Attempts++;
            if (!await store.TryUpdateAsync(entry, cancellationToken).ConfigureAwait(false))
            {
                skipped++;
                continue;
            }

            try
            {
                var mail = await MailFromArchiveAsync(entry, files.Subject, files.Text, recipient.Email, cancellationToken).ConfigureAwait(false);
                await sender.SendAsync(mail, cancellationToken).ConfigureAwait(false);
                entry.Sent = true;
                entry.MessageId = mail.MessageId;
                entry.SentAt = time.GetUtcNow();
                entry.LastError = null;
                await store.TryUpdateAsync(entry, cancellationToken).ConfigureAwait(false);
                sent++;
                telemetry.DigestsSent.Add(1, new KeyValuePair<string, object?>("audience", recipient.Audience.ToString().ToLowerInvariant()));
                logger.LogInformation("Digest {Month} for {Audience} sent (attempt {Attempt})", month, recipient.Audience, entry.Attempts);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                entry.LastError = ex.Message;
                await store.TryUpdateAsync(entry, cancellationToken).ConfigureAwait(false);
                logger.LogError(ex, "Digest {Month} for {Audience} could not be sent (attempt {Attempt}); the next run resumes it", month, recipient.Audience, entry.Attempts);
                failures.Add(ex);
            }
        }

        var result = new DigestRunResult(month, recipients.Count, archived, sent, alreadySent, skipped);
        if (failures.Count > 0)
        {
            throw new AggregateException($"{failures.Count} digest(s) for {month} could not be sent; run again to resume.", failures);
        }

        return result;
    }

    /// <summary>The regulator files: standalone HTML (charts as data URIs), the mail's HTML (charts by content id), the charts, JSON, CSV.</summary>
    public static RenderedDigest RenderRegulator(RegulatorDigest digest)
    {
        ArgumentNullException.ThrowIfNull(digest);
        var charts = DigestCharts.Render(digest).ToDictionary(c => c.Id, StringComparer.Ordinal);
        ChartImage? Inline(string id) => charts.TryGetValue(id, out var chart) ? chart.Image("data:image/png;base64," + Convert.ToBase64String(chart.Png)) : null;
        ChartImage? ByContentId(string id) => charts.TryGetValue(id, out var chart) ? chart.Image($"cid:{id}") : null;
        var region = RegionNames.Display(digest.Region);
        return new(
            $"合规月报 Compliance digest {digest.Month} — {region}",
            $"Compliance digest {digest.Month}, region {region}: {digest.Total} violations (new {digest.New}, recurring {digest.Recurring}, resolved {digest.Resolved}). The HTML part has the details.",
            [
                DigestFile.Of("digest.html", "text/html; charset=utf-8", BinaryData.FromString(DigestHtml.Render(digest, Inline))),
                DigestFile.Of(MailHtml, "text/html; charset=utf-8", BinaryData.FromString(DigestHtml.Render(digest, ByContentId))),
                .. charts.Values.Select(c => DigestFile.Of($"{c.Id}.png", "image/png", BinaryData.FromBytes(c.Png))),
                new DigestFile("digest.json", "application/json; charset=utf-8", output => DigestJson.Write(digest, output)),
                new DigestFile("digest.csv", "text/csv; charset=utf-8", output => DigestCsv.Write(digest, output)),
            ]);
    }

    private static RenderedDigest RenderEnterprise(EnterpriseDigest digest)
    {
        var html = DigestHtml.Render(digest);
        return new(
            $"合规月报 Compliance digest {digest.Month} — {digest.Uscc}",
            $"{digest.Violations.Count} violation(s) in your filings for {digest.Month}. The HTML part lists what to fix.",
            [DigestFile.Of("digest.html", "text/html; charset=utf-8", BinaryData.FromString(html)), DigestFile.Of(MailHtml, "text/html; charset=utf-8", BinaryData.FromString(html))]);
    }

    private async Task<DigestMail> MailFromArchiveAsync(DigestLedgerEntity entry, string subject, string text, string email, CancellationToken cancellationToken)
    {
        var html = (await store.ReadArchiveAsync(entry.Archive!, MailHtml, cancellationToken).ConfigureAwait(false)).ToString();
        var images = new Dictionary<string, byte[]>();
        foreach (var id in DigestHtml.ChartIds)
        {
            if (html.Contains($"cid:{id}", StringComparison.Ordinal))
            {
                images[id] = (await store.ReadArchiveAsync(entry.Archive!, $"{id}.png", cancellationToken).ConfigureAwait(false)).ToArray();
            }
        }

        return new DigestMail(email, subject, html, text, $"digest-{entry.PartitionKey}-{entry.RowKey}@compliancefunctions", images);
    }

    private static string RecipientId(DigestRecipient recipient) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{recipient.Audience}|{recipient.Email.ToLowerInvariant()}")).AsSpan(0, 12));

    /// <summary>The finding as the digest shows it, its status as of <paramref name="now"/> (an exemption whose end has passed is open again).</summary>
    private static DigestViolation ToDigest(ViolationEntity v, StringPool? pool, DateTimeOffset now)
    {
        string Pooled(string text) => pool?.Get(text) ?? text;
        return new(
            Pooled(v.Rule), Pooled(v.Uscc), Pooled(v.Period), Pooled(v.Region), v.Row, Pooled(v.Field), decimal.Parse(v.Observed.ToString(CultureInfo.InvariantCulture), NumberStyles.Float, CultureInfo.InvariantCulture),
            Pooled(v.Limit), Pooled(v.Citation), Pooled(v.EffectiveStatus(now)), v.FilingName, v.Message)
        {
            EmployeeId = v.EmployeeId,
            Item = v.Item,
            Superseded = v.IsSuperseded,
            Rows = v.RowCount,
            Employees = v.EmployeeCount,
        };
    }

    /// <summary>One instance of each text read, so a month of findings held in memory that repeat their rule, clause and enterprise holds each once.</summary>
    private sealed class StringPool
    {
        private readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> texts = new(StringComparer.Ordinal);

        public string Get(string text) => texts.GetOrAdd(text, text);
    }
}

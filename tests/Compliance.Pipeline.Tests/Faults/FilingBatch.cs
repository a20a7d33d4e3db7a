using System.Diagnostics;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Compliance.Core.Checking;
using Compliance.Core.Policies;
using Compliance.Storage;

namespace Compliance.Pipeline.Tests.Faults;

/// <summary>One generated filing and what the offline checker finds in it.</summary>
internal sealed record BatchFiling(string Uscc, string Name, byte[] Content, int ExpectedViolations, int ExpectedFindings, string[] Periods)
{
    public string BlobName => $"{Uscc}/{Name}";

    public string FilingId => StorageKeys.FilingId(BlobName);

    public string? ETag { get; set; }
}

/// <summary>What a fault scenario ended with, counted from storage (not from the host's own account of it).</summary>
internal sealed record BatchFigures(int Filings, int Processed, int Lost, int DuplicatedVerdicts, int ViolationsExpected, int ViolationsStored, int ViolationsWrong, int IndexRowsWrong)
{
    public bool Exact => Processed == Filings && Lost == 0 && DuplicatedVerdicts == 0 && ViolationsStored == ViolationsExpected && ViolationsWrong == 0 && IndexRowsWrong == 0;

    public override string ToString() =>
        $"filings {Filings}: processed {Processed}, lost {Lost}, duplicated verdicts {DuplicatedVerdicts}; findings expected {ViolationsExpected}, stored {ViolationsStored}, filings with a wrong count {ViolationsWrong}, index rows wrong {IndexRowsWrong}";
}

/// <summary>
/// A run of generated payroll filings for the fault scenarios: uploads them, waits for every verdict, and
/// counts from the tables what was processed, lost or duplicated against what the offline check expects.
/// </summary>
internal sealed class FilingBatch
{
    private FilingBatch(List<BatchFiling> filings) => Filings = filings;

    public List<BatchFiling> Filings { get; }

    /// <summary><paramref name="count"/> filings across four enterprises and two months, 0–5 violations each.</summary>
    public static FilingBatch Generate(int count, string tag)
    {
        var checker = new FilingChecker(PolicyCatalog.LoadEmbedded());
        var filings = new List<BatchFiling>();
        for (var i = 0; i < count; i++)
        {
            var uscc = Compliance.Testing.GeneratedPayroll.SubmitterOf(i);
            var content = Compliance.Testing.GeneratedPayroll.Csv(i);
            var name = $"{tag}-{i:D3}.csv";
            using var report = checker.Check(new MemoryStream(content), name, new CheckOptions { ExpectedUscc = uscc });
            filings.Add(new BatchFiling(uscc, name, content, report.Violations.Count, report.Findings.Count, [.. report.Periods]));
        }

        return new FilingBatch(filings);
    }

    public int ExpectedViolations => Filings.Sum(f => f.ExpectedViolations);

    /// <summary>What the tables should hold: one entity per finding (a month's rows at 15% are one).</summary>
    public int ExpectedFindings => Filings.Sum(f => f.ExpectedFindings);

    public async Task UploadAsync(BlobContainerClient container, CancellationToken cancellationToken)
    {
        await container.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        await Parallel.ForEachAsync(Filings, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken }, async (filing, ct) =>
        {
            var response = await container.GetBlobClient(filing.BlobName).UploadAsync(new BinaryData(filing.Content), overwrite: true, ct);
            filing.ETag = response.Value.ETag.ToString();
        });
    }

    /// <summary>How many filings have their verdict (the Filings entity written last); storage errors count as "not yet".</summary>
    public async Task<int> VerdictsAsync(TableServiceClient tables, CancellationToken cancellationToken)
    {
        try
        {
            var found = 0;
            await foreach (var entity in tables.GetTableClient("Filings").QueryAsync<TableEntity>(select: ["RowKey"], cancellationToken: cancellationToken))
            {
                if (Filings.Any(f => f.ETag is not null && entity.RowKey == StorageKeys.FilingVersion(f.FilingId, StorageKeys.VersionId(f.ETag))))
                {
                    found++;
                }
            }

            return found;
        }
        catch (Azure.RequestFailedException)
        {
            return 0;
        }
    }

    /// <summary>Polls until <paramref name="count"/> verdicts are in; a guard, not a timing assertion: it only fails a run that never finishes.</summary>
    public async Task WaitForVerdictsAsync(TableServiceClient tables, int count, TimeSpan guard, Func<string> diagnostics, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        int seen;
        while ((seen = await VerdictsAsync(tables, cancellationToken)) < count)
        {
            if (clock.Elapsed > guard)
            {
                throw new AssertFailedException($"Only {seen} of {count} verdicts after {guard}. Host log:{Environment.NewLine}{diagnostics()}");
            }

            await Task.Delay(250, cancellationToken);
        }
    }

    /// <summary>Counts, from the four tables, what the run left: one verdict per filing, exactly its findings (and its count of violating rows), and its index rows.</summary>
    public async Task<BatchFigures> CountAsync(TableServiceClient tables, CancellationToken cancellationToken)
    {
        var verdicts = await AllAsync(tables.GetTableClient("Filings"), cancellationToken);
        var violations = await AllAsync(tables.GetTableClient("Violations"), cancellationToken);
        var byPeriod = await AllAsync(tables.GetTableClient("ViolationsByPeriod"), cancellationToken);
        var filingsByPeriod = await AllAsync(tables.GetTableClient("FilingsByPeriod"), cancellationToken);

        int processed = 0, lost = 0, duplicated = 0, wrong = 0;
        foreach (var filing in Filings)
        {
            var versions = verdicts.Count(v => v.GetString("FilingId") == filing.FilingId);
            var current = verdicts.SingleOrDefault(v => v.RowKey == StorageKeys.FilingVersion(filing.FilingId, StorageKeys.VersionId(filing.ETag!)));
            processed += current is null ? 0 : 1;
            lost += current is null ? 1 : 0;
            duplicated += Math.Max(0, versions - 1);
            var stored = violations.Count(v => v.PartitionKey == filing.Uscc && v.GetString("FilingId") == filing.FilingId);
            if (stored != filing.ExpectedFindings || current?.GetInt32("ViolationCount") is { } counted && counted != filing.ExpectedViolations)
            {
                wrong++;
            }
        }

        // The index copies: one per finding, and one FilingsByPeriod row per filing and period.
        var indexWrong = Math.Abs(byPeriod.Count - ExpectedFindings) + Math.Abs(filingsByPeriod.Count - Filings.Sum(f => f.Periods.Length));
        return new BatchFigures(Filings.Count, processed, lost, duplicated, ExpectedFindings, violations.Count, wrong, indexWrong);
    }

    private static async Task<List<TableEntity>> AllAsync(TableClient table, CancellationToken cancellationToken)
    {
        var list = new List<TableEntity>();
        await foreach (var entity in table.QueryAsync<TableEntity>(cancellationToken: cancellationToken))
        {
            list.Add(entity);
        }

        return list;
    }
}

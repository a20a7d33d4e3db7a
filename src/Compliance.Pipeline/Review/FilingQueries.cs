using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Specialized;
using Azure.Storage.Sas;
using Compliance.Core.Digests;
using Compliance.Storage;
using Compliance.Storage.Entities;
using Microsoft.Extensions.Options;

namespace Compliance.Pipeline.Review;

/// <summary>A filing version as a caller sees it, with the verdict document the enterprise also reads.</summary>
public sealed record FilingView(string Id, FilingEntity Filing, string? Result);

/// <summary>
/// Filings for the review API, and upload grants for enterprises. Scope as for violations: an enterprise sees
/// its own, a regulator those whose rows name its region (or, for unreadable files, whose submitter's
/// registration authority is in it).
/// </summary>
public sealed class FilingQueries(FilingStore store, ResultStore results, FilingBlobs blobs, IOptions<ComplianceStorageOptions> options, TimeProvider time)
{
    /// <summary>How long an upload grant lasts.</summary>
    public static readonly TimeSpan UploadGrantLifetime = TimeSpan.FromMinutes(15);

    public static string IdOf(FilingEntity filing) => $"{filing.PartitionKey}.{filing.RowKey}";

    /// <summary>A result document up to this size is returned whole; a larger one with its first rows only.</summary>
    public const int MaxWholeResultBytes = 4 * 1024 * 1024;

    /// <summary>Rows of a larger result document returned with it (the rest are counted in <c>violations_omitted</c>).</summary>
    public const int ListedRowsOfALargeResult = 1000;

    public static bool CanSee(Caller caller, FilingEntity filing)
    {
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(filing);
        return caller.Role switch
        {
            CallerRole.Enterprise => filing.PartitionKey == caller.Uscc,
            CallerRole.Regulator => caller.Region is { } region && EffectiveRegions(filing).Any(r => DigestBuilder.Covers(region, r)),
            _ => false,
        };
    }

    /// <summary>The regions a filing concerns, as the digest counts them (its rows' regions, or its submitter's for an unreadable file).</summary>
    private static IReadOnlyList<string> EffectiveRegions(FilingEntity filing) =>
        new DigestFiling(filing.Uscc, Core.Checking.FilingStatusNames.IsChecked(filing.Status), filing.Regions.Split(',', StringSplitOptions.RemoveEmptyEntries)).EffectiveRegions;

    /// <summary>Filings of one enterprise (the caller's own, for an enterprise), newest check first.</summary>
    public async Task<IReadOnlyList<FilingView>> ListAsync(Caller caller, string? uscc, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(caller);
        if (uscc is not null && (!Core.Filings.Uscc.TryValidate(uscc, out var normalized, out _) || normalized != uscc))
        {
            throw new ReviewValidationException($"uscc '{uscc}' is not a valid unified social credit code.");
        }

        if (caller.Role == CallerRole.Enterprise && uscc is not null && uscc != caller.Uscc)
        {
            return [];
        }

        var partition = caller.Role == CallerRole.Enterprise ? caller.Uscc! : uscc ?? throw new ReviewValidationException("uscc: give the enterprise whose filings to list.");

        var filings = await store.FilingsOfEnterpriseAsync(partition, cancellationToken).ConfigureAwait(false);
        return [.. filings.Where(f => CanSee(caller, f)).OrderByDescending(f => f.CheckedAt).Select(f => new FilingView(IdOf(f), InScope(caller, f), null))];
    }

    /// <summary>This request's copy of a filing as the caller may read it: a regulator sees only the regions it covers named.</summary>
    private static FilingEntity InScope(Caller caller, FilingEntity filing)
    {
        if (caller.Role == CallerRole.Regulator && caller.Region is { } region)
        {
            filing.Regions = string.Join(',', filing.Regions.Split(',', StringSplitOptions.RemoveEmptyEntries).Where(r => DigestBuilder.Covers(region, r)));
        }

        return filing;
    }

    /// <summary>A filing version by its API id, or null when there is none or it is not the caller's to see.</summary>
    private async Task<FilingEntity?> FindAsync(Caller caller, string id, CancellationToken cancellationToken)
    {
        var dot = id.IndexOf('.', StringComparison.Ordinal);
        return dot <= 0 || id.AsSpan(dot + 1).ContainsAny("/\\#?") || await store.GetFilingVersionAsync(id[..dot], id[(dot + 1)..], cancellationToken).ConfigureAwait(false) is not { } filing || !CanSee(caller, filing)
            ? null
            : filing;
    }

    /// <summary>
    /// Every violating row of a filing version the caller may see (at most <see cref="Core.Templates.ViolationSheet.MaxRows"/>),
    /// streamed from its result document; a regulator gets the rows of its own regions only. Null when the version is not the caller's.
    /// </summary>
    public async Task<(FilingEntity Filing, IReadOnlyList<FindingRow> Rows)?> ViolationRowsAsync(Caller caller, string id, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(caller);
        if (await FindAsync(caller, id, cancellationToken).ConfigureAwait(false) is not { } filing)
        {
            return null;
        }

        try
        {
            var download = await results.Container.GetBlobClient(ResultStore.BlobNameFor(filing.BlobName)).DownloadStreamingAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            using (download.Value)
            {
                var page = await ResultRows.ReadAsync(download.Value.Content, 0, findingId: null, Core.Templates.ViolationSheet.MaxRows, cancellationToken).ConfigureAwait(false);
                var region = caller.Role == CallerRole.Regulator ? caller.Region : null;
                return (filing, region is null ? page.Rows : [.. page.Rows.Where(r => DigestBuilder.Covers(region, r.Region))]);
            }
        }
        catch (Azure.RequestFailedException ex) when (ex.Status == 404)
        {
            return (filing, []);
        }
        catch (System.Text.Json.JsonException)
        {
            // A rejected file's document has no rows to list.
            return (filing, []);
        }
    }

    /// <summary>One filing version with its result document, or null when it is not the caller's to see.</summary>
    public async Task<FilingView?> GetAsync(Caller caller, string id, CancellationToken cancellationToken)
    {
        if (await FindAsync(caller, id, cancellationToken).ConfigureAwait(false) is not { } filing)
        {
            return null;
        }

        string? result = null;
        try
        {
            var download = await results.Container.GetBlobClient(ResultStore.BlobNameFor(filing.BlobName)).DownloadStreamingAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            using (download.Value)
            {
                if (download.Value.Details.ContentLength <= MaxWholeResultBytes)
                {
                    using var reader = new StreamReader(download.Value.Content, System.Text.Encoding.UTF8);
                    result = await reader.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    // A systemic violation of a large filing makes a document of hundreds of megabytes: hand over its
                    // findings whole and its first rows; GET /api/violations/{id}/rows pages through the rest.
                    using var shortened = new MemoryStream();
                    await ResultRows.TruncateAsync(download.Value.Content, shortened, ListedRowsOfALargeResult, cancellationToken).ConfigureAwait(false);
                    result = System.Text.Encoding.UTF8.GetString(shortened.GetBuffer(), 0, (int)shortened.Length);
                }
            }
        }
        catch (Azure.RequestFailedException ex) when (ex.Status == 404)
        {
            // Filed before results were kept, or removed: the entity still says what happened.
        }

        if (caller.Role == CallerRole.Regulator && caller.Region is { } region)
        {
            if (result is not null && !ResultScope.IsWholeFor(region, EffectiveRegions(filing)))
            {
                (result, var violations, var findings) = ResultScope.CutToRegion(result, region);
                (filing.ViolationCount, filing.FindingCount) = (violations, findings);
            }

            // The entity is this request's copy: what it says of other regions goes as the document's rows do.
            InScope(caller, filing);
        }

        return new FilingView(id, filing, result);
    }

    /// <summary>
    /// A write-only SAS, valid for <see cref="UploadGrantLifetime"/>, for one blob under the caller's own
    /// <c>filings/{uscc}/</c>. Only enterprises upload, and only under their own USCC.
    /// </summary>
    public async Task<Uri> GrantUploadAsync(Caller caller, string? fileName, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(caller);
        if (caller.Role != CallerRole.Enterprise)
        {
            throw new ReviewForbiddenException("Only enterprises upload filings.");
        }

        var name = fileName?.Trim() ?? string.Empty;
        if (name.Length is 0 or > 200 || name.IndexOfAny(['/', '\\', '?', '#']) >= 0 || name.StartsWith('.') || Core.Reading.FilingOpener.FormatOf(name) is null || name.Any(char.IsControl))
        {
            throw new ReviewValidationException("fileName: a plain file name ending in .csv, .xlsx or .json.");
        }

        var blob = blobs.Container.GetBlobClient($"{caller.Uscc}/{name}");
        var expires = time.GetUtcNow() + UploadGrantLifetime;
        var sas = new BlobSasBuilder(BlobSasPermissions.Create | BlobSasPermissions.Write, expires)
        {
            BlobContainerName = options.Value.FilingsContainer,
            BlobName = blob.Name,
            Resource = "b",
        };
        if (blob.CanGenerateSasUri)
        {
            return blob.GenerateSasUri(sas);
        }

        // Managed identity: sign with a user delegation key instead of the account key.
        var service = blob.GetParentBlobContainerClient().GetParentBlobServiceClient();
        var key = await service.GetUserDelegationKeyAsync(time.GetUtcNow().AddMinutes(-5), expires, cancellationToken).ConfigureAwait(false);
        return new BlobUriBuilder(blob.Uri) { Sas = sas.ToSasQueryParameters(key.Value, service.AccountName) }.ToUri();
    }
}

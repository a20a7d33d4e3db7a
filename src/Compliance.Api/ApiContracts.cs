using System.Text.Json;
using System.Text.Json.Serialization;

namespace Compliance.Api;

// The API's contract: every request and response body, in one place. Field names are the ones the review page
// and the regulators' own systems already read; the OpenAPI document at /api/openapi.json is generated from these.

/// <summary>An upload request: the name the file will have under the caller's own folder.</summary>
public sealed record UploadBody(string? FileName);

/// <summary>The review body: the new status, why, and for an exemption its last day (China Standard Time).</summary>
public sealed record ReviewBody(string? Status, string? Note, DateOnly? ExemptUntil);

/// <summary>One violation of a bulk review: its id and the <c>version</c> the list gave it (each is checked on its own).</summary>
public sealed record BulkReviewItem(string? Id, string? Version);

/// <summary>One decision (status, note, exemption end) for up to 1,000 violations.</summary>
public sealed record BulkReviewBody(string? Status, string? Note, [property: JsonPropertyName("exempt_until")] DateOnly? ExemptUntil, IReadOnlyList<BulkReviewItem>? Items);

/// <summary>
/// What became of one violation: <c>reviewed</c> (with its new version), <c>stale</c> (changed since it was listed;
/// its current version and status are given — look at it again before reviewing), <c>not_found</c> (absent or not
/// yours) or <c>invalid</c> (sent without a version).
/// </summary>
public sealed record BulkReviewOutcomeItem(string Id, string Result, string? Version, string? Status);

/// <summary>The outcome of a bulk review, item by item in the order sent, with the counts.</summary>
public sealed record BulkReviewReport(int Reviewed, int Failed, IReadOnlyList<BulkReviewOutcomeItem> Items);

/// <summary>
/// A finding in a list — a limit broken the same way on <see cref="RowCount"/> rows of one filing, reviewed once:
/// where it is, what was observed against which limit, how many rows and employees, and its status as of now.
/// <see cref="Row"/> is its first row; <see cref="Observed"/> the declared rate, or the largest value where the
/// rows differ (<see cref="Declared"/> false; see <see cref="ObservedMin"/> and <see cref="ObservedMax"/>).
/// <see cref="Version"/> names the finding's state as listed, for a bulk review (a single review uses the ETag of
/// <c>GET /api/violations/{id}</c>).
/// </summary>
public sealed record ViolationItem(
    string Id,
    string Rule,
    string Uscc,
    string Period,
    string Region,
    int Row,
    string Field,
    double Observed,
    string Limit,
    string Citation,
    string Status,
    string Filing,
    string Version,
    int RowCount,
    int EmployeeCount,
    bool Declared,
    double ObservedMin,
    double ObservedMax,
    IReadOnlyList<int> FirstRows,
    [property: JsonPropertyName("finding_id")] string? FindingId,
    [property: JsonPropertyName("resolved_by_version")] string? ResolvedByVersion);

/// <summary>One violating row of a finding, as the filing's result document lists it; <c>employee_masked</c> is the employee as the digest shows it (E*****01), for screens others may see.</summary>
public sealed record FindingRowItem(
    int Row,
    string Region,
    string Field,
    decimal Observed,
    string Message,
    [property: JsonPropertyName("employee_id")] string? EmployeeId,
    [property: JsonPropertyName("employee_masked")] string? EmployeeMasked,
    string? Item);

/// <summary>A page of a finding's rows in file order; pass <see cref="ContinuationToken"/> back for the next (null at the end).</summary>
public sealed record FindingRowPage(ViolationItem Finding, IReadOnlyList<FindingRowItem> Items, string? ContinuationToken);

/// <summary>One page of violations; pass <see cref="ContinuationToken"/> back for the next (null at the end).</summary>
public sealed record ViolationPage(IReadOnlyList<ViolationItem> Items, string? ContinuationToken);

/// <summary>One entry of a finding's history: a regulator's review, or what a newer filing version did to it, with the finding's row count then.</summary>
public sealed record HistoryEntry(
    string Who,
    DateTimeOffset At,
    string From,
    string To,
    string Note,
    [property: JsonPropertyName("exempt_until")] DateTimeOffset? ExemptUntil,
    string? Version,
    int? Rows,
    string? Kind);

/// <summary>An enterprise's explanation (情况说明) of its finding.</summary>
public sealed record ResponseBody(string? Text);

/// <summary>
/// A violation with its message, the clause's quoted sentence and its history, oldest first; <see cref="Explanation"/>
/// (the limit in plain words) and <see cref="WhatToDo"/> are in the caller's language.
/// </summary>
public sealed record ViolationDetail(
    ViolationItem Violation,
    string Message,
    string? Quote,
    string? Explanation,
    [property: JsonPropertyName("what_to_do")] string? WhatToDo,
    [property: JsonPropertyName("employee_id")] string? EmployeeId,
    string? Item,
    [property: JsonPropertyName("exempt_until")] DateTimeOffset? ExemptUntil,
    [property: JsonPropertyName("resolved_by_version")] string? ResolvedByVersion,
    IReadOnlyList<HistoryEntry> History);

/// <summary>One version of a rule: its window (yyyy-MM, open ends null), limit and clause.</summary>
public sealed record RuleVersion(string? From, string? To, string Limit, string Citation, string Quote);

/// <summary>A text in Chinese and English.</summary>
public sealed record Bilingual(string Zh, string En);

/// <summary>
/// A rule of the catalog with its versions: its limit in plain words (<see cref="Title"/>) and what a filer does
/// about a breach (<see cref="Remedy"/>) in both languages, and the two again in the caller's language.
/// </summary>
public sealed record RuleItem(
    string Id,
    Bilingual Title,
    Bilingual Remedy,
    string Explanation,
    [property: JsonPropertyName("what_to_do")] string WhatToDo,
    IReadOnlyList<RuleVersion> Versions);

/// <summary>
/// A filing version and its verdict in figures: <c>violations</c> counts violating rows, <c>findings</c> what they
/// make (what is reviewed); <c>etag</c> is the uploaded blob's ETag (unquoted), so an uploader finds the verdict of
/// the version it sent; <c>version</c> is the id findings name in <c>resolved_by_version</c>.
/// </summary>
public sealed record FilingItem(
    string Id,
    string Uscc,
    string File,
    string? Kind,
    string Status,
    int Rows,
    int Violations,
    int Findings,
    int Warnings,
    string? Error,
    [property: JsonPropertyName("error_code")] string? ErrorCode,
    string Periods,
    [property: JsonPropertyName("uploaded_at")] DateTimeOffset? UploadedAt,
    [property: JsonPropertyName("checked_at")] DateTimeOffset CheckedAt,
    [property: JsonPropertyName("etag")] string ETag,
    string Version);

/// <summary>A rule's findings in the overview's month, with its limit in plain words (caller's language) and the clause in force.</summary>
public sealed record OverviewRule(string Rule, string Title, string? Citation, int Findings, long Rows, int Outstanding, int Resolved);

/// <summary>A region one level down (province → cities → districts), named where its name is known, else its code.</summary>
public sealed record OverviewRegion(string Region, string Name, int Findings, int Outstanding);

/// <summary>A month of the trend: findings, outstanding (open or confirmed), resolved, recurring (same enterprise and rule the month before) and new.</summary>
public sealed record OverviewMonth(string Month, int Findings, int Outstanding, int Resolved, int Recurring, int New);

/// <summary>Findings still outstanding (open or confirmed) of periods <c>fromMonths</c> to <c>toMonths</c> before the month: <c>oldest</c> to <c>newest</c>.</summary>
public sealed record OverviewBacklog(int FromMonths, int ToMonths, string Oldest, string Newest, int Outstanding);

/// <summary>An enterprise with outstanding findings in the month.</summary>
public sealed record OverviewEnterprise(string Uscc, string Region, string RegionName, int Findings, int Outstanding);

/// <summary>
/// The state of a region in a month, from the kept counts (never a read of the month's findings):
/// <c>entitiesRead</c> says how many counters it took.
/// </summary>
public sealed record OverviewReport(
    string Month,
    string Region,
    string RegionName,
    IReadOnlyList<OverviewRule> ByRule,
    IReadOnlyList<OverviewRegion> BySubRegion,
    IReadOnlyList<OverviewMonth> Trend,
    IReadOnlyList<OverviewEnterprise> TopEnterprises,
    IReadOnlyList<OverviewBacklog> Backlog,
    int EntitiesRead);

/// <summary>A filing kind with a template: its contract name, its Chinese name and its columns.</summary>
public sealed record TemplateItem(string Kind, string Name, IReadOnlyList<ColumnItem> Columns);

/// <summary>A column of a filing kind: the contract's name (reports' <c>field</c>), its Chinese header, whether it is required.</summary>
public sealed record ColumnItem(string Name, [property: JsonPropertyName("chinese_name")] string ChineseName, bool Required);

/// <summary>Why a version was rejected, one place at a time: row and column where known, the code, and the text in the caller's language.</summary>
public sealed record ProblemItem(int? Row, string? Column, string? Code, string Message);

/// <summary>The signed-in caller: role (<c>regulator</c> or <c>enterprise</c>), name, and the region or USCC it covers; all null when nobody is signed in.</summary>
public sealed record CallerItem(string? Role, string? Name, string? Region, string? Uscc);

/// <summary>Filing versions, newest check first.</summary>
public sealed record FilingPage(IReadOnlyList<FilingItem> Items);

/// <summary>
/// A filing version with its result document (the shape of <c>compliance check --format json</c>), cut to a
/// regulator's regions. A document over 4 MiB comes with its findings whole and its first 1,000 violating rows,
/// and <c>violations_omitted</c> saying how many more <c>GET /api/violations/{id}/rows</c> pages through.
/// A rejected version lists its <see cref="Problems"/> in the caller's language (the document keeps its English).
/// </summary>
public sealed record FilingDetail(FilingItem Filing, JsonElement? Result, IReadOnlyList<ProblemItem> Problems);

/// <summary>A write-only URL for one upload: PUT the file's content to it with the headers given, before it expires.</summary>
public sealed record UploadGrant(
    string Url,
    [property: JsonPropertyName("expires_in_seconds")] int ExpiresInSeconds,
    string Method,
    IReadOnlyDictionary<string, string> Headers);

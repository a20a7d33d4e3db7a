using System.Text.Encodings.Web;
using System.Text.Json;
using Compliance.Core.Policies;

namespace Compliance.Core.Checking;

/// <summary>
/// Writes the self-check JSON document of the contract (§4): <c>{"files": [ ... ]}</c>. The same shape is
/// stored as each filing's result in the cloud, so enterprises read one format everywhere. Fields may be
/// added; the contract's fields are never renamed.
/// </summary>
public static class ReportJson
{
    private static readonly JsonWriterOptions Options = new()
    {
        Indented = true,

        // Chinese text stays readable; the output is a document, not embedded in HTML.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private const int FlushBytes = 1 << 16;

    public static void Write(Stream output, IEnumerable<FilingReport> reports)
    {
        using var writer = new Utf8JsonWriter(output, Options);
        writer.WriteStartObject();
        writer.WriteStartArray("files");
        foreach (var report in reports)
        {
            WriteFile(writer, report);
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    public static string ToJson(IEnumerable<FilingReport> reports)
    {
        using var buffer = new MemoryStream();
        Write(buffer, reports);
        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static void WriteFile(Utf8JsonWriter w, FilingReport r)
    {
        w.WriteStartObject();
        w.WriteString("file", r.File);
        WriteNullable(w, "kind", r.Kind);
        w.WriteString("status", r.Status.ToContractName());
        WriteNullable(w, "error", r.Error);
        WriteNullable(w, "error_row", r.ErrorRow);
        WriteNullable(w, "error_column", r.ErrorColumn);

        // The error's code and arguments, so a reader (the API) can say it in the filer's language.
        if (r.ErrorText is { } text)
        {
            w.WriteString("error_code", text.Code);
            text.WriteArgs(w, "error_args");
        }

        w.WriteNumber("rows", r.Rows);
        WriteFindings(w, r);
        var findings = r.Violations.Findings;
        w.WriteStartArray("violations");
        foreach (var v in r.Violations)
        {
            w.WriteStartObject();
            w.WriteString("rule", v.Rule);
            w.WriteString("uscc", v.Uscc);
            w.WriteString("period", v.Period);
            w.WriteString("region", v.Region);
            w.WriteNumber("row", v.Row);
            if (v.EmployeeId is not null)
            {
                w.WriteString("employee_id", v.EmployeeId);
            }

            if (v.Item is not null)
            {
                w.WriteString(r.Kind == "accountability" ? "case_id" : "item", v.Item);
            }

            w.WriteString("field", v.Field);
            w.WriteNumber("observed", v.Observed);
            w.WriteString("limit", v.Limit);
            w.WriteString("citation", v.Citation);
            w.WriteString("severity", SeverityName(v.Severity));
            w.WriteString("message", v.Message);
            w.WriteString(FindingField, findings.IdOf(v));
            w.WriteEndObject();

            // Utf8JsonWriter buffers until flushed: hand a large report to the stream as it is written.
            if (w.BytesPending > FlushBytes)
            {
                w.Flush();
            }
        }

        w.WriteEndArray();
        w.WriteStartArray("warnings");
        foreach (var warning in r.Warnings)
        {
            w.WriteStartObject();
            w.WriteString("code", warning.Code);
            WriteNullable(w, "row", warning.Row);
            WriteNullable(w, "column", warning.Column);
            w.WriteString("message", warning.Message);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteNumber("warning_count", r.WarningCount);
        w.WriteStartArray("errors");
        foreach (var error in r.Errors)
        {
            w.WriteStartObject();
            w.WriteNumber("row", error.Row);
            WriteNullable(w, "column", error.Column);
            w.WriteString("message", error.Message);
            w.WriteString("code", error.Text.Code);
            error.Text.WriteArgs(w, "args");
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteNumber("error_count", r.ErrorCount);
        w.WriteStartArray("rules");
        foreach (var rule in r.Rules)
        {
            w.WriteStartObject();
            w.WriteString("rule", rule.Rule);
            w.WriteNumber("checked", rule.Checked);
            w.WriteNumber("violated", rule.Violated);
            w.WriteNumber("not_applicable", rule.NotApplicable);
            w.WriteNumber("not_in_force", rule.NotInForce);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteStartArray("periods");
        foreach (var period in r.Periods)
        {
            w.WriteStringValue(period);
        }

        w.WriteEndArray();
        WriteNullable(w, "catalog_version", r.CatalogVersion);
        w.WriteEndObject();
    }

    /// <summary>The field of a violation row naming the finding it belongs to (a finding's <c>id</c>).</summary>
    public const string FindingField = "finding";

    /// <summary>The contract's <c>findings</c> (§4): camelCase as the contract writes them, plus where and what each is.</summary>
    private static void WriteFindings(Utf8JsonWriter w, FilingReport r)
    {
        w.WriteStartArray("findings");
        foreach (var f in r.Findings)
        {
            w.WriteStartObject();
            w.WriteString("id", f.Id);
            w.WriteString("rule", f.Rule);
            w.WriteString("uscc", f.Uscc);
            w.WriteString("period", f.Period);
            w.WriteString("region", f.Region);
            w.WriteString("field", f.Field);
            w.WriteString("limit", f.Limit);
            if (f.Observed is { } observed)
            {
                w.WriteNumber("observed", observed);
            }
            else
            {
                w.WriteNull("observed");
            }

            w.WriteNumber("observedMin", f.ObservedMin);
            w.WriteNumber("observedMax", f.ObservedMax);
            w.WriteNumber("rowCount", f.RowCount);
            w.WriteNumber("employeeCount", f.EmployeeCount);
            w.WriteStartArray("firstRows");
            foreach (var row in f.FirstRows)
            {
                w.WriteNumberValue(row);
            }

            w.WriteEndArray();
            w.WriteString("citation", f.Citation);
            w.WriteString("severity", SeverityName(f.Severity));
            w.WriteString("message", f.Message);
            w.WriteEndObject();
        }

        w.WriteEndArray();
    }

    public static string SeverityName(Severity severity) => severity.ToString().ToLowerInvariant();

    private static void WriteNullable(Utf8JsonWriter w, string name, string? value)
    {
        if (value is null)
        {
            w.WriteNull(name);
        }
        else
        {
            w.WriteString(name, value);
        }
    }

    private static void WriteNullable(Utf8JsonWriter w, string name, int? value)
    {
        if (value is null)
        {
            w.WriteNull(name);
        }
        else
        {
            w.WriteNumber(name, value.Value);
        }
    }
}

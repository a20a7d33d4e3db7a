using Compliance.Core.Filings;
using Compliance.Core.Policies;
using Compliance.Core.Texts;

namespace Compliance.Core.Reading;

/// <summary>Maps the header cells of a CSV or sheet onto a kind's columns, and rejects headers that cannot work.</summary>
internal sealed class HeaderMap
{
    private HeaderMap(FilingSchema schema, int[] ordinals, List<FilingWarning> warnings)
    {
        Schema = schema;
        Ordinals = ordinals;
        Warnings = warnings;
    }

    public FilingSchema Schema { get; }

    /// <summary>For each source column, the schema ordinal it fills, or -1 when ignored.</summary>
    public int[] Ordinals { get; }

    public List<FilingWarning> Warnings { get; }

    /// <param name="headers">Header cell texts, in source order.</param>
    /// <param name="kindHint">A kind named by the sheet, when there is one.</param>
    /// <param name="cellName">Names a source column for messages ("column C").</param>
    public static HeaderMap Build(IReadOnlyList<string?> headers, FilingKind? kindHint, Func<int, UserMessage> cellName)
    {
        var texts = headers.Select(h => h ?? string.Empty).ToList();
        if (texts.All(string.IsNullOrWhiteSpace))
        {
            throw new FilingRejectedException(UserMessage.Of(MessageCode.HeaderEmpty), row: 1);
        }

        var schema = kindHint is { } hint ? FilingSchema.For(hint) : FilingSchema.Recognise(texts);
        if (schema is null && OtherDelimiter(texts) is { } delimiter)
        {
            throw new FilingRejectedException(
                UserMessage.Of(MessageCode.WrongDelimiter, delimiter), row: 1);
        }

        if (schema is null)
        {
            throw new FilingRejectedException(
                UserMessage.Of(MessageCode.KindNotRecognised, FilingSchema.Signatures, string.Join(", ", texts.Where(t => t.Length > 0).Take(20))),
                row: 1);
        }

        var ordinals = new int[texts.Count];
        var seen = new Dictionary<int, int>();
        var warnings = new List<FilingWarning>();
        for (var i = 0; i < texts.Count; i++)
        {
            ordinals[i] = -1;
            if (string.IsNullOrWhiteSpace(texts[i]))
            {
                continue;
            }

            var column = schema.Find(texts[i]);
            if (column is null)
            {
                warnings.Add(new FilingWarning(
                    "UNKNOWN_COLUMN",
                    1,
                    UserMessage.Of(MessageCode.WarnUnknownColumn, TextNormalizer.Normalize(texts[i]), cellName(i), schema.Name),
                    TextNormalizer.Normalize(texts[i])));
                continue;
            }

            if (seen.TryGetValue(column.Ordinal, out var first))
            {
                throw new FilingRejectedException(
                    UserMessage.Of(MessageCode.ColumnTwice, column.Display, cellName(first), cellName(i)), row: 1, column: column.Name);
            }

            seen[column.Ordinal] = i;
            ordinals[i] = column.Ordinal;
        }

        var missing = schema.Columns.Where(c => c.Required && !seen.ContainsKey(c.Ordinal)).ToList();
        if (missing.Count > 0)
        {
            throw new FilingRejectedException(
                UserMessage.Of(missing.Count > 1 ? MessageCode.MissingColumns : MessageCode.MissingColumn, schema.Kind.ToContractName(), string.Join(", ", missing.Select(c => c.Display))),
                row: 1,
                column: missing[0].Name);
        }

        return new HeaderMap(schema, ordinals, warnings);
    }

    /// <summary>A one-cell header holding several names joined by ; or tab: a European-locale or "Text (Tab delimited)" export.</summary>
    private static LocalizedText? OtherDelimiter(List<string> texts) =>
        texts.Count(t => t.Length > 0) != 1 ? null
        : texts.First(t => t.Length > 0) is var only && only.Count(c => c == ';') >= 2 ? new LocalizedText("分号", "semicolons")
        : only.Count(c => c == '\t') >= 2 ? new LocalizedText("制表符", "tabs")
        : null;
}

using Compliance.Core.Filings;
using Compliance.Core.Policies;

namespace Compliance.Core.Rules;

/// <summary>
/// <c>abolished-item</c>: fees and funds that were abolished, cut to zero or made exempt for everyone may
/// no longer be charged. Items are matched by name (or alias) after full-width folding and trimming; each
/// item may cite its own clause.
/// </summary>
internal sealed class AbolishedItemCheck : IRuleCheck
{
    private readonly ColumnDefinition item;
    private readonly ColumnDefinition amount;
    private readonly Dictionary<string, AbolishedItem> items = new(StringComparer.Ordinal);
    private readonly Dictionary<AbolishedItem, Citation> citations = [];

    public AbolishedItemCheck(FilingSchema schema, Parameters parameters, string where)
    {
        item = RuleKinds.Column(schema, parameters.ItemField ?? "item", ColumnType.Text, where);
        amount = RuleKinds.Column(schema, parameters.AmountField ?? "amount", ColumnType.Amount, where);
        if (parameters.Items is not { Count: > 0 })
        {
            throw new PolicyCatalogException($"{where}: parameter \"items\" lists no items.");
        }

        foreach (var entry in parameters.Items)
        {
            if (string.IsNullOrWhiteSpace(entry.Name))
            {
                throw new PolicyCatalogException($"{where}: an item has no name.");
            }

            if (entry.Citation is { } own)
            {
                citations[entry] = own.ToCitation($"item {entry.Name}", where);
            }

            foreach (var name in entry.Aliases.Prepend(entry.Name))
            {
                if (!items.TryAdd(TextNormalizer.Key(name), entry))
                {
                    throw new PolicyCatalogException($"{where}: item name '{name}' is listed twice.");
                }
            }
        }
    }

    public string Summary => $"amount = 0 for {string.Join("、", items.Values.Distinct().Select(i => i.Name))}";

    public RuleOutcome Evaluate(FilingRecord record, RuleHit hit, ICollection<Violation> violations)
    {
        if (record.Text(item) is not { } name || record.Number(amount) is not { } charged)
        {
            return RuleOutcome.NotApplicable;
        }

        if (!items.TryGetValue(TextNormalizer.Key(name), out var entry) || charged <= 0)
        {
            return RuleOutcome.Passed;
        }

        violations.Add(hit.Violation(record, amount.Name, charged, "= 0",
            $"{entry.Name} ({entry.Action ?? "abolished"}) was charged {charged}.", citations.GetValueOrDefault(entry)));
        return RuleOutcome.Violated;
    }

    internal sealed class Parameters
    {
        public string? ItemField { get; set; }

        public string? AmountField { get; set; }

        public List<AbolishedItem>? Items { get; set; }
    }

    internal sealed class AbolishedItem
    {
        public string Name { get; set; } = string.Empty;

        public List<string> Aliases { get; set; } = [];

        /// <summary>What happened to it: 停征, 标准降为零, 取消, 免征.</summary>
        public string? Action { get; set; }

        public PolicyCatalog.CitationDocument? Citation { get; set; }
    }
}

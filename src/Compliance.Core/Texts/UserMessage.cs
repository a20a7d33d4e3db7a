using System.Collections.Frozen;
using System.Globalization;
using System.Resources;
using System.Text.Json;
using Compliance.Core.Policies;

namespace Compliance.Core.Texts;

/// <summary>
/// A message for a filer, kept as its code and arguments so that each reader gets it in its own language: the
/// report and the stored verdict keep the code, the API renders it for the caller's <c>Accept-Language</c>.
/// An argument is a string (already formatted; numbers are not re-formatted per language), a nested
/// <see cref="UserMessage"/>, or a <see cref="LocalizedText"/> (a phrase with its own two spellings).
/// </summary>
public sealed class UserMessage
{
    private static readonly ResourceManager Texts = new("Compliance.Core.Texts.Messages", typeof(UserMessage).Assembly);

    // One spelling per code, and the number of arguments its English text takes, worked out once.
    private static readonly FrozenDictionary<MessageCode, (string Code, int Arity)> Codes = Enum.GetValues<MessageCode>().ToFrozenDictionary(
        code => code,
        code =>
        {
            var name = ResourceKeys.Of(code);
            return (name, Arity(Texts.GetString(name, Languages.English) ?? throw new InvalidOperationException($"Messages.resx has no text for {name}.")));
        });

    private static readonly FrozenDictionary<string, MessageCode> ByCode = Codes.ToFrozenDictionary(p => p.Value.Code, p => p.Key, StringComparer.Ordinal);

    private UserMessage(MessageCode id, IReadOnlyList<object> args)
    {
        Id = id;
        Args = args;
    }

    public MessageCode Id { get; }

    /// <summary>The stable code reports and the API carry, e.g. <c>NOT_A_RATE</c>.</summary>
    public string Code => Codes[Id].Code;

    /// <summary>Strings, nested messages and <see cref="LocalizedText"/> phrases, in the order of the text's placeholders.</summary>
    public IReadOnlyList<object> Args { get; }

    /// <summary>A message; the number of arguments must be the number its text takes (a wrong count is a bug, caught where it is made).</summary>
    public static UserMessage Of(MessageCode id, params object[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (args.Length != Codes[id].Arity)
        {
            throw new ArgumentException($"{Codes[id].Code} takes {Codes[id].Arity} argument(s), not {args.Length}.", nameof(args));
        }

        foreach (var arg in args)
        {
            if (arg is not (string or UserMessage or LocalizedText))
            {
                throw new ArgumentException($"{Codes[id].Code}: an argument must be a string, a message or a localized text, not {arg?.GetType().Name ?? "null"}.", nameof(args));
            }
        }

        return new UserMessage(id, args);
    }

    /// <summary>The text in <paramref name="culture"/>'s language (Chinese for any zh culture, else English).</summary>
    public string ToString(CultureInfo culture)
    {
        var language = Languages.Of(culture);
        var text = Texts.GetString(Code, language) ?? Texts.GetString(Code, Languages.English)!;
        var rendered = Args.Select(arg => arg switch
        {
            UserMessage nested => nested.ToString(language),
            LocalizedText phrase => Languages.IsChinese(language) ? phrase.Zh : phrase.En,
            _ => arg,
        }).ToArray();
        return string.Format(CultureInfo.InvariantCulture, text, rendered);
    }

    /// <summary>The English text, as the offline report and logs carry it.</summary>
    public override string ToString() => ToString(Languages.English);

    /// <summary>Writes <c>{"code": ..., "args": [...]}</c>; a phrase is written as <c>{"zh": ..., "en": ...}</c>.</summary>
    public void WriteTo(Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStartObject();
        writer.WriteString("code", Code);
        WriteArgs(writer, "args");
        writer.WriteEndObject();
    }

    /// <summary>Writes the arguments as an array property (<c>error_args</c> beside <c>error_code</c> in a report).</summary>
    public void WriteArgs(Utf8JsonWriter writer, string propertyName)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WritePropertyName(propertyName);
        WriteArgsArray(writer);
    }

    /// <summary>The arguments alone as JSON, for a table column beside the code.</summary>
    public string ArgsJson()
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            WriteArgsArray(writer);
        }

        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private void WriteArgsArray(Utf8JsonWriter writer)
    {
        writer.WriteStartArray();
        foreach (var arg in Args)
        {
            switch (arg)
            {
                case UserMessage nested:
                    nested.WriteTo(writer);
                    break;
                case LocalizedText phrase:
                    writer.WriteStartObject();
                    writer.WriteString("zh", phrase.Zh);
                    writer.WriteString("en", phrase.En);
                    writer.WriteEndObject();
                    break;
                default:
                    writer.WriteStringValue((string)arg);
                    break;
            }
        }

        writer.WriteEndArray();
    }

    /// <summary>
    /// Reads a code and its arguments as <see cref="WriteArgs"/> wrote them; null when the code is not known
    /// (a newer writer) or the arguments do not fit, so the caller falls back to the stored English text.
    /// </summary>
    public static UserMessage? TryRead(string? code, JsonElement args)
    {
        if (code is null || !ByCode.TryGetValue(code, out var id) || args.ValueKind != JsonValueKind.Array || args.GetArrayLength() != Codes[id].Arity)
        {
            return null;
        }

        var values = new List<object>();
        foreach (var arg in args.EnumerateArray())
        {
            object? value = arg.ValueKind switch
            {
                JsonValueKind.String => arg.GetString()!,
                JsonValueKind.Object when arg.TryGetProperty("code", out var nestedCode) && arg.TryGetProperty("args", out var nestedArgs) =>
                    nestedCode.ValueKind == JsonValueKind.String ? TryRead(nestedCode.GetString(), nestedArgs) : null,
                JsonValueKind.Object when arg.TryGetProperty("zh", out var zh) && arg.TryGetProperty("en", out var en)
                    && zh.ValueKind == JsonValueKind.String && en.ValueKind == JsonValueKind.String => new LocalizedText(zh.GetString()!, en.GetString()!),
                _ => null,
            };
            if (value is null)
            {
                return null;
            }

            values.Add(value);
        }

        return new UserMessage(id, values);
    }

    /// <summary>As <see cref="TryRead(string?, JsonElement)"/>, from the arguments' JSON text as a table stores it.</summary>
    public static UserMessage? TryRead(string? code, string? argsJson)
    {
        if (code is null || argsJson is null)
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(argsJson);
            return TryRead(code, document.RootElement);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    // The highest {n} in a composite format string, plus one; {{ and }} are literal braces.
    private static int Arity(string format)
    {
        var arity = 0;
        for (var i = 0; i < format.Length; i++)
        {
            if (format[i] == '{' && i + 1 < format.Length && format[i + 1] == '{')
            {
                i++;
            }
            else if (format[i] == '{')
            {
                var end = format.IndexOfAny([',', ':', '}'], i);
                arity = Math.Max(arity, int.Parse(format.AsSpan(i + 1, end - i - 1), CultureInfo.InvariantCulture) + 1);
            }
        }

        return arity;
    }
}

/// <summary>The two languages the product speaks, and which one a caller's culture gets.</summary>
public static class Languages
{
    /// <summary>English: the neutral language of the texts.</summary>
    public static CultureInfo English { get; } = CultureInfo.GetCultureInfo("en");

    /// <summary>Simplified Chinese, the product's first language.</summary>
    public static CultureInfo Chinese { get; } = CultureInfo.GetCultureInfo("zh-CN");

    /// <summary>Chinese for any zh culture (zh, zh-Hans, zh-CN, zh-TW ...), English for every other.</summary>
    public static CultureInfo Of(CultureInfo culture) => IsChinese(culture) ? Chinese : English;

    public static bool IsChinese(CultureInfo culture)
    {
        ArgumentNullException.ThrowIfNull(culture);
        return culture.TwoLetterISOLanguageName == "zh";
    }

    /// <summary>The text of a pair in the caller's language.</summary>
    public static string Pick(this LocalizedText text, CultureInfo culture)
    {
        ArgumentNullException.ThrowIfNull(text);
        return IsChinese(culture) ? text.Zh : text.En;
    }
}

/// <summary>How numbers become message arguments: the same digits in both languages.</summary>
public static class MessageArgs
{
    /// <summary>A row, line or count as written in the file's numbering: 12345.</summary>
    public static string Num(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>A size or offset, with thousands grouped: 12,345.</summary>
    public static string Grouped(long value) => value.ToString("N0", CultureInfo.InvariantCulture);
}

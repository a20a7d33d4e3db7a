using System.Globalization;
using System.Text.Json;
using Compliance.Core.Policies;
using Compliance.Core.Texts;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Localization;
using Microsoft.Extensions.DependencyInjection;

namespace Compliance.Api;

/// <summary>
/// Which language an answer's texts are in: the caller's <c>Accept-Language</c> (or <c>?ui-culture=en</c>, or
/// the culture cookie), Chinese when it names neither language. Codes and contract fields never change with it;
/// only the texts written for people do. Numbers and dates are formatted as the contract says, whatever the
/// language (the request culture stays invariant).
/// </summary>
public static class ApiLanguages
{
    public static IServiceCollection AddApiLanguages(this IServiceCollection services) =>
        services.Configure<RequestLocalizationOptions>(o =>
        {
            o.DefaultRequestCulture = new RequestCulture(CultureInfo.InvariantCulture, Languages.Chinese);
            o.SupportedCultures = [CultureInfo.InvariantCulture];

            // zh stands for every Chinese culture (zh-TW falls back to it); en for every English one.
            o.SupportedUICultures = [Languages.Chinese, CultureInfo.GetCultureInfo("zh"), Languages.English];
            o.FallBackToParentUICultures = true;
        });

    /// <summary>Chooses the request's language, and says in <c>Content-Language</c> which one its texts are in (zh-CN or en, whatever was asked).</summary>
    public static IApplicationBuilder UseApiLanguages(this IApplicationBuilder app) => app.UseRequestLocalization().Use((context, next) =>
    {
        context.Response.Headers.ContentLanguage = Current.Name;
        context.Response.Headers.Vary = "Accept-Language";
        return next(context);
    });

    /// <summary>The language this request's texts are in.</summary>
    public static CultureInfo Current => Languages.Of(CultureInfo.CurrentUICulture);

    /// <summary>A pair's text in the request's language.</summary>
    public static string Text(LocalizedText text) => text.Pick(Current);

    /// <summary>A message in the request's language; the stored English when its code is not known (stored before codes were kept).</summary>
    public static string? Text(string? code, string? argsJson, string? english) =>
        UserMessage.TryRead(code, argsJson)?.ToString(Current) ?? english;

    /// <summary>As <see cref="Text(string?, string?, string?)"/>, for a code and arguments read from a result document.</summary>
    public static string? Text(JsonElement container, string codeProperty, string argsProperty, string? english) =>
        container.TryGetProperty(codeProperty, out var code) && code.ValueKind == JsonValueKind.String && container.TryGetProperty(argsProperty, out var args)
            ? UserMessage.TryRead(code.GetString(), args)?.ToString(Current) ?? english
            : english;
}

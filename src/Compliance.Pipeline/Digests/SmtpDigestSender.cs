using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Compliance.Pipeline.Digests;

/// <summary>A digest mail ready to go: HTML body, plain-text alternative, inline images by content id.</summary>
public sealed record DigestMail(string To, string Subject, string Html, string Text, string MessageId, IReadOnlyDictionary<string, byte[]> InlinePngs);

/// <summary>Delivers digest mail.</summary>
public interface IDigestSender
{
    Task SendAsync(DigestMail mail, CancellationToken cancellationToken);
}

/// <summary>SMTP through MailKit. The Message-Id is the digest's own, so a resend after a crash is recognisable downstream.</summary>
public sealed class SmtpDigestSender(IOptions<SmtpOptions> options) : IDigestSender
{
    public async Task SendAsync(DigestMail mail, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(mail);
        var smtp = options.Value;
        var message = new MimeMessage { Subject = mail.Subject, MessageId = mail.MessageId };
        message.From.Add(MailboxAddress.Parse(smtp.From));
        message.To.Add(MailboxAddress.Parse(mail.To));
        var body = new BodyBuilder { HtmlBody = mail.Html, TextBody = mail.Text };
        foreach (var (id, png) in mail.InlinePngs)
        {
            var image = body.LinkedResources.Add($"{id}.png", png, new ContentType("image", "png"));
            image.ContentId = id;
        }

        message.Body = body.ToMessageBody();
        using var client = new SmtpClient();
        await client.ConnectAsync(smtp.Host, smtp.Port, Enum.Parse<SecureSocketOptions>(smtp.Security, ignoreCase: true), cancellationToken).ConfigureAwait(false);
        if (!string.IsNullOrEmpty(smtp.UserName))
        {
            await client.AuthenticateAsync(smtp.UserName, smtp.Password ?? string.Empty, cancellationToken).ConfigureAwait(false);
        }

        await client.SendAsync(message, cancellationToken).ConfigureAwait(false);
        await client.DisconnectAsync(quit: true, cancellationToken).ConfigureAwait(false);
    }
}

using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using System.Text.Json.Serialization;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Options;
using MimeKit;
using Patchbay.Configuration;
using Patchbay.Executions;
using Patchbay.Http;
using Patchbay.Workers;

namespace Patchbay.HumanTasks;

// What the human-task feature tells others through the outbox, in the transaction of the change: the task created
// (the step's checkpoint), submitted (the conditional update), expired (the update that marks it TIMEOUT).
public static class HumanTaskTopics
{
    public const string Created = "human_task.created";
    public const string Submitted = "human_task.submitted";
    public const string TimedOut = "human_task.timed_out";

    // What the email sender listens to while SMTP is off: nothing publishes it, so the outbox writes no message.
    public const string EmailsOff = "human_task.emails_off";
}

// Patchbay:HumanTasks:Smtp. Emails to a task's receiver_emails are sent only when Host is set (off by default); the
// link in them needs Patchbay:Http:PublicUrl.
public sealed class HumanTaskEmailOptions
{
    public const string Section = "Patchbay:HumanTasks:Smtp";

    public string? Host { get; set; }

    [Range(1, 65535)]
    public int Port { get; set; } = 587;

    // auto (STARTTLS when offered), starttls (required), tls (TLS from the first byte, port 465), none.
    [RegularExpression("^(auto|starttls|tls|none)$", ErrorMessage = "must be auto, starttls, tls or none")]
    public string Security { get; set; } = "auto";

    public string? Username { get; set; }

    public string? Password { get; set; }

    [EmailAddress]
    public string From { get; set; } = "patchbay@localhost";

    public bool Enabled => !string.IsNullOrWhiteSpace(Host);
}

// Sends the form's link to each receiver when a task is created (delivered by the outbox worker: at least once, retried
// with backoff while the SMTP server is unreachable). A task answered or expired before delivery gets no email.
public sealed partial class HumanTaskEmailSender(
    HumanTaskStore store, WebhookIds ids, IOptions<HumanTaskEmailOptions> options, IOptions<HttpOptions> http, ILogger<HumanTaskEmailSender> logger)
    : IOutboxHandler
{
    public string Topic => options.Value.Enabled ? HumanTaskTopics.Created : HumanTaskTopics.EmailsOff;

    public async Task HandleAsync(OutboxMessage message, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(message);
        var created = JsonSerializer.Deserialize<HumanTaskEvent>(message.Payload, ApiJson.Options)!;
        if (created.Reference is null || await store.GetAsync(created.TaskHash, ct) is not { Status: HumanTaskStatus.Waiting } task) return;
        var receivers = JsonSerializer.Deserialize<List<string>>(task.ReceiverEmails) ?? [];
        if (receivers.Count == 0) return;
        if (http.Value.PublicUrl is not { Length: > 0 } publicUrl)
        {
            LogNoPublicUrl(logger);
            return;
        }
        var url = HumanTasksApi.PageUrl(publicUrl.TrimEnd('/'), ids.Id(created.Reference));
        var o = options.Value;
        using var email = new MimeMessage();
        email.From.Add(MailboxAddress.Parse(o.From));
        foreach (var receiver in receivers) email.To.Add(MailboxAddress.Parse(receiver));
        email.Subject = task.Name;
        email.Body = new TextPart("plain")
        {
            Text = $"{task.Name}\n\n{(task.Description.Length > 0 ? task.Description + "\n\n" : "")}Open the form: {url}\n\nIt is open until {task.ExpiresAt:u}.\n",
        };
        using var smtp = new SmtpClient();
        var security = o.Security switch
        {
            "starttls" => SecureSocketOptions.StartTls,
            "tls" => SecureSocketOptions.SslOnConnect,
            "none" => SecureSocketOptions.None,
            _ => SecureSocketOptions.Auto,
        };
        await smtp.ConnectAsync(o.Host!, o.Port, security, ct); // set: the handler listens only then
        if (o.Username is { Length: > 0 } user) await smtp.AuthenticateAsync(user, o.Password ?? "", ct);
        await smtp.SendAsync(email, ct);
        await smtp.DisconnectAsync(quit: true, ct);
        LogSent(logger, receivers.Count);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Human task emails need Patchbay:Http:PublicUrl for the form's link; none sent")]
    static partial void LogNoPublicUrl(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "Human task email sent to {Count} receivers")]
    static partial void LogSent(ILogger logger, int count);
}


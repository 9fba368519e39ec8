using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Patchbay.Tests.Infrastructure;
using Patchbay.Workers;
using Xunit;
using static Patchbay.Tests.HumanTasks.HumanTaskApi;
using static Patchbay.Tests.Workflows.WorkflowApi;

namespace Patchbay.Tests.HumanTasks;

// A minimal SMTP server on loopback that keeps every message it is given (envelope recipients and the raw data).
// One per test process (Shared), listening until the process ends.
public sealed class FakeSmtpServer : IDisposable
{
    readonly TcpListener listener = new(IPAddress.Loopback, 0);

    public sealed record Mail(IReadOnlyList<string> To, string Data);

    public ConcurrentQueue<Mail> Received { get; } = new();

    public int Port => ((IPEndPoint)listener.LocalEndpoint).Port;

    public void Dispose() => listener.Dispose();

    public static FakeSmtpServer Shared { get; } = Start();

    static FakeSmtpServer Start()
    {
        var server = new FakeSmtpServer();
        server.listener.Start();
        _ = server.AcceptAsync();
        return server;
    }

    async Task AcceptAsync()
    {
        while (true)
        {
            var client = await listener.AcceptTcpClientAsync();
            _ = ServeAsync(client);
        }
    }

    async Task ServeAsync(TcpClient client)
    {
        using var _ = client;
        using var stream = client.GetStream();
        using var reader = new StreamReader(stream, Encoding.ASCII);
        using var writer = new StreamWriter(stream, Encoding.ASCII) { NewLine = "\r\n", AutoFlush = true };
        await writer.WriteLineAsync("220 fake-smtp ready");
        var to = new List<string>();
        while (await reader.ReadLineAsync() is { } line)
        {
            var verb = line.Split(' ', ':')[0].ToUpperInvariant();
            switch (verb)
            {
                case "EHLO" or "HELO":
                    await writer.WriteLineAsync("250 fake-smtp");
                    break;
                case "MAIL":
                    to.Clear();
                    await writer.WriteLineAsync("250 OK");
                    break;
                case "RCPT":
                    to.Add(line[(line.IndexOf('<', StringComparison.Ordinal) + 1)..line.IndexOf('>', StringComparison.Ordinal)]);
                    await writer.WriteLineAsync("250 OK");
                    break;
                case "DATA":
                    await writer.WriteLineAsync("354 go on");
                    var data = new StringBuilder();
                    while (await reader.ReadLineAsync() is { } l && l != ".") data.AppendLine(l);
                    Received.Enqueue(new Mail([.. to], data.ToString()));
                    await writer.WriteLineAsync("250 queued");
                    break;
                case "QUIT":
                    await writer.WriteLineAsync("221 bye");
                    return;
                default:
                    await writer.WriteLineAsync("250 OK");
                    break;
            }
        }
    }
}

public sealed class SmtpOptions : IAppOptions
{
    public const string PublicUrl = "https://forms.example.test";

    public void Configure(AppSetup setup)
    {
        ArgumentNullException.ThrowIfNull(setup);
        setup.FakeProvider = true;
        setup.Settings["Patchbay:HumanTasks:Smtp:Host"] = "127.0.0.1";
        setup.Settings["Patchbay:HumanTasks:Smtp:Port"] = FakeSmtpServer.Shared.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        setup.Settings["Patchbay:HumanTasks:Smtp:Security"] = "none";
        setup.Settings["Patchbay:HumanTasks:Smtp:From"] = "flows@acme.test";
        setup.Settings["Patchbay:Http:PublicUrl"] = PublicUrl;
    }
}

// With an SMTP server configured, a new human task's receivers get the form's link (through the outbox, after the
// task's checkpoint committed); the link opens the task.
public abstract class HumanTaskEmailTests(PatchbayApp app)
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task NewTask_EmailsItsLinkToTheReceivers()
    {
        var (key, account) = await OrgAsync(app);
        var client = app.ClientFor(key, account);
        var (_, version) = await PublishAsync(client, ApprovalFlow());
        var customer = "Mail-" + Guid.NewGuid().ToString("N")[..8];
        var id = await StartAsync(client, version, new { amount = 42, customer });
        await RunWorkersAsync(app);
        var (taskId, url) = await WaitingTaskAsync(client, id);
        Assert.Equal($"{SmtpOptions.PublicUrl}/human-tasks/{taskId}", url.ToString());

        await app.Services.GetRequiredService<OutboxWorker>().RunOnceAsync(Ct);
        var mail = Assert.Single(FakeSmtpServer.Shared.Received, m => m.Data.Contains(customer, StringComparison.Ordinal));
        Assert.Equal(["approver@acme.test"], mail.To);
        Assert.Contains("Subject: Approve the refund", mail.Data, StringComparison.Ordinal);
        Assert.Contains("From: flows@acme.test", mail.Data, StringComparison.Ordinal);
        Assert.Contains($"{SmtpOptions.PublicUrl}/human-tasks/{taskId}", mail.Data, StringComparison.Ordinal);
        Assert.Contains($"Refund of 42 for {customer}", mail.Data, StringComparison.Ordinal);

        // Delivered once: the message is gone from the outbox.
        await app.Services.GetRequiredService<OutboxWorker>().RunOnceAsync(Ct);
        Assert.Single(FakeSmtpServer.Shared.Received, m => m.Data.Contains(customer, StringComparison.Ordinal));
    }
}

public sealed class SqliteHumanTaskEmailTests(SqliteApp<SmtpOptions> app) : HumanTaskEmailTests(app), IClassFixture<SqliteApp<SmtpOptions>>;
public sealed class PostgresHumanTaskEmailTests(PostgresApp<SmtpOptions> app) : HumanTaskEmailTests(app), IClassFixture<PostgresApp<SmtpOptions>>;

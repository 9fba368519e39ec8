using System.Diagnostics;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Patchbay.Tests.Apps;
using Patchbay.Tests.Infrastructure;
using Xunit;

namespace Patchbay.Tests.Webhooks;

// The real server process, SIGKILLed twice while it delivers the webhooks of 2,000 finished executions, restarted
// each time: every event reaches the receiver at least once; duplicates only for attempts in flight (or finished and
// not yet recorded) at a kill. Leases are short here so the restarted server takes the dead one's work back quickly.
public abstract class WebhookCrashTests
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;
    const int Events = 2000;
    const int MaxConcurrency = 16; // with the receiver's 100 ms per request: ≤ 160 deliveries/s, so a kill lands mid-delivery

    protected abstract Task<(string Provider, string ConnectionString)> DatabaseAsync();

    protected abstract Task DropAsync(string connectionString);

    sealed class Server(Dictionary<string, string> environment, string baseUrl) : IAsyncDisposable
    {
        Process? process;
        readonly StringBuilder output = new();

        public string Output { get { lock (output) return output.ToString(); } }

        public async Task StartAsync()
        {
            var bin = ServerProcess.BinDirectory;
            var info = new ProcessStartInfo("dotnet") { WorkingDirectory = bin, RedirectStandardOutput = true, RedirectStandardError = true };
            info.ArgumentList.Add(Path.Combine(bin, "Patchbay.Server.dll"));
            foreach (var (k, v) in environment) info.Environment[k] = v;
            process = Process.Start(info)!;
            process.OutputDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
            process.ErrorDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            using var http = new HttpClient();
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (DateTime.UtcNow < deadline)
            {
                Assert.False(process.HasExited, "The server exited:\n" + Output);
                try
                {
                    if ((await http.GetAsync($"{baseUrl}/readyz", Ct)).IsSuccessStatusCode) return;
                }
                catch (HttpRequestException) { }
                await Task.Delay(200, Ct);
            }
            Assert.Fail("The server did not become ready:\n" + Output);
        }

        public void KillHard()
        {
            process!.Kill(); // SIGKILL: no shutdown, no flush of finished attempts, leases left behind
            process.WaitForExit();
        }

        public async ValueTask DisposeAsync()
        {
            if (process is { HasExited: false })
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }
            process?.Dispose();
            process = null;
        }
    }

    static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    [Fact]
    public async Task SigkillTwiceMidDelivery_EveryEventArrivesAtLeastOnce()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.On("/crash", async (_, http) => { await Task.Delay(100, http.RequestAborted); await http.Response.WriteAsync("ok", http.RequestAborted); });
        var (provider, connectionString) = await DatabaseAsync();
        var data = Path.Combine(Path.GetTempPath(), "patchbay-webhook-crash", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(data);
        var key = "tk" + Guid.NewGuid().ToString("D");
        var baseUrl = $"http://127.0.0.1:{FreePort()}";
        var environment = new Dictionary<string, string>
        {
            ["Urls"] = baseUrl,
            ["Patchbay__DataDirectory"] = data,
            ["Patchbay__Database__Provider"] = provider,
            ["Patchbay__Database__ConnectionString"] = connectionString,
            ["Patchbay__Vault__MasterKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
            ["Patchbay__Bootstrap__TestApiKey"] = key,
            ["Patchbay__RateLimits__Enabled"] = "false",
            ["Patchbay__Egress__AllowedNetworks__0"] = "127.0.0.0/8",
            ["Patchbay__Workflows__LeaseDuration"] = "00:00:05",
            ["Patchbay__Workflows__PollInterval"] = "00:00:00.100",
            ["Patchbay__Workers__OutboxLease"] = "00:00:05",
            ["Patchbay__Workers__OutboxPollInterval"] = "00:00:00.100",
            ["Patchbay__Webhooks__Timeout"] = "00:00:02",
            ["Patchbay__Webhooks__PollInterval"] = "00:00:00.050",
            ["Patchbay__Webhooks__MaxConcurrency"] = MaxConcurrency.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Logging__Console__FormatterName"] = "simple",
            ["Logging__LogLevel__Default"] = "Warning",
        };
        Server? server = null;
        try
        {
            server = new Server(environment, baseUrl);
            await server.StartAsync();
            using var client = new HttpClient { BaseAddress = new Uri(baseUrl) };
            client.DefaultRequestHeaders.Add("x-api-key", key);
            var account = "crash_" + Guid.NewGuid().ToString("N")[..8];
            (await client.PostAsJsonAsync("/api/v2/public/linked-account", new { linked_account_id = account }, Ct)).EnsureSuccessStatusCode();
            (await client.PostAsJsonAsync("/api/v2/public/webhook", new { webhook_url = receiver.Url("/crash"), webhook_events = new[] { "Workflow Completed" } }, Ct))
                .EnsureSuccessStatusCode();
            client.DefaultRequestHeaders.Add("linked_account_id", account);
            var draft = (await (await client.PostAsJsonAsync("/api/v2/public/workflow", new { name = "crash" }, Ct)).Content.ReadFromJsonAsync<JsonElement>(Ct))
                .GetProperty("workflow").GetProperty("_id").GetString()!;
            var graph = """{"nodes":[{"id":"start","type":"start"},{"id":"out","type":"response","data":{"body":"{{payload.i}}"}}],"edges":[{"source":"start","target":"out"}]}""";
            (await client.PutAsync($"/api/v2/public/workflow/{draft}", new StringContent(graph, Encoding.UTF8, "application/json"), Ct)).EnsureSuccessStatusCode();
            var version = (await (await client.PutAsJsonAsync($"/api/v2/public/workflow/{draft}/publish", new { published = true }, Ct)).Content.ReadFromJsonAsync<JsonElement>(Ct))
                .GetProperty("_id").GetString()!;

            var started = new System.Collections.Concurrent.ConcurrentBag<string>();
            await Parallel.ForEachAsync(Enumerable.Range(0, Events), new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = Ct }, async (i, ct) =>
            {
                var response = await client.PostAsJsonAsync($"/api/v1/workflow/{version}/execute", new { i }, ct);
                response.EnsureSuccessStatusCode();
                started.Add((await response.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("execution_id").GetString()!);
            });

            async Task WaitForAsync(int arrivals, TimeSpan limit)
            {
                var clock = Stopwatch.StartNew();
                while (Distinct() < arrivals && clock.Elapsed < limit) await Task.Delay(20, Ct);
            }
            int Distinct() => receiver.At("/crash").Select(r => r.Header("webhook-id")).Distinct().Count();

            await WaitForAsync(300, TimeSpan.FromSeconds(120));
            Assert.True(Distinct() is >= 300 and < Events, $"not mid-delivery at the first kill: {Distinct()}");
            server.KillHard();
            await server.DisposeAsync();
            server = new Server(environment, baseUrl);
            await server.StartAsync();
            var atRestart = Distinct();
            var atSecond = atRestart + 100;
            await WaitForAsync(atSecond, TimeSpan.FromSeconds(120));
            Assert.True(Distinct() < Events, $"everything was delivered before the second kill (restarted at {atRestart})");
            server.KillHard();
            await server.DisposeAsync();
            server = new Server(environment, baseUrl);
            await server.StartAsync();
            await WaitForAsync(Events, TimeSpan.FromSeconds(240));
            await server.DisposeAsync();

            var received = receiver.At("/crash");
            var instances = received.Select(r => JsonDocument.Parse(r.Body).RootElement.GetProperty("instance_id").GetString()!).ToHashSet();
            Assert.Equal(Events, started.Count);
            Assert.Empty(started.Except(instances)); // every event at least once
            Assert.Equal(Events, instances.Count);
            var duplicates = received.Count - received.Select(r => r.Header("webhook-id")).Distinct().Count();
            // Each kill can repeat at most the attempts in flight plus those finished since the last write.
            Assert.True(duplicates <= 2 * 2 * MaxConcurrency, $"{duplicates} duplicates");
            TestContext.Current.TestOutputHelper?.WriteLine($"{provider}: {received.Count} requests for {Events} events, {duplicates} duplicates");
            Assert.All(received.Take(50), r => Assert.Equal(WebhookKit.CobaltSignature(key, r.Body), r.Header("x-cobalt-signature")));
        }
        finally
        {
            if (server is not null) await server.DisposeAsync();
            await DropAsync(connectionString);
            try { Directory.Delete(data, recursive: true); } catch (IOException) { }
        }
    }
}

public sealed class SqliteWebhookCrashTests : WebhookCrashTests
{
    readonly SqliteScratchDatabase database = new();

    protected override Task<(string Provider, string ConnectionString)> DatabaseAsync() => database.CreateAsync();

    protected override Task DropAsync(string connectionString) => database.DropAsync();
}

public sealed class PostgresWebhookCrashTests(PostgresServer server) : WebhookCrashTests
{
    protected override async Task<(string Provider, string ConnectionString)> DatabaseAsync() => ("Postgres", await server.CreateDatabaseAsync());

    protected override Task DropAsync(string connectionString) => server.DropDatabaseAsync(connectionString);
}

using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Patchbay.Tests.Apps;
using Patchbay.Tests.Infrastructure;
using Xunit;

namespace Patchbay.Tests.Workflows;

// The real server process, killed with SIGKILL while executions are mid-flight (waiting in a delay, inside a slow HTTP
// call, inside a long code node), then started again: every execution finishes, each node recorded exactly once,
// nothing lost. Leases are short here (5 s) so the restarted server reclaims the dead one's work quickly.
public abstract class CrashTests
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    protected abstract Task<(string Provider, string ConnectionString)> DatabaseAsync();

    protected abstract Task DropAsync(string connectionString);

    sealed class ServerProcess(Dictionary<string, string> environment, string baseUrl) : IAsyncDisposable
    {
        Process? process;
        readonly StringBuilder output = new();

        public string BaseUrl => baseUrl;
        public string Output { get { lock (output) return output.ToString(); } }

        public async Task StartAsync()
        {
            var bin = Path.Combine(SdkCompatibilityTests.RepositoryRoot(), "src", "Patchbay.Server", "bin",
                AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug", "net10.0");
            var info = new ProcessStartInfo("dotnet") { WorkingDirectory = bin, RedirectStandardOutput = true, RedirectStandardError = true };
            info.ArgumentList.Add(Path.Combine(bin, "Patchbay.Server.dll"));
            foreach (var (k, v) in environment) info.Environment[k] = v;
            process = Process.Start(info)!;
            process.OutputDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
            process.ErrorDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            using var http = new HttpClient();
            var deadline = DateTime.UtcNow.AddMinutes(3); // bounds a failing start; a busy machine starts slowly
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
            process!.Kill(); // SIGKILL on Unix: no shutdown, no drain, leases left behind
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
        }
    }

    // A slow API on loopback: answers after 6 s and counts the calls it started.
    sealed class SlowTarget : IAsyncDisposable
    {
        readonly WebApplication app;
        public ConcurrentBag<string> Calls { get; } = [];
        public string BaseUrl { get; private set; } = "";

        public SlowTarget()
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.UseSetting("urls", "http://127.0.0.1:0");
            app = builder.Build();
            app.MapGet("/slow", async (string i, CancellationToken ct) =>
            {
                Calls.Add(i);
                await Task.Delay(6000, ct);
                return Microsoft.AspNetCore.Http.Results.Json(new { i });
            });
        }

        public async Task StartAsync()
        {
            await app.StartAsync();
            BaseUrl = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        }

        public ValueTask DisposeAsync() => app.DisposeAsync();
    }

    static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    [Fact]
    public async Task SigkillMidFlight_RestartFinishesEveryExecution_EachNodeOnce()
    {
        await using var slow = new SlowTarget();
        await slow.StartAsync();
        var (provider, connectionString) = await DatabaseAsync();
        var data = Path.Combine(Path.GetTempPath(), "patchbay-crash", Guid.NewGuid().ToString("N"));
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
            ["Patchbay__Workflows__PollInterval"] = "00:00:00.200",
            ["Patchbay__Workflows__CodeTimeout"] = "00:01:00", // the code node spins 1.5 s of wall time, however slowly it runs
            ["Patchbay__Workflows__CodeMaxStatements"] = "2000000000",
            ["Patchbay__Workflows__CodeMemoryBytes"] = "4000000000", // Jint counts bytes allocated, and a busy loop allocates
            ["Logging__Console__FormatterName"] = "simple",
            ["Logging__LogLevel__Default"] = "Warning",
        };
        try
        {
            await using var first = new ServerProcess(environment, baseUrl);
            await first.StartAsync();
            using var client = new HttpClient { BaseAddress = new Uri(baseUrl) };
            client.DefaultRequestHeaders.Add("x-api-key", key);
            var account = "crash_" + Guid.NewGuid().ToString("N")[..8];
            (await client.PostAsJsonAsync("/api/v2/public/linked-account", new { linked_account_id = account }, Ct)).EnsureSuccessStatusCode();
            client.DefaultRequestHeaders.Add("linked_account_id", account);

            var flows = new Dictionary<string, object>
            {
                ["delay"] = new { type = "delay", data = new { seconds = 5 } },
                ["http"] = new { type = "http", data = new { url = slow.BaseUrl + "/slow?i={{payload.i}}" } },
                ["code"] = new { type = "code", data = new { code = "const t = Date.now(); while (Date.now() - t < 1500) {} return payload.i;" } },
            };
            var executions = new List<(string Id, string Flow, int I)>();
            foreach (var (flow, middle) in flows)
            {
                var created = await (await client.PostAsJsonAsync("/api/v2/public/workflow", new { name = "crash " + flow }, Ct)).Content.ReadFromJsonAsync<JsonElement>(Ct);
                var draft = created.GetProperty("workflow").GetProperty("_id").GetString()!;
                var graph = JsonSerializer.Serialize(new
                {
                    nodes = new object[]
                    {
                        new { id = "start", type = "start" },
                        JsonSerializer.Deserialize<Dictionary<string, object>>(JsonSerializer.Serialize(middle))!.Append(new("id", "middle")).ToDictionary(),
                        new { id = "after", type = "code", data = new { code = "return { i: payload.i, at: Date.now() };" } },
                        new { id = "out", type = "response", data = new { body = "{{nodes.after.output.i}}" } },
                    },
                    edges = new[] { new { source = "start", target = "middle" }, new { source = "middle", target = "after" }, new { source = "after", target = "out" } },
                });
                (await client.PutAsync($"/api/v2/public/workflow/{draft}", new StringContent(graph, Encoding.UTF8, "application/json"), Ct)).EnsureSuccessStatusCode();
                var published = await (await client.PutAsJsonAsync($"/api/v2/public/workflow/{draft}/publish", new { published = true }, Ct)).Content.ReadFromJsonAsync<JsonElement>(Ct);
                var version = published.GetProperty("_id").GetString()!;
                for (var i = 0; i < 8; i++)
                {
                    using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/workflow/{version}/execute") { Content = JsonContent.Create(new { i }) };
                    var started = await (await client.SendAsync(request, Ct)).Content.ReadFromJsonAsync<JsonElement>(Ct);
                    executions.Add((started.GetProperty("execution_id").GetString()!, flow, i));
                }
            }

            // Mid-flight: slow calls started, code nodes spinning, delays waiting.
            var waitUntil = DateTime.UtcNow.AddSeconds(60);
            while (slow.Calls.IsEmpty && DateTime.UtcNow < waitUntil) await Task.Delay(50, Ct);
            await Task.Delay(300, Ct);
            var running = (await client.GetFromJsonAsync<JsonElement>("/api/v2/public/execution?status=RUNNING&limit=100", Ct)).GetProperty("totalDocs").GetInt32();
            Assert.True(running > 0, "nothing was in flight when the server was killed");
            var callsBeforeKill = slow.Calls.Count;
            first.KillHard();

            await using var second = new ServerProcess(environment, baseUrl);
            await second.StartAsync();
            var deadline = DateTime.UtcNow.AddMinutes(5); // bounds a failing test only
            var finished = new Dictionary<string, JsonElement>();
            while (finished.Count < executions.Count && DateTime.UtcNow < deadline)
            {
                foreach (var (id, _, _) in executions.Where(e => !finished.ContainsKey(e.Id)))
                {
                    var e = await client.GetFromJsonAsync<JsonElement>($"/api/v2/public/execution/{id}", Ct);
                    if (e.GetProperty("status").GetString() != "RUNNING") finished[id] = e;
                }
                await Task.Delay(250, Ct);
            }
            Assert.True(finished.Count == executions.Count, $"{executions.Count - finished.Count} executions never finished (killed with {running} running)\n{second.Output}");
            foreach (var (id, flow, i) in executions)
            {
                var e = finished[id];
                Assert.True(e.GetProperty("status").GetString() == "COMPLETED", $"{flow} #{i}: {e}");
                Assert.Equal(i, e.GetProperty("return_value").GetInt32());
                var nodes = e.GetProperty("nodes").EnumerateArray().Select(n => n.GetProperty("node_id").GetString()).ToList();
                Assert.Equal(["start", "middle", "after", "out"], nodes); // each exactly once, in order
            }
            // Each slow call was made at least once; only calls cut off by the kill were made again.
            Assert.Equal(8, slow.Calls.Distinct().Count());
            Assert.True(slow.Calls.Count <= 8 + callsBeforeKill, $"{slow.Calls.Count} calls");
        }
        finally
        {
            await DropAsync(connectionString);
            try { Directory.Delete(data, recursive: true); } catch (IOException) { }
        }
    }
}

public sealed class SqliteCrashTests : CrashTests
{
    readonly SqliteScratchDatabase database = new();

    protected override Task<(string Provider, string ConnectionString)> DatabaseAsync() => database.CreateAsync();

    protected override Task DropAsync(string connectionString) => database.DropAsync();
}

public sealed class PostgresCrashTests(PostgresServer server) : CrashTests
{
    protected override async Task<(string Provider, string ConnectionString)> DatabaseAsync() => ("Postgres", await server.CreateDatabaseAsync());

    protected override Task DropAsync(string connectionString) => server.DropDatabaseAsync(connectionString);
}

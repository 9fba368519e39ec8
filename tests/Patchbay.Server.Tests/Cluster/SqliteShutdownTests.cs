using System.Diagnostics;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Patchbay.Tests.Infrastructure;
using Xunit;
using static Patchbay.Tests.Cluster.ClusterWorkflows;

namespace Patchbay.Tests.Cluster;

// SQLite serves one node, so a rolling deploy is a restart: a server sent SIGTERM lets its steps in flight reach their
// checkpoint and hands the leases back, so the new process takes the executions up at once, not 30 s later when the
// leases would have expired; and it leaves the membership table.
public sealed class SqliteShutdownTests
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Sigterm_MidFlight_DrainsAndHandsBack_TheRestartedServerResumesAtOnce()
    {
        await using var target = await FakeTarget.StartAsync();
        var scratch = new SqliteScratchDatabase();
        var (provider, connectionString) = await scratch.CreateAsync();
        var data = Path.Combine(Path.GetTempPath(), "patchbay-cluster", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(data);
        var key = "tk" + Guid.NewGuid().ToString("D");
        var port = FreePort();
        var environment = new Dictionary<string, string>
        {
            ["Urls"] = $"http://127.0.0.1:{port}",
            ["Patchbay__DataDirectory"] = data,
            ["Patchbay__Database__Provider"] = provider,
            ["Patchbay__Database__ConnectionString"] = connectionString,
            ["Patchbay__Vault__MasterKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
            ["Patchbay__Bootstrap__TestApiKey"] = key,
            ["Patchbay__Admin__Token"] = TestCluster.AdminToken,
            ["Patchbay__RateLimits__Enabled"] = "false",
            ["Patchbay__Egress__AllowedNetworks__0"] = "127.0.0.0/8",
            ["Patchbay__Workflows__PollInterval"] = "00:00:00.200",
            ["Logging__Console__FormatterName"] = "simple",
            ["Logging__LogLevel__Default"] = "Warning",
        };
        try
        {
            await using var first = new TestCluster.Node(ServerProcess.Start([], environment), $"http://127.0.0.1:{port}", key);
            await first.WaitReadyAsync();
            var account = await CreateAccountAsync(first.Client);
            var version = await PublishAsync(first.Client, account,
                ("slow", new { type = "http", data = new { url = target.BaseUrl + "/slow?ms=2000&i={{payload.i}}" } }),
                ("fast", new { type = "http", data = new { url = target.BaseUrl + "/fast?i={{payload.i}}" } }));
            var ids = new List<string>();
            for (var i = 0; i < 5; i++) ids.Add((await ExecuteAsync(first.Client, account, version, $"q{i}")).Id!);
            var until = DateTime.UtcNow.AddSeconds(60);
            while (target.Slow.Count < 5 && DateTime.UtcNow < until) await Task.Delay(50, Ct);
            Assert.Equal(5, target.Slow.Count);

            first.Process.Terminate();
            await first.Process.WaitForExitAsync(Ct);
            Assert.Empty(target.Fast); // it took no step after the one in flight

            await using var second = new TestCluster.Node(ServerProcess.Start([], environment), $"http://127.0.0.1:{port}", key);
            await second.WaitReadyAsync();
            var resumed = Stopwatch.StartNew();
            var finished = await WaitFinishedAsync(second.Client, account, ids, TimeSpan.FromSeconds(60));
            Assert.Equal(ids.Count, finished.Count);
            foreach (var e in finished.Values)
            {
                Assert.Equal("COMPLETED", e.GetProperty("status").GetString());
                Assert.Equal(["start", "slow", "fast", "out"], NodeIds(e));
            }
            Assert.All(target.Slow.Values, n => Assert.Equal(1, n)); // drained, not cut off: no call made twice
            Assert.True(resumed.Elapsed < TimeSpan.FromSeconds(5), $"finished {resumed.Elapsed.TotalSeconds:F1} s after the restart (leases are 30 s)");
            var nodes = await second.AdminGetAsync("/admin/v1/nodes");
            Assert.Equal(JsonValueKind.Array, nodes.GetProperty("nodes").ValueKind);
            Assert.DoesNotContain(nodes.GetProperty("nodes").EnumerateArray(), n => n.GetProperty("id").GetString() == first.Id); // it left
        }
        finally
        {
            await scratch.DropAsync();
            try { Directory.Delete(data, recursive: true); }
            catch (IOException) { }
        }
    }

    static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}

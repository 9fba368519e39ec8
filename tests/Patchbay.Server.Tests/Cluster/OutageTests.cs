using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Npgsql;
using Patchbay.Tests.Infrastructure;
using Xunit;
using static Patchbay.Tests.Cluster.ClusterWorkflows;

namespace Patchbay.Tests.Cluster;

// The database going away under load: connections killed by the server (pg_terminate_backend), and PostgreSQL
// stopped for 10 s and started again. No accepted execution is lost or ERRORED; while the database is gone requests
// are answered 503 in the error shape with a Retry-After, quickly; service comes back by itself.
public sealed class PostgresOutageTests(PostgresServer server)
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    static readonly (string, object)[] Steps =
    [
        ("one", new { type = "http", data = new { url = "{{payload.target}}/fast?i={{payload.i}}-1" } }),
        ("wait", new { type = "delay", data = new { seconds = 1 } }),
        ("two", new { type = "http", data = new { url = "{{payload.target}}/slow?ms=300&i={{payload.i}}" } }),
        ("three", new { type = "http", data = new { url = "{{payload.target}}/fast?i={{payload.i}}-3" } }),
    ];

    [Fact]
    public async Task TerminatedConnections_RepeatedlyDuringExecutions_EveryAcceptedExecutionCompletes_NoneErrored()
    {
        await using var target = await FakeTarget.StartAsync();
        await using var cluster = await TestCluster.CreateAsync(server);
        var a = await cluster.StartNodeAsync();
        var b = await cluster.StartNodeAsync();
        var account = await CreateAccountAsync(a.Client);
        var version = await PublishAsync(a.Client, account, Steps);

        var accepted = new ConcurrentBag<string>();
        var refused = new ConcurrentBag<int>();
        using var stop = new CancellationTokenSource();
        var load = Task.Run(async () =>
        {
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                var node = i % 2 == 0 ? a : b;
                try
                {
                    var (status, id) = await ExecuteAsync(node.Client, account, version, Payload(target, $"t{i}"));
                    if (id is not null) accepted.Add(id);
                    else refused.Add(status);
                }
                catch (HttpRequestException) { refused.Add(0); }
                await Task.Delay(40, CancellationToken.None);
            }
        }, CancellationToken.None);

        var terminated = 0;
        for (var round = 0; round < 12; round++)
        {
            await Task.Delay(400, Ct);
            terminated += await cluster.ScalarAsync<int>(
                "select count(*) from (select pg_terminate_backend(pid) from pg_stat_activity where datname = @db and pid <> pg_backend_pid()) t",
                ("db", cluster.DatabaseName));
        }
        await stop.CancelAsync();
        await load;

        Assert.True(terminated >= 12, $"only {terminated} connections were terminated");
        Assert.True(accepted.Count >= 20, $"only {accepted.Count} executions were accepted (refused: {string.Join(",", refused)})");
        Assert.All(refused, s => Assert.Equal(503, s)); // a request that met a dropped connection is told to retry
        var finished = await WaitFinishedAsync(a.Client, account, [.. accepted], TimeSpan.FromSeconds(90));
        Assert.Equal(accepted.Count, finished.Count);
        var notCompleted = finished.Values.Where(e => e.GetProperty("status").GetString() != "COMPLETED").ToList();
        Assert.True(notCompleted.Count == 0, $"{notCompleted.Count} of {accepted.Count} did not complete: {string.Join("\n", notCompleted.Take(3))}");
        Assert.All(finished.Values, e => Assert.Equal(["start", "one", "wait", "two", "three", "out"], NodeIds(e)));
        TestContext.Current.TestOutputHelper?.WriteLine($"{accepted.Count} accepted, {refused.Count} refused (503), {terminated} connections terminated: all completed");
    }

    [Fact]
    public async Task PostgresStoppedTenSeconds_Only503sInErrorShape_ThenFullServiceWithinTenSeconds_EveryAcceptedExecutionCompletes()
    {
        var own = PostgresServer.Private(); // stopped below: not the suite's shared server
        await using var ownServer = own;
        await using var target = await FakeTarget.StartAsync();
        await using var cluster = await TestCluster.CreateAsync(own);
        var a = await cluster.StartNodeAsync();
        var b = await cluster.StartNodeAsync();
        var account = await CreateAccountAsync(a.Client);
        var version = await PublishAsync(a.Client, account, Steps);

        var accepted = new ConcurrentBag<string>();
        var during = new ConcurrentBag<(int Status, string Body, string? RetryAfter, TimeSpan Took)>();
        var outage = false;
        using var stop = new CancellationTokenSource();
        var load = Task.Run(async () =>
        {
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                var node = i % 2 == 0 ? a : b;
                var watch = Stopwatch.StartNew();
                if (i % 3 == 0)
                {
                    var response = await node.Client.GetAsync("/api/v2/public/linked-account", CancellationToken.None);
                    if (Volatile.Read(ref outage))
                    {
                        during.Add(((int)response.StatusCode, await response.Content.ReadAsStringAsync(CancellationToken.None),
                            response.Headers.RetryAfter?.ToString(), watch.Elapsed));
                    }
                }
                else
                {
                    var (status, id) = await ExecuteAsync(node.Client, account, version, Payload(target, $"o{i}"));
                    if (id is not null) accepted.Add(id);
                    if (Volatile.Read(ref outage) && id is null) during.Add((status, "", null, watch.Elapsed));
                }
                await Task.Delay(50, CancellationToken.None);
            }
        }, CancellationToken.None);

        await Task.Delay(1500, Ct);
        await own.StopServerAsync();
        Volatile.Write(ref outage, true);
        var readyDuring = new List<HttpStatusCode>();
        var stopped = Stopwatch.StartNew();
        while (stopped.Elapsed < TimeSpan.FromSeconds(10))
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            foreach (var node in cluster.Nodes) readyDuring.Add((await http.GetAsync(node.BaseUrl + "/readyz", Ct)).StatusCode);
            await Task.Delay(500, Ct);
        }
        Volatile.Write(ref outage, false);
        await own.StartServerAsync();
        var restarted = Stopwatch.StartNew();

        // Full service again on every node within 10 s, without a restart.
        foreach (var node in cluster.Nodes)
        {
            while (true)
            {
                var response = await node.Client.GetAsync("/api/v2/public/linked-account", Ct);
                if (response.IsSuccessStatusCode) break;
                Assert.True(restarted.Elapsed < TimeSpan.FromSeconds(10), $"{node.BaseUrl} still answers {(int)response.StatusCode} {restarted.Elapsed.TotalSeconds:F1} s after PostgreSQL returned");
                await Task.Delay(100, Ct);
            }
        }
        var recovered = restarted.Elapsed;
        await Task.Delay(1500, Ct); // a little load after the outage too
        await stop.CancelAsync();
        await load;

        Assert.All(readyDuring, s => Assert.Equal(HttpStatusCode.ServiceUnavailable, s));
        Assert.NotEmpty(during);
        foreach (var (status, body, retryAfter, took) in during.Where(d => d.Body.Length > 0))
        {
            Assert.True(status == 503, $"{status}: {body}");
            using var json = JsonDocument.Parse(body);
            Assert.Equal("SERVICE_UNAVAILABLE", json.RootElement.GetProperty("error").GetString());
            Assert.Equal(503, json.RootElement.GetProperty("status_code").GetInt32());
            Assert.True(json.RootElement.TryGetProperty("message", out _));
            Assert.DoesNotContain("Npgsql", body, StringComparison.Ordinal);
            Assert.NotNull(retryAfter);
            Assert.True(took < TimeSpan.FromSeconds(3), $"a request took {took.TotalSeconds:F1} s during the outage");
        }
        Assert.All(during, d => Assert.Equal(503, d.Status));

        var finished = await WaitFinishedAsync(a.Client, account, [.. accepted], TimeSpan.FromSeconds(90));
        Assert.Equal(accepted.Count, finished.Count);
        var notCompleted = finished.Values.Where(e => e.GetProperty("status").GetString() != "COMPLETED").ToList();
        Assert.True(notCompleted.Count == 0, $"{notCompleted.Count} of {accepted.Count} did not complete: {string.Join("\n", notCompleted.Take(3))}");
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"{accepted.Count} accepted, {during.Count} refused with 503 during the outage; full service {recovered.TotalSeconds:F2} s after PostgreSQL returned");
    }

    static Dictionary<string, string> Payload(FakeTarget target, string i) => new() { ["i"] = i, ["target"] = target.BaseUrl };
}

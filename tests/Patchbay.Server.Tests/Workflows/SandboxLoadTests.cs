using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Patchbay.Sandbox;
using Patchbay.Tests.Infrastructure;
using Xunit;
using static Patchbay.Tests.Workflows.WorkflowApi;

namespace Patchbay.Tests.Workflows;

// Alone (no other test class runs beside it), since it measures latency on a 2-core machine.
[CollectionDefinition(nameof(SandboxLoad), DisableParallelization = true)]
public sealed class SandboxLoad;

// Hostile code nodes running at once cost the API nothing it can feel: they run in sandbox processes at a lower
// priority, killed at their limits, while the server keeps answering.
public abstract class SandboxLoadTests(PatchbayApp app)
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    static readonly string[] Hostile =
    [
        "let x = 0; for (;;) { x++; }",
        "return /(a+)+$/.test('a'.repeat(40) + 'b');",
        "return 'x'.repeat(2 ** 27).length;",
        "let o = []; for (let i = 0; i < 100000; i++) o = [o]; return JSON.stringify(o).length;",
        "const a = []; for (;;) a.push({ x: 'y'.repeat(1000) });",
        "return Atomics.wait(new Int32Array(new SharedArrayBuffer(16)), 0, 0, 20000);",
    ];

    // The latency of GETs while hostile code runs is compared with their latency alone, measured just before on the
    // same machine: a p99 under 50 ms passes, and so does one at most 3x the p99 alone when other work (builds, other
    // test runs) loads the machine. Sandboxes at the server's own priority would push it well past both on a quiet one.
    [Fact]
    public async Task HostileCodeRunningAtOnce_KeepsGetP99Under50ms_OrNearItsLevelAlone()
    {
        var (_, key, _) = await app.CreateOrgAsync("Load Org");
        var account = await app.CreateLinkedAccountAsync(apiKey: key);
        var client = app.ClientFor(key, account);
        var versions = new List<string>();
        foreach (var code in Hostile)
            versions.Add((await PublishAsync(client, Graph([Node("start", "start"), Node("evil", "code", new { code })], [Edge("start", "evil")]))).Version);

        // Warm the GET path, then measure it alone and while the hostile executions run (two rounds of each).
        for (var i = 0; i < 20; i++) (await client.GetAsync($"/api/v2/public/linked-account/{account}", Ct)).Dispose();
        var alone = await SampleAsync(client, account, () => false, 100);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var hostile = Task.WhenAll(versions.Concat(versions).Select(async v =>
        {
            using var response = await client.SendAsync(Execute(v, new { }, sync: true), stop.Token);
            Assert.Equal(500, (int)response.StatusCode); // each fails its own node
        }));
        var sandbox = app.Services.GetRequiredService<CodeSandbox>();
        while (sandbox.ProcessIds.Count == 0 && !hostile.IsCompleted) await Task.Delay(20, Ct); // the sandboxes are busy
        var busy = await SampleAsync(client, account, () => hostile.IsCompleted, 400);
        await hostile;
        Assert.True(busy.Count >= 50, $"only {busy.Count} samples");
        var (aloneP99, busyP99) = (P99(alone), P99(busy));
        Assert.True(busyP99 < Math.Max(50, 3 * aloneP99),
            $"GET p99 {busyP99:0.0} ms over {busy.Count} samples while hostile code ran (p50 {busy[busy.Count / 2]:0.0} ms); alone p99 {aloneP99:0.0} ms (p50 {alone[alone.Count / 2]:0.0} ms)");
    }

    // GET latencies in ms, sorted, until `done` or `count` samples.
    static async Task<List<double>> SampleAsync(HttpClient client, string account, Func<bool> done, int count)
    {
        var samples = new List<double>();
        while (!done() && samples.Count < count)
        {
            var clock = Stopwatch.StartNew();
            using var response = await client.GetAsync($"/api/v2/public/linked-account/{account}", Ct);
            samples.Add(clock.Elapsed.TotalMilliseconds);
            Assert.True(response.IsSuccessStatusCode);
            await Task.Delay(10, Ct);
        }
        samples.Sort();
        return samples;
    }

    static double P99(List<double> sorted) => sorted[(int)Math.Ceiling(sorted.Count * 0.99) - 1];
}

[Collection(nameof(SandboxLoad))]
public sealed class SqliteSandboxLoadTests(SqliteApp<CodeTimeLimitOptions> app) : SandboxLoadTests(app), IClassFixture<SqliteApp<CodeTimeLimitOptions>>;

[Collection(nameof(SandboxLoad))]
public sealed class PostgresSandboxLoadTests(PostgresApp<CodeTimeLimitOptions> app) : SandboxLoadTests(app), IClassFixture<PostgresApp<CodeTimeLimitOptions>>;

using System.Diagnostics;
using Patchbay.Tests.Infrastructure;
using Xunit;
using static Patchbay.Tests.Cluster.ClusterWorkflows;

namespace Patchbay.Tests.Cluster;

// Rolling deploys: a server sent SIGTERM stops claiming at once, lets the steps in flight reach their checkpoint and
// hands every lease back, so another server carries on within a poll, not when the 30 s leases would expire. And a
// SIGKILLed server's leases come back as soon as its heartbeats stop (membership), not at lease expiry either.
public sealed class PostgresShutdownTests(PostgresServer server)
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Sigterm_WithExecutionsMidFlight_AnotherNodeResumesThemWithinFiveSeconds()
    {
        await using var target = await FakeTarget.StartAsync();
        await using var cluster = await TestCluster.CreateAsync(server);
        var a = await cluster.StartNodeAsync();
        var c = await cluster.StartNodeAsync();
        var account = await CreateAccountAsync(a.Client);
        var version = await PublishAsync(a.Client, account,
            ("slow", new { type = "http", data = new { url = target.BaseUrl + "/slow?ms=2000&i={{payload.i}}" } }),
            ("fast", new { type = "http", data = new { url = target.BaseUrl + "/fast?i={{payload.i}}" } }));
        var ids = new List<string>();
        for (var i = 0; i < 8; i++) ids.Add((await ExecuteAsync(a.Client, account, version, $"s{i}")).Id!);
        var until = DateTime.UtcNow.AddSeconds(60);
        while (target.Slow.Count < 8 && DateTime.UtcNow < until) await Task.Delay(50, Ct);
        Assert.Equal(8, target.Slow.Count); // every execution is inside its slow call

        // A started them (it is woken by its own requests), so it holds most of them: SIGTERM to A mid-call.
        var owners = await cluster.LeaseOwnersAsync(ids);
        Assert.Contains(owners.Values, o => o?.StartsWith(a.Id + "/", StringComparison.Ordinal) == true);
        var signalled = Stopwatch.StartNew();
        a.Process.Terminate();
        var finished = await WaitFinishedAsync(c.Client, account, ids, TimeSpan.FromSeconds(60));
        var elapsed = signalled.Elapsed;
        Assert.Equal(ids.Count, finished.Count);
        foreach (var e in finished.Values)
        {
            Assert.Equal("COMPLETED", e.GetProperty("status").GetString());
            Assert.Equal(["start", "slow", "fast", "out"], NodeIds(e)); // each step once
        }
        Assert.All(target.Slow.Values, n => Assert.Equal(1, n)); // the drain let each slow call finish: none made twice
        Assert.All(target.Fast.Values, n => Assert.Equal(1, n));
        Assert.True(elapsed < TimeSpan.FromSeconds(5), $"the executions finished {elapsed.TotalSeconds:F1} s after SIGTERM");
        TestContext.Current.TestOutputHelper?.WriteLine($"all {ids.Count} completed {elapsed.TotalSeconds:F2} s after SIGTERM");
    }

    [Fact]
    public async Task Sigterm_WhileDelayedExecutionsComeDue_TheStoppingNodeClaimsNone()
    {
        await using var target = await FakeTarget.StartAsync();
        await using var cluster = await TestCluster.CreateAsync(server);
        var a = await cluster.StartNodeAsync();
        var account = await CreateAccountAsync(a.Client);
        // A long call keeps A draining (alive) while the delayed executions come due.
        var slow = await PublishAsync(a.Client, account, ("slow", new { type = "http", data = new { url = target.BaseUrl + "/slow?ms=6000&i={{payload.i}}" } }));
        var delayed = await PublishAsync(a.Client, account,
            ("wait", new { type = "delay", data = new { seconds = 3 } }),
            ("call", new { type = "http", data = new { url = target.BaseUrl + "/fast?i={{payload.i}}" } }));
        var c = await cluster.StartNodeAsync();
        var held = new List<string>();
        for (var i = 0; i < 3; i++) held.Add((await ExecuteAsync(a.Client, account, slow, $"held{i}")).Id!);
        var until = DateTime.UtcNow.AddSeconds(60);
        while (target.Slow.Count < 3 && DateTime.UtcNow < until) await Task.Delay(50, Ct);
        Assert.Contains((await cluster.LeaseOwnersAsync(held)).Values, o => o?.StartsWith(a.Id + "/", StringComparison.Ordinal) == true);
        var ids = new List<string>();
        for (var i = 0; i < 10; i++) ids.Add((await ExecuteAsync(a.Client, account, delayed, $"d{i}")).Id!);
        await Task.Delay(500, Ct); // each has run its start and parked in its delay

        a.Process.Terminate();
        var claimedByA = new HashSet<string>();
        while (!a.Process.HasExited)
        {
            foreach (var (id, owner) in await cluster.LeaseOwnersAsync(ids))
                if (owner is not null && owner.StartsWith(a.Id + "/", StringComparison.Ordinal)) claimedByA.Add(id);
            await Task.Delay(25, Ct);
        }
        Assert.Empty(claimedByA);
        var finished = await WaitFinishedAsync(c.Client, account, [.. ids, .. held], TimeSpan.FromSeconds(60));
        Assert.Equal(ids.Count + held.Count, finished.Count);
        Assert.All(finished.Values, e => Assert.Equal("COMPLETED", e.GetProperty("status").GetString()));
        Assert.All(target.Fast.Values, n => Assert.Equal(1, n)); // no call made twice
        Assert.Equal(10, target.Fast.Count);
    }

    [Fact]
    public async Task Sigkill_DeadNodesLeasesComeBackWhenItsHeartbeatsStop_NotAtLeaseExpiry()
    {
        await using var target = await FakeTarget.StartAsync();
        await using var cluster = await TestCluster.CreateAsync(server);
        var a = await cluster.StartNodeAsync();
        var c = await cluster.StartNodeAsync();
        await cluster.WaitForMembersAsync(2);
        var account = await CreateAccountAsync(a.Client);
        var version = await PublishAsync(a.Client, account, ("slow", new { type = "http", data = new { url = target.BaseUrl + "/slow?ms=3000&i={{payload.i}}" } }));
        var ids = new List<string>();
        for (var i = 0; i < 4; i++) ids.Add((await ExecuteAsync(a.Client, account, version, $"k{i}")).Id!);
        var until = DateTime.UtcNow.AddSeconds(60);
        while (target.Slow.Count < 4 && DateTime.UtcNow < until) await Task.Delay(50, Ct);
        Assert.Contains((await cluster.LeaseOwnersAsync(ids)).Values, o => o?.StartsWith(a.Id + "/", StringComparison.Ordinal) == true);
        var listed = await c.AdminGetAsync("/admin/v1/nodes");
        Assert.Equal(2, listed.GetProperty("nodes").GetArrayLength());
        Assert.Contains(listed.GetProperty("nodes").EnumerateArray(), n => n.GetProperty("id").GetString() == a.Id && n.GetProperty("status").GetString() == "live");

        var killed = Stopwatch.StartNew();
        a.Process.KillHard();
        var finished = await WaitFinishedAsync(c.Client, account, ids, TimeSpan.FromSeconds(60));
        Assert.Equal(ids.Count, finished.Count);
        Assert.All(finished.Values, e => Assert.Equal("COMPLETED", e.GetProperty("status").GetString()));
        // Dead after 5 s without a heartbeat, then the 3 s call again: well before the 30 s lease would have expired.
        Assert.True(killed.Elapsed < TimeSpan.FromSeconds(15), $"resumed {killed.Elapsed.TotalSeconds:F1} s after SIGKILL");
        TestContext.Current.TestOutputHelper?.WriteLine($"all {ids.Count} completed {killed.Elapsed.TotalSeconds:F2} s after SIGKILL");
        var after = await c.AdminGetAsync("/admin/v1/nodes");
        Assert.DoesNotContain(after.GetProperty("nodes").EnumerateArray(), n => n.GetProperty("id").GetString() == a.Id);
    }
}

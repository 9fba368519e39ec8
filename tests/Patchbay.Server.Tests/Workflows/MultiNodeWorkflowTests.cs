using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Patchbay.Executions;
using Patchbay.Tests.Infrastructure;
using Patchbay.Workflows;
using Xunit;

namespace Patchbay.Tests.Workflows;

// Two servers on one PostgreSQL, both running their execution workers flat out over the same queue: every execution
// is taken up exactly once in all (the claims use FOR UPDATE SKIP LOCKED), both servers do part of the work, and each
// execution records each of its nodes once.
public sealed class MultiNodeWorkflowTests(PostgresApp app) : IClassFixture<PostgresApp>
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task TwoNodes_ClaimEveryExecutionOnce_AndShareTheWork()
    {
        var (_, key, _) = await app.CreateOrgAsync("Two nodes");
        var account = await app.CreateLinkedAccountAsync(apiKey: key);
        var client = app.ClientFor(key, account);
        var draft = (await ApiAssert.OkAsync(await client.PostAsJsonAsync("/api/v2/public/workflow", new { name = "Two nodes" }, Ct))).GetProperty("workflow").Str("_id");
        var graph = JsonSerializer.Serialize(new
        {
            nodes = new object[]
            {
                new { id = "start", type = "start" },
                new { id = "work", type = "code", data = new { code = "let s = 0; for (let k = 0; k < 2000; k++) s += k; return s + payload.i;" } },
                new { id = "out", type = "response", data = new { body = "{{nodes.work.output}}" } },
            },
            edges = new[] { new { source = "start", target = "work" }, new { source = "work", target = "out" } },
        });
        await ApiAssert.OkAsync(await client.PutAsync($"/api/v2/public/workflow/{draft}", new StringContent(graph, Encoding.UTF8, "application/json"), Ct));
        var version = (await ApiAssert.OkAsync(await client.PutAsJsonAsync($"/api/v2/public/workflow/{draft}/publish", new { published = true }, Ct))).Str("_id");

        const int count = 300;
        await Task.WhenAll(Enumerable.Range(0, count).Select(async i =>
            await ApiAssert.OkAsync(await client.PostAsJsonAsync($"/api/v1/workflow/{version}/execute", new { i }, Ct))));

        await using var second = app.CreateNode(new Dictionary<string, string?> { ["Patchbay:Workflows:Concurrency"] = "16" });
        await second.InitializeAsync();
        var workers = new[] { app.Services.GetRequiredService<ExecutionWorker>(), second.Services.GetRequiredService<ExecutionWorker>() };
        var before = workers.Select(w => w.Started).ToArray();
        await Task.WhenAll(workers.Select(async worker =>
        {
            // Each server keeps claiming until a claim comes back empty twice.
            var idle = 0;
            while (idle < 2)
            {
                var startedBefore = worker.Started;
                await worker.RunOnceAsync(Ct);
                idle = worker.Started == startedBefore ? idle + 1 : 0;
            }
        }));
        var taken = workers.Select((w, i) => w.Started - before[i]).ToArray();
        Assert.Equal(count, taken.Sum());                   // nothing claimed twice, nothing left behind
        Assert.All(taken, t => Assert.True(t > 0, $"one server did nothing: {string.Join("/", taken)}"));

        var rows = await app.Db.QueryAsync<(string Status, int Runs, int Distinct)>("""
            select e.status, (select count(*) from execution_nodes n where n.execution_id = e.id),
                   (select count(distinct n.node_id) from execution_nodes n where n.execution_id = e.id)
            from executions e where e.workflow_id = @version
            """, new { version }, Ct);
        Assert.Equal(count, rows.Count);
        Assert.All(rows, r => Assert.Equal(("COMPLETED", 3, 3), r));
    }
}

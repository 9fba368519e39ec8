using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Patchbay.Tests.Contract;
using Patchbay.Tests.Infrastructure;
using Patchbay.Workflows;
using Xunit;

namespace Patchbay.Tests.Workflows;

public sealed class WorkflowSqliteApp : SqliteApp
{
    public WorkflowSqliteApp() => WithFakeProvider = true;
}

public sealed class WorkflowPostgresApp : PostgresApp
{
    public WorkflowPostgresApp(PostgresServer server) : base(server) => WithFakeProvider = true;
}

// Workflows end to end through the public API: define, validate, publish, execute (sync and async), read executions
// node by node; events, schedules, stop, rerun, retries, delays, webhooks, child workflows, loops, hostile code.
public abstract class WorkflowTests(PatchbayApp app)
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    // A fresh org (its own key) with one linked account.
    async Task<(string Key, string Account)> OrgAsync()
    {
        var (_, key, _) = await app.CreateOrgAsync("Workflow Org");
        return (key, await app.CreateLinkedAccountAsync(apiKey: key));
    }

    static StringContent Body(object value) => new(JsonSerializer.Serialize(value), Encoding.UTF8, "application/json");

    static JsonObject Graph(object[] nodes, object[] edges, object? settings = null) =>
        JsonSerializer.SerializeToNode(new { nodes, edges, settings = settings ?? new { } })!.AsObject();

    static object Node(string id, string type, object? data = null, int attempts = 1) => new { id, type, name = id, data = data ?? new { }, maximum_attempts = attempts };

    static object Edge(string source, string target, string? handle = null) => new { id = $"{source}-{target}-{handle}", source, target, sourceHandle = handle };

    // Creates a private workflow for the account with the graph, publishes it; returns (draft id, version id).
    static async Task<(string Draft, string Version)> PublishAsync(HttpClient client, JsonObject graph, string name = "Flow", string? alias = null)
    {
        var created = await ApiAssert.OkAsync(await client.PostAsync("/api/v2/public/workflow", Body(new { name }), Ct));
        RefoldOpenApi.AssertResponse("POST", "/api/v2/public/workflow", 200, created);
        var draft = created.GetProperty("workflow").Str("_id");
        graph["name"] = name;
        if (alias is not null) graph["workflow_alias"] = alias;
        await ApiAssert.OkAsync(await client.PutAsync($"/api/v2/public/workflow/{draft}", new StringContent(graph.ToJsonString(), Encoding.UTF8, "application/json"), Ct));
        var published = await ApiAssert.OkAsync(await client.PutAsync($"/api/v2/public/workflow/{draft}/publish", Body(new { published = true }), Ct));
        RefoldOpenApi.AssertResponse("PUT", "/api/v2/public/workflow/{workflowId}/publish", 200, published);
        return (draft, published.Str("_id"));
    }

    static HttpRequestMessage Execute(string version, object payload, bool sync, string slug = "custom")
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v2/public/workflow/{version}/execute") { Content = Body(payload) };
        request.Headers.Add("slug", slug);
        if (sync) request.Headers.Add("sync_execution", "true");
        return request;
    }

    async Task DrainAsync()
    {
        var worker = app.Services.GetRequiredService<ExecutionWorker>();
        while (await worker.RunOnceAsync(Ct)) { }
    }

    static async Task<JsonElement> ExecutionAsync(HttpClient client, string id)
    {
        var json = await ApiAssert.OkAsync(await client.GetAsync($"/api/v2/public/execution/{id}", Ct));
        RefoldOpenApi.AssertResponse("GET", "/api/v2/public/execution/{execution_id}", 200, json);
        return json;
    }

    static readonly JsonObject CodeFlow = Graph(
        [
            Node("start", "start"),
            Node("double", "code", new { code = "return { total: payload.amount * 2, who: payload.email };" }),
            Node("big", "condition", new { left = "{{nodes.double.output.total}}", @operator = "greater_than", right = 100 }),
            Node("yes", "response", new { status = 201, body = new { size = "big", total = "{{nodes.double.output.total}}" } }),
            Node("no", "response", new { body = new { size = "small", text = "total is {{nodes.double.output.total}} for {{payload.email}}" } }),
        ],
        [Edge("start", "double"), Edge("double", "big"), Edge("big", "yes", "true"), Edge("big", "no", "false")]);

    [Fact]
    public async Task SyncExecute_RunsCodeConditionAndResponse_ReturnsInline()
    {
        var (key, account) = await OrgAsync();
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
        var (key, account) = await OrgAsync();
        var client = app.ClientFor(key, account);
        var (draft, version) = await PublishAsync(client, (JsonObject)CodeFlow.DeepClone(), alias: "double-it-" + Guid.NewGuid().ToString("N")[..6]);
        var started = await ApiAssert.OkAsync(await client.SendAsync(Execute(version, new { amount = 1 }, sync: false), Ct));
        Assert.Equal("Workflow execution started", started.Str("message"));
        var id = started.Str("execution_id");
        Assert.Equal("RUNNING", (await ExecutionAsync(client, id)).Str("status"));
        await DrainAsync();
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
        await DrainAsync();
        Assert.Equal(0, (await ApiAssert.OkAsync(await client.GetAsync($"/api/v2/public/execution?workflow_id={draft}&status=RUNNING", Ct))).GetProperty("totalDocs").GetInt32());
        Assert.Equal(2, (await ApiAssert.OkAsync(await client.GetAsync($"/api/v2/public/execution?workflow_id={draft}&status=COMPLETED&execution_source=API_CALL", Ct))).GetProperty("totalDocs").GetInt32());
    }

    [Fact]
    public async Task Validation_NamesTheNodeAtFault()
    {
        var (key, account) = await OrgAsync();
        var client = app.ClientFor(key, account);
        var draft = (await ApiAssert.OkAsync(await client.PostAsync("/api/v2/public/workflow", Body(new { name = "Bad" }), Ct))).GetProperty("workflow").Str("_id");
        async Task Refused(JsonObject graph, string message)
        {
            var error = await ApiAssert.ErrorAsync(await client.PutAsync($"/api/v2/public/workflow/{draft}", new StringContent(graph.ToJsonString(), Encoding.UTF8, "application/json"), Ct),
                400, "BAD_REQUEST", "VALIDATION_ERROR");
            Assert.Contains(message, error.Str("message"));
        }
        await Refused(Graph([Node("start", "start"), Node("x", "teleport")], []), "Node 'x' has unknown type 'teleport'");
        await Refused(Graph([Node("start", "start")], [Edge("start", "ghost")]), "points to unknown node 'ghost'");
        await Refused(Graph([Node("start", "start"), Node("a", "code", new { code = "return 1;" }), Node("b", "code", new { code = "return 2;" })],
            [Edge("start", "a"), Edge("a", "b"), Edge("b", "a")]), "is part of a cycle");
        await Refused(Graph([Node("start", "start"), Node("h", "http")], [Edge("start", "h")]), "Node 'h' (http) needs 'url'");
        await Refused(Graph([Node("start", "start"), Node("c", "code", new { code = "return {;" })], [Edge("start", "c")]), "Node 'c' (code): JavaScript syntax error");
        await Refused(Graph([Node("start", "start"), Node("if", "condition", new { expression = "true" }), Node("r", "response")], [Edge("start", "if"), Edge("if", "r")]),
            "needs a sourceHandle (true or false)");
        await Refused(Graph([Node("a", "code", new { code = "return 1;" })], []), "exactly one start node");
        // Nothing stored changed.
        var stored = await ApiAssert.OkAsync(await client.GetAsync($"/api/v2/public/workflow/{draft}", Ct));
        Assert.Equal(1, stored.GetProperty("nodes").GetArrayLength());
        // Unpublished: cannot execute.
        await ApiAssert.ErrorAsync(await client.SendAsync(Execute(draft, new { }, sync: true), Ct), 404, "NOT_FOUND", "SERVER_ERROR");
        // v2 needs the slug header.
        using var noSlug = new HttpRequestMessage(HttpMethod.Post, $"/api/v2/public/workflow/{draft}/execute") { Content = Body(new { }) };
        await ApiAssert.ErrorAsync(await client.SendAsync(noSlug, Ct), 400, "BAD_REQUEST", "VALIDATION_ERROR", "Workflow ID and slug are required");
    }

    [Fact]
    public async Task HostileCode_FailsOnlyItsNode_WithAClearError()
    {
        var (key, account) = await OrgAsync();
        var client = app.ClientFor(key, account);
        foreach (var (code, message) in new[]
        {
            ("while (true) {}", "ran"),                                                    // statements or time
            ("const a = []; while (true) { a.push('x'.repeat(1000000)); }", "MB"),        // memory
            ("function f(n) { return f(n + 1) + 1; } return f(0);", "recursed deeper"),   // recursion
            ("return globalThis.System === undefined && typeof require === 'undefined' ? eval('1') : 'host';", "String compilation has been disabled"), // no eval, no host
        })
        {
            var (_, version) = await PublishAsync(client, Graph([Node("start", "start"), Node("evil", "code", new { code })], [Edge("start", "evil")]));
            var result = await ApiAssert.JsonAsync(await client.SendAsync(Execute(version, new { }, sync: true), Ct), 500);
            Assert.True(result.GetProperty("errored").GetBoolean());
            var detail = await ExecutionAsync(client, result.Str("execution_id"));
            Assert.Equal("ERRORED", detail.Str("status"));
            var node = detail.GetProperty("nodes").EnumerateArray().Single(n => n.Str("node_id") == "evil");
            Assert.Equal("Errored", node.Str("node_status"));
            Assert.Contains(message, node.Str("error"));
        }
        // The server is fine.
        var (_, ok) = await PublishAsync(client, (JsonObject)CodeFlow.DeepClone());
        await ApiAssert.OkAsync(await client.SendAsync(Execute(ok, new { amount = 1 }, sync: true), Ct));
    }
}

public sealed class SqliteWorkflowTests(WorkflowSqliteApp app) : WorkflowTests(app), IClassFixture<WorkflowSqliteApp>;
public sealed class PostgresWorkflowTests(WorkflowPostgresApp app) : WorkflowTests(app), IClassFixture<WorkflowPostgresApp>;

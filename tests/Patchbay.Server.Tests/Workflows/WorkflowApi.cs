using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Patchbay.Executions;
using Patchbay.Tests.Contract;
using Patchbay.Tests.Infrastructure;
using Xunit;

namespace Patchbay.Tests.Workflows;

// What the workflow, execution, event and schedule tests share: graphs, publishing, executing and reading executions
// through the public API, and running the execution worker. `using static Patchbay.Tests.Workflows.WorkflowApi;`.
public static class WorkflowApi
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    // A fresh org (its own key) with one linked account.
    public static async Task<(string Key, string Account)> OrgAsync(PatchbayApp app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var (_, key, _) = await app.CreateOrgAsync("Workflow Org");
        return (key, await app.CreateLinkedAccountAsync(apiKey: key));
    }

    public static StringContent Body(object value) => new(JsonSerializer.Serialize(value), Encoding.UTF8, "application/json");

    public static JsonObject Graph(object[] nodes, object[] edges, object? settings = null) =>
        JsonSerializer.SerializeToNode(new { nodes, edges, settings = settings ?? new { } })!.AsObject();

    public static object Node(string id, string type, object? data = null, int attempts = 1) => new { id, type, name = id, data = data ?? new { }, maximum_attempts = attempts };

    public static object Edge(string source, string target, string? handle = null) => new { id = $"{source}-{target}-{handle}", source, target, sourceHandle = handle };

    // Code, a condition on its output, and a response per branch: 'big' (201) when payload.amount * 2 > 100, else 'small'.
    // Publish a DeepClone of it.
    public static readonly JsonObject CodeFlow = Graph(
        [
            Node("start", "start"),
            Node("double", "code", new { code = "return { total: payload.amount * 2, who: payload.email };" }),
            Node("big", "condition", new { left = "{{nodes.double.output.total}}", @operator = "greater_than", right = 100 }),
            Node("yes", "response", new { status = 201, body = new { size = "big", total = "{{nodes.double.output.total}}" } }),
            Node("no", "response", new { body = new { size = "small", text = "total is {{nodes.double.output.total}} for {{payload.email}}" } }),
        ],
        [Edge("start", "double"), Edge("double", "big"), Edge("big", "yes", "true"), Edge("big", "no", "false")]);

    // Creates a private workflow for the account with the graph, publishes it; returns (draft id, version id).
    public static async Task<(string Draft, string Version)> PublishAsync(HttpClient client, JsonObject graph, string name = "Flow", string? alias = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(graph);
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

    public static HttpRequestMessage Execute(string version, object payload, bool sync, string slug = "custom")
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v2/public/workflow/{version}/execute") { Content = Body(payload) };
        request.Headers.Add("slug", slug);
        if (sync) request.Headers.Add("sync_execution", "true");
        return request;
    }

    // Starts an async execution; returns its id.
    public static async Task<string> StartAsync(HttpClient client, string version, object payload)
    {
        ArgumentNullException.ThrowIfNull(client);
        var started = await ApiAssert.OkAsync(await client.SendAsync(Execute(version, payload, sync: false), Ct));
        return started.Str("execution_id");
    }

    public static async Task<JsonElement> ExecutionAsync(HttpClient client, string id)
    {
        ArgumentNullException.ThrowIfNull(client);
        var json = await ApiAssert.OkAsync(await client.GetAsync($"/api/v2/public/execution/{id}", Ct));
        RefoldOpenApi.AssertResponse("GET", "/api/v2/public/execution/{execution_id}", 200, json);
        return json;
    }

    // Runs the execution worker until it finds nothing to do.
    public static async Task DrainAsync(PatchbayApp app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var worker = app.Services.GetRequiredService<ExecutionWorker>();
        while (await worker.RunOnceAsync(Ct)) { }
    }

    // Runs the execution worker a fixed number of rounds (what is due now; parked executions stay parked).
    public static async Task RunWorkersAsync(PatchbayApp app, int rounds = 6)
    {
        ArgumentNullException.ThrowIfNull(app);
        var worker = app.Services.GetRequiredService<ExecutionWorker>();
        for (var i = 0; i < rounds; i++) await worker.RunOnceAsync(Ct);
    }
}

using System.Text;
using System.Text.Json.Nodes;
using Patchbay.Tests.Contract;
using Patchbay.Tests.Infrastructure;
using Xunit;
using static Patchbay.Tests.Workflows.WorkflowApi;

namespace Patchbay.Tests.Workflows;

// Workflow definitions through the public API: graphs validated node by node, published into versions, unpublished,
// deleted; private to their account or public to the org.
public abstract class WorkflowDefinitionTests(PatchbayApp app)
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task SaveGraph_Invalid_Returns400NamingTheNodeAtFault_AndStoresNothing()
    {
        var (key, account) = await OrgAsync(app);
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
    public async Task Publish_Twice_ListsTwoVersions_ThenUnpublishAndDeleteTakeItAway()
    {
        var (key, account) = await OrgAsync(app);
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

    [Fact]
    public async Task OtherOrgOrAccount_CannotSeeOrChangeTheWorkflowsAndExecutions()
    {
        var (key, account) = await OrgAsync(app);
        var client = app.ClientFor(key, account);
        var (draft, version) = await PublishAsync(client, (JsonObject)CodeFlow.DeepClone());
        var id = (await ApiAssert.OkAsync(await client.SendAsync(Execute(version, new { amount = 1 }, sync: true), Ct))).Str("execution_id");

        var (otherKey, otherAccount) = await OrgAsync(app);
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
}

public sealed class SqliteWorkflowDefinitionTests(SqliteApp app) : WorkflowDefinitionTests(app), IClassFixture<SqliteApp>;
public sealed class PostgresWorkflowDefinitionTests(PostgresApp app) : WorkflowDefinitionTests(app), IClassFixture<PostgresApp>;

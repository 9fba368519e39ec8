using System.Text.Json.Nodes;
using Patchbay.Tests.Infrastructure;
using Xunit;
using static Patchbay.Tests.Workflows.WorkflowApi;

namespace Patchbay.Tests.Actions;

// Workflow `action` nodes: an app's action for the execution's linked account, parameters templated from the run.
public abstract class ActionNodeTests(PatchbayApp app)
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;
    static RecordingProvider Provider => RecordingProvider.Shared;
    string Prefix => app.RecordingPrefix();

    [Fact]
    public async Task ActionNode_RunsWithTemplatedParameters_ForTheExecutionsAccount()
    {
        var (key, account) = await OrgAsync(app);
        await app.ConnectAsync(account, "hubspot", "keybased", new Dictionary<string, string> { ["access_token"] = "pat-node-1" });
        var client = app.ClientFor(key, account);
        var (_, version) = await PublishAsync(client, Graph(
            [
                Node("start", "start"),
                Node("create", "action", new { app = "hubspot", action_id = "create_contact", parameters = new { email = "{{payload.email}}", firstname = "{{payload.name}}" } }),
                Node("done", "response", new { body = new { status = "{{nodes.create.output.http_status}}", id = "{{nodes.create.output.data.id}}" } }),
            ],
            [Edge("start", "create"), Edge("create", "done")]));
        var json = await ApiAssert.OkAsync(await client.SendAsync(Execute(version, new { email = "jane@example.com", name = "Jane" }, sync: true), Ct));
        Assert.Equal("""{"status":200,"id":"fake_1"}""", json.GetProperty("return_value").GetRawText());

        var sent = Assert.Single(Provider.Take(Prefix));
        Assert.Equal("POST", sent.Method);
        Assert.Equal($"/{Prefix}/hubspot/crm/v3/objects/contacts", sent.Path);
        Assert.Equal("Bearer pat-node-1", sent.Headers["Authorization"]);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"properties":{"email":"jane@example.com","firstname":"Jane"}}"""), JsonNode.Parse(sent.Body)), sent.Body);
    }

    [Fact]
    public async Task ActionNode_ProviderErrorOrMissingParameter_FailsTheNodeWithTheReason()
    {
        var (key, account) = await OrgAsync(app);
        await app.ConnectAsync(account, "stripe", "keybased", new Dictionary<string, string> { ["api_key"] = "sk_test_node" });
        var client = app.ClientFor(key, account);

        var (_, missing) = await PublishAsync(client, Graph(
            [Node("start", "start"), Node("get", "action", new { app = "stripe", action_id = "get_customer", parameters = new { } })], [Edge("start", "get")]));
        var failed = await ApiAssert.JsonAsync(await client.SendAsync(Execute(missing, new { }, sync: true), Ct), 500);
        Assert.Contains("Required parameter 'customer_id' is missing", (await ExecutionAsync(client, failed.Str("execution_id"))).Str("error"));

        Provider.Answer(Prefix, new(404, """{"error":{"code":"resource_missing"}}"""));
        try
        {
            var (_, refused) = await PublishAsync(client, Graph(
                [Node("start", "start"), Node("get", "action", new { app = "stripe", action_id = "get_customer", parameters = new { customer_id = "cus_x" } })],
                [Edge("start", "get")]));
            var run = await ApiAssert.JsonAsync(await client.SendAsync(Execute(refused, new { }, sync: true), Ct), 500);
            Assert.Contains("Stripe answered HTTP 404", (await ExecutionAsync(client, run.Str("execution_id"))).Str("error"));

            // With fail_on_status false the result is the node's output, for the workflow to branch on.
            var (_, tolerant) = await PublishAsync(client, Graph(
                [
                    Node("start", "start"),
                    Node("get", "action", new { app = "stripe", action_id = "get_customer", parameters = new { customer_id = "cus_x" }, fail_on_status = false }),
                    Node("done", "response", new { body = "{{nodes.get.output}}" }),
                ],
                [Edge("start", "get"), Edge("get", "done")]));
            var ok = await ApiAssert.OkAsync(await client.SendAsync(Execute(tolerant, new { }, sync: true), Ct));
            Assert.Equal("""{"node_status":"Failed","data":{"error":{"code":"resource_missing"}},"http_status":404}""", ok.GetProperty("return_value").GetRawText());
        }
        finally
        {
            Provider.Answer(Prefix, null);
            Provider.Take(Prefix);
        }
    }

    [Fact]
    public async Task ActionNode_WithoutAppOrActionId_IsRefusedWhenSaved()
    {
        var (key, account) = await OrgAsync(app);
        var client = app.ClientFor(key, account);
        var created = await ApiAssert.OkAsync(await client.PostAsync("/api/v2/public/workflow", Body(new { name = "Bad action" }), Ct));
        var graph = Graph([Node("start", "start"), Node("a", "action", new { app = "stripe" })], [Edge("start", "a")]);
        var response = await client.PutAsync($"/api/v2/public/workflow/{created.GetProperty("workflow").Str("_id")}", Body(graph), Ct);
        await ApiAssert.ErrorAsync(response, 400, "BAD_REQUEST", "VALIDATION_ERROR",
            "Node 'a' (action) needs 'action_id': one of the app's actions (docs/actions.md)");
    }
}

public sealed class SqliteActionNodeTests(SqliteApp<RecordingProviderOptions> app) : ActionNodeTests(app), IClassFixture<SqliteApp<RecordingProviderOptions>>;
public sealed class PostgresActionNodeTests(PostgresApp<RecordingProviderOptions> app) : ActionNodeTests(app), IClassFixture<PostgresApp<RecordingProviderOptions>>;

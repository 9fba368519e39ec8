using Patchbay.Tests.Contract;
using Patchbay.Tests.Infrastructure;
using Xunit;
using static Patchbay.Tests.Workflows.WorkflowApi;

namespace Patchbay.Tests.Executions;

// Executions that park and resume through the worker: delays, stop and rerun, webhooks, loops and child workflows,
// retries of a connected app's transient failures (against the fake provider).
public abstract class DurableExecutionTests(PatchbayApp app)
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Delay_ParksTheExecution_ResumesWhenDue_OrStopsWhenAsked()
    {
        var (key, account) = await OrgAsync(app);
        var client = app.ClientFor(key, account);
        var (_, version) = await PublishAsync(client, Graph(
            [Node("start", "start"), Node("wait", "delay", new { seconds = 60 }), Node("done", "response", new { body = "late" })],
            [Edge("start", "wait"), Edge("wait", "done")]));
        var id = await StartAsync(client, version, new { });
        var other = await StartAsync(client, version, new { });
        await RunWorkersAsync(app);
        var parked = await ExecutionAsync(client, id);
        Assert.Equal("RUNNING", parked.Str("status"));
        var waiting = parked.GetProperty("nodes").EnumerateArray().Last();
        Assert.Equal("Waiting", waiting.Str("node_status"));
        Assert.Equal("wait", waiting.Str("node_id"));

        // Stop one while it waits.
        var stop = await ApiAssert.OkAsync(await client.PostAsync($"/api/v2/public/execution/{other}/stop", null, Ct));
        RefoldOpenApi.AssertResponse("POST", "/api/v2/public/execution/{instanceId}/stop", 200, stop);
        Assert.Equal("STOPPING", (await ExecutionAsync(client, other)).Str("status"));
        await RunWorkersAsync(app, 1);
        Assert.Equal("STOPPED", (await ExecutionAsync(client, other)).Str("status"));
        await ApiAssert.ErrorAsync(await client.PostAsync($"/api/v2/public/execution/{other}/stop", null, Ct), 400, "BAD_REQUEST", "VALIDATION_ERROR");

        app.Time.Advance(TimeSpan.FromSeconds(30));
        await RunWorkersAsync(app, 1);
        Assert.Equal("RUNNING", (await ExecutionAsync(client, id)).Str("status"));
        app.Time.Advance(TimeSpan.FromSeconds(31));
        await RunWorkersAsync(app, 1);
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
    public async Task WaitWebhook_CalledOnce_ResumesTheExecution_ThroughLoopAndChildWorkflow()
    {
        var (key, account) = await OrgAsync(app);
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
        await RunWorkersAsync(app);
        var waiting = await ExecutionAsync(client, id);
        var hook = waiting.GetProperty("nodes").EnumerateArray().Last();
        Assert.Equal("Waiting", hook.Str("node_status"));
        var url = new Uri(hook.GetProperty("latest_output").Str("webhook_url"));

        var anonymous = app.CreateClient();
        await ApiAssert.OkAsync(await anonymous.PostAsync(url.PathAndQuery, Body(new { answer = 14 }), Ct));
        await ApiAssert.ErrorAsync(await anonymous.PostAsync(url.PathAndQuery, Body(new { answer = 15 }), Ct), 404, "NOT_FOUND", "RESOURCE_NOT_FOUND");
        await RunWorkersAsync(app);

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
        var (key, account) = await OrgAsync(app);
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
            await RunWorkersAsync(app, 1);
            app.Time.Advance(TimeSpan.FromSeconds(1.5));
            await RunWorkersAsync(app, 1);
            var retrying = await ExecutionAsync(client, id);
            Assert.Equal("RUNNING", retrying.Str("status"));
            Assert.True(2 == retrying.GetProperty("nodes").EnumerateArray().Last().GetProperty("attempts_made").GetInt32(), retrying.ToString());
            app.Fake.StripeDown = false;
            app.Time.Advance(TimeSpan.FromSeconds(2.5));
            await RunWorkersAsync(app, 1);
            var done = await ExecutionAsync(client, id);
            Assert.Equal("COMPLETED", done.Str("status"));
            Assert.Equal(3, done.GetProperty("nodes").EnumerateArray().Single(n => n.Str("node_id") == "account").GetProperty("attempts_made").GetInt32());
        }
        finally
        {
            app.Fake.StripeDown = false;
        }
    }
}

public sealed class SqliteDurableExecutionTests(SqliteApp<FakeProviderOptions> app) : DurableExecutionTests(app), IClassFixture<SqliteApp<FakeProviderOptions>>;
public sealed class PostgresDurableExecutionTests(PostgresApp<FakeProviderOptions> app) : DurableExecutionTests(app), IClassFixture<PostgresApp<FakeProviderOptions>>;

using System.Diagnostics;
using System.Text.Json;
using Patchbay.Tests.Infrastructure;
using StandardWebhooks;
using Xunit;
using static Patchbay.Tests.Webhooks.WebhookKit;
using static Patchbay.Tests.Workflows.WorkflowApi;

namespace Patchbay.Tests.Webhooks;

// Workflow Errored, Stopped and Timed Out, each caused the way it happens (a failing node, the stop route, the
// workflow's own timeout passing) and delivered over the wire: Refold's workflow payload with the run's status, signed
// both ways and verified with the published Standard Webhooks libraries (NuGet here, npm in Node). A class of its own:
// the verifiers check the timestamp against the real clock, so this server's clock moves by seconds only.
public abstract class WorkflowEventTests(PatchbayApp app) : ReceiverTests
{
    // Parks on a 60 s delay, then answers.
    static System.Text.Json.Nodes.JsonObject Waiting(object? settings = null) => Graph(
        [Node("start", "start"), Node("wait", "delay", new { seconds = 60 }), Node("done", "response", new { body = "late" })],
        [Edge("start", "wait"), Edge("wait", "done")], settings);

    [Fact]
    public async Task ErroredStoppedTimedOut_EachDelivered_WithItsStatus_Signed()
    {
        var org = await HookOrgAsync(app);
        var (path, completedOnly) = (Path(), Path());
        var hook = await SubscribeAsync(org, Receiver.Url(path), ["Workflow Errored", "workflow-stopped", "Workflow Timed Out"]);
        await SubscribeAsync(org, Receiver.Url(completedOnly), ["Workflow Completed"]);
        var secret = (await ApiAssert.OkAsync(await org.Client.GetAsync($"/api/patchbay/v1/webhooks/{hook}/secret", Ct))).Str("secret");
        var account = await app.CreateLinkedAccountAsync(apiKey: org.Key);
        var client = app.ClientFor(org.Key, account);

        var (failingDraft, failing) = await PublishAsync(client, Graph(
            [Node("start", "start"), Node("boom", "code", new { code = "throw new Error('boom');" })], [Edge("start", "boom")]), "Failing flow");
        var (waitingDraft, waiting) = await PublishAsync(client, Waiting(), "Waiting flow");
        var (slowDraft, slow) = await PublishAsync(client, Waiting(new { timeout = 30 }), "Slow flow");
        var errored = await StartAsync(client, failing, new { });
        var stopped = await StartAsync(client, waiting, new { });
        var timedOut = await StartAsync(client, slow, new { });
        await RunWorkersAsync(app);
        Assert.Equal("ERRORED", (await ExecutionAsync(client, errored)).Str("status"));
        Assert.Equal("RUNNING", (await ExecutionAsync(client, stopped)).Str("status"));
        Assert.Equal("RUNNING", (await ExecutionAsync(client, timedOut)).Str("status"));

        await ApiAssert.OkAsync(await client.PostAsync($"/api/v2/public/execution/{stopped}/stop", null, Ct));
        await RunWorkersAsync(app, 1);
        Assert.Equal("STOPPED", (await ExecutionAsync(client, stopped)).Str("status"));
        app.Time.Advance(TimeSpan.FromSeconds(31)); // past the slow flow's 30 s timeout, before its 60 s delay ends
        await RunWorkersAsync(app, 1);
        Assert.Equal("TIMED_OUT", (await ExecutionAsync(client, timedOut)).Str("status"));

        await DeliverAsync(app);
        var received = Receiver.At(path);
        Assert.Equal(3, received.Count);
        Assert.Empty(Receiver.At(completedOnly));
        var expected = new[]
        {
            ("Workflow Errored", errored, failingDraft, "Failing flow", "ERRORED"),
            ("Workflow Stopped", stopped, waitingDraft, "Waiting flow", "STOPPED"),
            ("Workflow Timed Out", timedOut, slowDraft, "Slow flow", "TIMED_OUT"),
        };
        foreach (var (name, execution, draft, workflowName, status) in expected)
        {
            var r = Assert.Single(received, r => JsonDocument.Parse(r.Body).RootElement.Str("event") == name);
            // Refold's workflow payload (no `createdAt`: only its connection events carry one), field for field.
            Assert.Equal(
                JsonSerializer.Serialize(new
                {
                    linked_account_id = account, instance_id = execution, workflow_id = draft, config_id = account, @event = name,
                    workflow_name = workflowName, status, environment = "test",
                }),
                r.Body);
            Assert.Equal("POST", r.Method);
            Assert.Equal(CobaltSignature(org.Key, r.Body), r.Header("x-cobalt-signature"));
            new StandardWebhook(secret).Verify(r.Body, r.Headers);
        }
        var logged = (await MessagesAsync(org, hook)).EnumerateArray().ToList();
        Assert.Equal(expected.Select(e => e.Item1).Order(), logged.Select(m => m.Str("event_type")).Order());
        Assert.All(logged, m => Assert.Equal("delivered", m.Str("status")));

        // The Node snippet of docs/webhooks.md, with npm `standardwebhooks`, on the same bytes and headers.
        var output = await VerifyInNodeAsync(secret, received);
        Assert.Equal(3, output.Split('\n').Count(l => l.StartsWith("ok Workflow ", StringComparison.Ordinal)));
        Assert.Equal(3, output.Split('\n').Count(l => l == "ok rejected"));
    }

    static async Task<string> VerifyInNodeAsync(string secret, IReadOnlyList<WebhookReceiver.Received> deliveries)
    {
        var folder = System.IO.Path.Combine(Apps.SdkCompatibilityTests.RepositoryRoot(), "tests", "sdk");
        Assert.True(Directory.Exists(System.IO.Path.Combine(folder, "node_modules", "standardwebhooks")),
            $"npm standardwebhooks is not installed: run `npm ci` in {folder} (./test.sh does).");
        var input = JsonSerializer.Serialize(new
        {
            secret,
            deliveries = deliveries.Select(d => new
            {
                body = d.Body,
                headers = new Dictionary<string, string>
                {
                    ["webhook-id"] = d.Header("webhook-id"), ["webhook-timestamp"] = d.Header("webhook-timestamp"),
                    ["webhook-signature"] = d.Header("webhook-signature"),
                },
            }),
        });
        var info = new ProcessStartInfo("node") { WorkingDirectory = folder, RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add("standardwebhooks-verify.mjs");
        using var node = Process.Start(info)!;
        var output = node.StandardOutput.ReadToEndAsync(Ct);
        var errors = node.StandardError.ReadToEndAsync(Ct);
        await node.StandardInput.WriteAsync(input);
        node.StandardInput.Close();
        await node.WaitForExitAsync(Ct);
        var text = await output + await errors;
        Assert.True(node.ExitCode == 0, text);
        return text;
    }
}

public sealed class SqliteWorkflowEventTests(SqliteApp<WebhookDeliveryOptions> app) : WorkflowEventTests(app), IClassFixture<SqliteApp<WebhookDeliveryOptions>>;

public sealed class PostgresWorkflowEventTests(PostgresApp<WebhookDeliveryOptions> app) : WorkflowEventTests(app), IClassFixture<PostgresApp<WebhookDeliveryOptions>>;

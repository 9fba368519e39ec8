using System.Text.Json.Nodes;
using Patchbay.Tests.Contract;
using Patchbay.Tests.Infrastructure;
using Xunit;
using static Patchbay.Tests.Workflows.WorkflowApi;

namespace Patchbay.Tests.Events;

// Events through the public API: defined per org, fired (idempotently) for an account, running the workflows that
// listen for them (the account's own, and the org's public ones the account enabled).
public abstract class EventsTests(PatchbayApp app)
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Trigger_RunsListeningWorkflows_PublicOnesOnlyWhereEnabled_RepeatsAsDuplicates()
    {
        var (key, account) = await OrgAsync(app);
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
            await RunWorkersAsync(app, 2);
            return (await ApiAssert.OkAsync(await client.GetAsync("/api/v2/public/execution?execution_source=Event&limit=100", Ct))).GetProperty("totalDocs").GetInt32();
        }
        Assert.Equal(1, await FireAsync()); // the private one; the public one is not enabled for this account
        await ApiAssert.ErrorAsync(await client.PatchAsync($"/api/v2/public/slug/custom/config/{account}/workflows/{publicDraft}", Body(new { enabled = true }), Ct),
            404, "NOT_FOUND", "SERVER_ERROR", $"Config with config id {account} not found"); // no config yet
        await ApiAssert.OkAsync(await client.PostAsync("/api/v2/public/config", Body(new { slug = "custom" }), Ct));
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
}

public sealed class SqliteEventsTests(SqliteApp app) : EventsTests(app), IClassFixture<SqliteApp>;
public sealed class PostgresEventsTests(PostgresApp app) : EventsTests(app), IClassFixture<PostgresApp>;

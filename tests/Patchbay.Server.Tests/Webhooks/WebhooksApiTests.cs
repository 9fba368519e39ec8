using System.Net.Http.Json;
using System.Text.Json;
using Patchbay.Tests.Contract;
using Patchbay.Tests.Infrastructure;
using Xunit;
using static Patchbay.Tests.Workflows.WorkflowApi;

namespace Patchbay.Tests.Webhooks;

// refold-api.md §3.7, WH1–WH9, every 2xx checked against refold-openapi.yaml; tenancy; Patchbay's secret routes.
public abstract class WebhooksApiTests(PatchbayApp app)
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;
    const string Base = "/api/v2/public/webhook";

    [Fact]
    public async Task Create_Get_List_Update_Delete_ExactShapes()
    {
        var (_, key, _) = await app.CreateOrgAsync("Webhooks " + Guid.NewGuid().ToString("N")[..6]);
        var org = app.ClientFor(key);

        var created = await ApiAssert.OkAsync(await org.PostAsync(Base, Body(new
        {
            webhook_url = "https://example.test/hooks", webhook_events = new[] { "Workflow Errored", "connection-expired" },
            webhook_description = "errors", group = "billing-webhooks", webhook_headers = new { x_team = "ops" },
        }), Ct));
        RefoldOpenApi.AssertResponse("POST", Base, 200, created);
        var id = created.Str("_id");
        Assert.Matches("^[0-9a-f]{24}$", id);
        Assert.Equal(["Workflow Errored", "Connection Expired"], created.GetProperty("webhook_events").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("{{event}}", created.Str("webhook_body"));
        Assert.Equal("default", created.Str("webhook_type"));
        Assert.Equal("POST", created.Str("method"));
        Assert.True(created.GetProperty("is_enabled").GetBoolean());
        Assert.Equal("billing-webhooks", created.Str("group"));
        Assert.Equal("test", created.Str("environment"));
        Assert.Empty(created.GetProperty("workflow_ids").EnumerateArray());
        Assert.Equal("ops", created.GetProperty("webhook_headers").Str("x_team"));
        Assert.Equal(0, created.GetProperty("__v").GetInt32());
        Assert.False(created.TryGetProperty("slug", out _));
        Assert.DoesNotContain("secret", created.GetRawText(), StringComparison.OrdinalIgnoreCase);

        var one = await ApiAssert.OkAsync(await org.GetAsync($"{Base}/{id}", Ct));
        RefoldOpenApi.AssertResponse("GET", Base + "/{id}", 200, one);
        Assert.Equal(created.GetRawText(), one.GetRawText());

        var slack = await ApiAssert.OkAsync(await org.PostAsync(Base, Body(new
        {
            webhook_url = "https://hooks.slack.test/x", webhook_events = new[] { "Workflow Completed" }, webhook_type = "slack", method = "put",
        }), Ct));
        Assert.Equal("slack", slack.Str("webhook_type"));
        Assert.Equal("PUT", slack.Str("method"));
        Assert.True(slack.GetProperty("webhook_body").TryGetProperty("text", out _));

        var list = await ApiAssert.OkAsync(await org.GetAsync(Base, Ct));
        RefoldOpenApi.AssertResponse("GET", Base, 200, list);
        Assert.Equal([id, slack.Str("_id")], list.EnumerateArray().Select(w => w.Str("_id")));

        // Patch: untouched fields stay; webhook_body is ignored unless the webhook is custom.
        var patched = await ApiAssert.OkAsync(await org.PutAsync($"{Base}/{id}", Body(new { webhook_body = new { a = "{{event.event}}" }, is_enabled = false }), Ct));
        RefoldOpenApi.AssertResponse("PUT", Base + "/{id}", 200, patched);
        Assert.Equal("{{event}}", patched.Str("webhook_body"));
        Assert.False(patched.GetProperty("is_enabled").GetBoolean());
        Assert.Equal("billing-webhooks", patched.Str("group"));
        Assert.Equal(1, patched.GetProperty("__v").GetInt32());
        var custom = await ApiAssert.OkAsync(await org.PutAsync($"{Base}/{id}", Body(new { webhook_type = "custom", webhook_body = new { a = "{{event.event}}" } }), Ct));
        Assert.Equal("custom", custom.Str("webhook_type"));
        Assert.Equal("{{event.event}}", custom.GetProperty("webhook_body").Str("a"));

        var remaining = await ApiAssert.OkAsync(await org.DeleteAsync($"{Base}/{id}", Ct));
        RefoldOpenApi.AssertResponse("DELETE", Base + "/{id}", 200, remaining);
        Assert.Equal([slack.Str("_id")], remaining.EnumerateArray().Select(w => w.Str("_id")));
        await ApiAssert.ErrorAsync(await org.GetAsync($"{Base}/{id}", Ct), 400, "BAD_REQUEST", "RESOURCE_NOT_FOUND", "Webhook not found");
        await ApiAssert.ErrorAsync(await org.DeleteAsync($"{Base}/{id}", Ct), 400, "BAD_REQUEST", "RESOURCE_NOT_FOUND", "Webhook not found");
        await ApiAssert.ErrorAsync(await org.PutAsync($"{Base}/{id}", Body(new { is_enabled = true }), Ct), 400, "BAD_REQUEST", "RESOURCE_NOT_FOUND", "Webhook not found");
    }

    [Fact]
    public async Task Create_Validation_InvalidEvent_Url_SlugOnlyWorkflowEvents()
    {
        var (_, key, _) = await app.CreateOrgAsync("Webhooks " + Guid.NewGuid().ToString("N")[..6]);
        var org = app.ClientFor(key);
        const string Invalid = "Invalid event. Check events list in documentation.";
        await ApiAssert.ErrorAsync(await org.PostAsync(Base, Body(new { webhook_url = "https://a.test", webhook_events = new[] { "Workflow Exploded" } }), Ct),
            400, "BAD_REQUEST", "INVALID_EVENT", Invalid);
        await ApiAssert.ErrorAsync(await org.PostAsync(Base, Body(new { webhook_url = "https://a.test", webhook_events = new[] { "Connection Created" }, slug = "hubspot" }), Ct),
            400, "BAD_REQUEST", "INVALID_EVENT", Invalid);
        await ApiAssert.ErrorAsync(await org.PostAsync(Base, Body(new { webhook_url = "ftp://a.test", webhook_events = new[] { "Workflow Errored" } }), Ct),
            400, "BAD_REQUEST", "VALIDATION_ERROR");
        await ApiAssert.ErrorAsync(await org.PostAsync(Base, Body(new { webhook_events = new[] { "Workflow Errored" } }), Ct), 400, "BAD_REQUEST", "VALIDATION_ERROR");
        await ApiAssert.ErrorAsync(await org.PostAsync(Base, Body(new { webhook_url = "https://a.test", webhook_events = Array.Empty<string>() }), Ct),
            400, "BAD_REQUEST", "VALIDATION_ERROR");
        await ApiAssert.ErrorAsync(await org.PostAsync(Base, Body(new { webhook_url = "https://a.test", webhook_events = new[] { "Workflow Errored" }, method = "GET" }), Ct),
            400, "BAD_REQUEST", "VALIDATION_ERROR");
        await ApiAssert.ErrorAsync(await org.PostAsync(Base, Body(new { webhook_url = "https://a.test", webhook_events = new[] { "Workflow Errored" }, webhook_headers = new { bad = "a\nb" } }), Ct),
            400, "BAD_REQUEST", "VALIDATION_ERROR");
        await ApiAssert.ErrorAsync(await org.PostAsync(Base, new StringContent("{not json", System.Text.Encoding.UTF8, "application/json"), Ct), 400, "BAD_REQUEST", "INVALID_JSON");

        var filtered = await ApiAssert.OkAsync(await org.PostAsync(Base, Body(new
        {
            webhook_url = "http://a.test/x", webhook_events = new[] { "workflow-completed" }, slug = "hubspot", workflow_ids = new[] { "wf1" },
        }), Ct));
        Assert.Equal("hubspot", filtered.Str("slug"));
        Assert.Equal(["wf1"], filtered.GetProperty("workflow_ids").EnumerateArray().Select(e => e.GetString()));
        await ApiAssert.ErrorAsync(await org.PutAsync($"{Base}/{filtered.Str("_id")}", Body(new { webhook_events = new[] { "Connection Deleted" } }), Ct),
            400, "BAD_REQUEST", "INVALID_EVENT", Invalid);
        Assert.Equal([filtered.Str("_id")], (await ApiAssert.OkAsync(await org.GetAsync(Base, Ct))).EnumerateArray().Select(w => w.Str("_id")));
    }

    [Fact]
    public async Task GroupEdit_Subscribe_Unsubscribe_DeleteWithoutId()
    {
        var (_, key, _) = await app.CreateOrgAsync("Webhooks " + Guid.NewGuid().ToString("N")[..6]);
        var org = app.ClientFor(key);
        var first = (await ApiAssert.OkAsync(await org.PostAsync(Base, Body(new { webhook_url = "https://a.test/1", webhook_events = new[] { "Workflow Completed" } }), Ct))).Str("_id");
        var second = (await ApiAssert.OkAsync(await org.PostAsync(Base, Body(new { webhook_url = "https://a.test/2", webhook_events = new[] { "Workflow Errored" }, group = "g" }), Ct))).Str("_id");

        var grouped = await ApiAssert.OkAsync(await org.PutAsync("/api/v2/public/webhooks/group/edit", Body(new { webhookIds = new[] { first, second, "000000000000000000000000" }, group = "billing" }), Ct));
        RefoldOpenApi.AssertResponse("PUT", "/api/v2/public/webhooks/group/edit", 200, grouped);
        Assert.Equal(2, grouped.GetArrayLength());
        Assert.All(grouped.EnumerateArray(), w => Assert.Equal("billing", w.Str("group")));
        var unset = await ApiAssert.OkAsync(await org.PutAsync("/api/v2/public/webhooks/group/edit", Body(new { webhookIds = new[] { second }, group = "" }), Ct));
        Assert.False(Assert.Single(unset.EnumerateArray()).TryGetProperty("group", out _));
        await ApiAssert.ErrorAsync(await org.PutAsync("/api/v2/public/webhooks/group/edit", Body(new { group = "x" }), Ct), 400, "BAD_REQUEST", "SERVER_ERROR", "webhookIds is required");
        await ApiAssert.ErrorAsync(await org.PutAsync("/api/v2/public/webhooks/group/edit", Body(new { webhookIds = Array.Empty<string>() }), Ct), 400, "BAD_REQUEST", "SERVER_ERROR", "webhookIds is required");

        var subscribed = await ApiAssert.OkAsync(await org.PostAsync(Base + "/subscribe", Body(new { webhook_events = new[] { "workflow-errored", "connection-created" } }), Ct));
        Assert.Equal("""{"webhook_url":"https://a.test/1","webhook_events":["Workflow Completed","Workflow Errored","Connection Created"]}""", subscribed.GetRawText());
        var unsubscribed = await ApiAssert.OkAsync(await org.PostAsync(Base + "/unsubscribe", Body(new { webhook_event = "workflow-completed" }), Ct));
        Assert.Equal("""{"webhook_url":"https://a.test/1","webhook_events":["Workflow Errored","Connection Created"]}""", unsubscribed.GetRawText());
        await ApiAssert.ErrorAsync(await org.PostAsync(Base + "/subscribe", Body(new { webhook_events = new[] { "nope" } }), Ct), 400, "BAD_REQUEST", "INVALID_EVENT");

        var remaining = await ApiAssert.OkAsync(await org.DeleteAsync(Base, Ct));
        Assert.Equal([second], remaining.EnumerateArray().Select(w => w.Str("_id")));
        await ApiAssert.OkAsync(await org.DeleteAsync(Base, Ct));
        await ApiAssert.ErrorAsync(await org.DeleteAsync(Base, Ct), 400, "BAD_REQUEST", "RESOURCE_NOT_FOUND", "Webhook not found");
        await ApiAssert.ErrorAsync(await org.PostAsync(Base + "/subscribe", Body(new { webhook_events = new[] { "workflow-errored" } }), Ct), 400, "BAD_REQUEST", "RESOURCE_NOT_FOUND");
    }

    [Fact]
    public async Task Tenancy_OtherOrg_ProductionKey_SessionToken_CannotReach()
    {
        var (_, key, productionKey) = await app.CreateOrgAsync("Webhooks " + Guid.NewGuid().ToString("N")[..6]);
        var org = app.ClientFor(key);
        var id = (await ApiAssert.OkAsync(await org.PostAsync(Base, Body(new { webhook_url = "https://a.test/1", webhook_events = new[] { "Workflow Completed" } }), Ct))).Str("_id");

        foreach (var other in new[] { app.ClientFor(app.TestApiKey), app.ClientFor(productionKey) })
        {
            Assert.DoesNotContain((await ApiAssert.OkAsync(await other.GetAsync(Base, Ct))).EnumerateArray(), w => w.Str("_id") == id);
            await ApiAssert.ErrorAsync(await other.GetAsync($"{Base}/{id}", Ct), 400, "BAD_REQUEST", "RESOURCE_NOT_FOUND", "Webhook not found");
            await ApiAssert.ErrorAsync(await other.PutAsync($"{Base}/{id}", Body(new { webhook_url = "https://evil.test" }), Ct), 400, "BAD_REQUEST", "RESOURCE_NOT_FOUND");
            await ApiAssert.ErrorAsync(await other.DeleteAsync($"{Base}/{id}", Ct), 400, "BAD_REQUEST", "RESOURCE_NOT_FOUND");
            await ApiAssert.ErrorAsync(await other.GetAsync($"/api/patchbay/v1/webhooks/{id}/secret", Ct), 400, "BAD_REQUEST", "RESOURCE_NOT_FOUND");
            var grouped = await ApiAssert.OkAsync(await other.PutAsync("/api/v2/public/webhooks/group/edit", Body(new { webhookIds = new[] { id }, group = "x" }), Ct));
            Assert.Empty(grouped.EnumerateArray());
        }
        Assert.Equal("https://a.test/1", (await ApiAssert.OkAsync(await org.GetAsync($"{Base}/{id}", Ct))).Str("webhook_url"));

        var account = await app.CreateLinkedAccountAsync(apiKey: key);
        var session = app.SessionClient(await app.CreateSessionTokenAsync(account, key));
        await ApiAssert.ErrorAsync(await session.GetAsync(Base, Ct), 403, "FORBIDDEN", "SESSION_TOKEN_NOT_ALLOWED");
        await ApiAssert.ErrorAsync(await session.PostAsync(Base, Body(new { webhook_url = "https://a.test", webhook_events = new[] { "Workflow Completed" } }), Ct), 403, "FORBIDDEN", "SESSION_TOKEN_NOT_ALLOWED");
        await ApiAssert.ErrorAsync(await session.DeleteAsync($"{Base}/{id}", Ct), 403, "FORBIDDEN", "SESSION_TOKEN_NOT_ALLOWED");
        await ApiAssert.ErrorAsync(await session.GetAsync($"/api/patchbay/v1/webhooks/{id}/secret", Ct), 403, "FORBIDDEN", "SESSION_TOKEN_NOT_ALLOWED");
        var anonymous = app.CreateClient();
        await ApiAssert.ErrorAsync(await anonymous.GetAsync(Base, Ct), 401, "UNAUTHORIZED", "SERVER_ERROR", "Invalid Credentials");
    }

    [Fact]
    public async Task Secret_IsReadable_AndRotates_WithOverlap()
    {
        var (_, key, _) = await app.CreateOrgAsync("Webhooks " + Guid.NewGuid().ToString("N")[..6]);
        var org = app.ClientFor(key);
        var id = (await ApiAssert.OkAsync(await org.PostAsync(Base, Body(new { webhook_url = "https://a.test/1", webhook_events = new[] { "Workflow Completed" } }), Ct))).Str("_id");
        var secret = await ApiAssert.OkAsync(await org.GetAsync($"/api/patchbay/v1/webhooks/{id}/secret", Ct));
        Assert.Matches("^whsec_[A-Za-z0-9+/]{32}$", secret.Str("secret"));
        Assert.False(secret.TryGetProperty("previous_secret", out _));

        var rotated = await ApiAssert.OkAsync(await org.PostAsync($"/api/patchbay/v1/webhooks/{id}/secret/rotate", Body(new { overlap_seconds = 3600 }), Ct));
        Assert.NotEqual(secret.Str("secret"), rotated.Str("secret"));
        Assert.Equal(secret.Str("secret"), rotated.Str("previous_secret"));
        Assert.Equal(app.Time.GetUtcNow().AddHours(1).ToUnixTimeSeconds(), rotated.GetProperty("previous_secret_expires_at").GetDateTimeOffset().ToUnixTimeSeconds());
        Assert.Equal(rotated.GetRawText(), (await ApiAssert.OkAsync(await org.GetAsync($"/api/patchbay/v1/webhooks/{id}/secret", Ct))).GetRawText());
        app.Time.Advance(TimeSpan.FromHours(1) + TimeSpan.FromSeconds(1));
        var after = await ApiAssert.OkAsync(await org.GetAsync($"/api/patchbay/v1/webhooks/{id}/secret", Ct));
        Assert.Equal(rotated.Str("secret"), after.Str("secret"));
        Assert.False(after.TryGetProperty("previous_secret", out _));
        await ApiAssert.ErrorAsync(await org.PostAsync($"/api/patchbay/v1/webhooks/{id}/secret/rotate", Body(new { overlap_seconds = -1 }), Ct), 400, "BAD_REQUEST", "VALIDATION_ERROR");
    }
}

public sealed class SqliteWebhooksApiTests(SqliteApp app) : WebhooksApiTests(app), IClassFixture<SqliteApp>;

public sealed class PostgresWebhooksApiTests(PostgresApp app) : WebhooksApiTests(app), IClassFixture<PostgresApp>;

using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Patchbay.Connections;
using Patchbay.Tests.Infrastructure;
using Patchbay.Webhooks;
using Patchbay.Workers;
using Xunit;
using static Patchbay.Tests.Webhooks.WebhookKit;
using static Patchbay.Tests.Workflows.WorkflowApi;

namespace Patchbay.Tests.Webhooks;

// The attempt log and replay, org settings (retry schedule, auto-disable, retention), templates and filters, events
// only for committed changes, and two nodes sharing the deliveries.
public abstract partial class WebhookLogTests(PatchbayApp app) : ReceiverTests
{
    [Fact]
    public async Task RefoldSchedule_ThreeRetries_ThenFailed_ContinuousFailureDisables_Resend_Recover()
    {
        var org = await HookOrgAsync(app);
        var path = Path();
        var failing = true;
        Receiver.On(path, (_, http) => { http.Response.StatusCode = failing ? 500 : 200; return Task.CompletedTask; });
        var settings = await ApiAssert.OkAsync(await org.Client.PutAsync("/api/patchbay/v1/webhook-settings",
            Body(new { retry_schedule = "refold", disable_after_seconds = 300 }), Ct));
        Assert.Equal("[60,120,240]", settings.GetProperty("retry_schedule").GetRawText());
        Assert.Equal(300, settings.GetProperty("disable_after_seconds").GetInt64());
        Assert.Equal(30 * 86400, settings.GetProperty("retention_seconds").GetInt64());
        Assert.Equal(settings.GetRawText(), (await ApiAssert.OkAsync(await org.Client.GetAsync("/api/patchbay/v1/webhook-settings", Ct))).GetRawText());
        await ApiAssert.ErrorAsync(await org.Client.PutAsync("/api/patchbay/v1/webhook-settings", Body(new { retry_schedule = "forever" }), Ct), 400, "BAD_REQUEST", "VALIDATION_ERROR");

        var hook = await SubscribeAsync(org, Receiver.Url(path), ["Connection Created"]);
        var account = await app.CreateLinkedAccountAsync(apiKey: org.Key);
        await ConnectAsync(app, org, account);
        await DeliverAsync(app);
        for (var i = 0; i < 3; i++)
        {
            app.Time.Advance(TimeSpan.FromMinutes(5));
            await DeliverAsync(app);
        }
        // t0, +5 min (failing 5 min: disabled, reported, the message given up), nothing after.
        Assert.Equal(2, Receiver.At(path).Count);
        var message = Assert.Single((await MessagesAsync(org, hook)).EnumerateArray());
        Assert.Equal("failed", message.Str("status"));
        var delivery = await ApiAssert.OkAsync(await org.Client.GetAsync($"/api/patchbay/v1/webhooks/{hook}/delivery", Ct));
        Assert.False(delivery.GetProperty("is_enabled").GetBoolean());
        Assert.StartsWith("failing without a success since", delivery.Str("disabled_reason"), StringComparison.Ordinal);
        Assert.Equal(JsonValueKind.String, delivery.GetProperty("failing_since").ValueKind);
        // The server's own change is in the audit trail, like an operator's.
        var audited = Audit.AuditKit.OneOf(await Audit.AuditKit.EntriesAsync(org.Client), "Webhook Updated", hook);
        Assert.Equal(("webhook", "system"), (audited.Str("resource_type"), audited.GetProperty("actor").Str("type")));
        Assert.False(audited.GetProperty("details").GetProperty("is_enabled").GetBoolean());
        Assert.Equal(delivery.Str("disabled_reason"), audited.GetProperty("details").Str("disabled_reason"));

        // Enabled again: a new event is retried three times (Refold's setting) and then given up.
        await ApiAssert.OkAsync(await org.Client.PutAsync($"/api/v2/public/webhook/{hook}", Body(new { is_enabled = true }), Ct));
        await ApiAssert.OkAsync(await org.Client.PutAsync("/api/patchbay/v1/webhook-settings", Body(new { retry_schedule = "refold" }), Ct));
        await ConnectAsync(app, org, account);
        await DeliverAsync(app);
        for (var i = 0; i < 6; i++)
        {
            app.Time.Advance(TimeSpan.FromMinutes(5));
            await DeliverAsync(app);
        }
        Assert.Equal(2 + 4, Receiver.At(path).Count);
        var failed = (await MessagesAsync(org, hook, "failed")).EnumerateArray().ToList();
        Assert.Equal(2, failed.Count);
        Assert.Equal(4, failed[0].GetProperty("attempts").GetInt32());
        Assert.Equal(4, (await AttemptsAsync(org, hook, failed[0].Str("id"))).GetArrayLength());

        // Resend one; recover the rest since a time (bounded per call).
        failing = false;
        var resent = await ApiAssert.OkAsync(await org.Client.PostAsync($"/api/patchbay/v1/webhooks/{hook}/messages/{failed[0].Str("id")}/resend", null, Ct));
        Assert.Equal("pending", resent.Str("status"));
        await DeliverAsync(app);
        Assert.Equal(7, Receiver.At(path).Count);
        await ApiAssert.ErrorAsync(await org.Client.PostAsync($"/api/patchbay/v1/webhooks/{hook}/messages/msg_nope/resend", null, Ct), 404, "NOT_FOUND", "RESOURCE_NOT_FOUND");
        var recovered = await ApiAssert.OkAsync(await org.Client.PostAsync($"/api/patchbay/v1/webhooks/{hook}/recover",
            Body(new { since = app.Time.GetUtcNow().AddDays(-1).ToString("O") }), Ct));
        Assert.Equal("""{"recovered":1,"has_more":false}""", recovered.GetRawText());
        await DeliverAsync(app);
        Assert.Equal(8, Receiver.At(path).Count);
        Assert.Equal(2, (await MessagesAsync(org, hook, "delivered")).GetArrayLength());
        Assert.Equal(0, (await MessagesAsync(org, hook, "failed")).GetArrayLength());
        await ApiAssert.ErrorAsync(await org.Client.PostAsync($"/api/patchbay/v1/webhooks/{hook}/recover", Body(new { since = "yesterday" }), Ct), 400, "BAD_REQUEST", "VALIDATION_ERROR");

        // Retention: delivered messages go after 30 days, with their attempts.
        app.Time.Advance(TimeSpan.FromDays(31));
        await app.Services.GetRequiredService<WebhookRetentionWorker>().RunOnceAsync(Ct);
        Assert.Equal(0, (await MessagesAsync(org, hook)).GetArrayLength());
    }

    [Fact]
    public async Task CustomAndSlackTemplates_Headers_Filters()
    {
        var org = await HookOrgAsync(app);
        var (custom, slack, filtered, other) = (Path(), Path(), Path(), Path());
        await SubscribeAsync(org, Receiver.Url(custom), ["Workflow Completed"], new
        {
            webhook_type = "custom", method = "PATCH",
            webhook_body = new { text = "{{event.workflow_name}} done for {{linked_account_name}}", result = "{{workflow_response}}", ev = "{{event}}" },
            webhook_headers = new { x_instance = "{{event.instance_id}}", x_static = "yes" },
        });
        await SubscribeAsync(org, Receiver.Url(slack), ["Workflow Completed"], new { webhook_type = "slack" });
        var account = await app.CreateLinkedAccountAsync(apiKey: org.Key);
        var client = app.ClientFor(org.Key, account);
        var (draft, version) = await PublishAsync(client, Graph([Node("start", "start"), Node("out", "response", new { body = "{{payload.n}}" })], [Edge("start", "out")]), "Sync deals");
        var slugged = Path();
        await SubscribeAsync(org, Receiver.Url(filtered), ["Workflow Completed"], new { workflow_ids = new[] { draft } });
        await SubscribeAsync(org, Receiver.Url(other), ["Workflow Completed"], new { workflow_ids = new[] { "000000000000000000000000" } });
        await SubscribeAsync(org, Receiver.Url(slugged), ["Workflow Completed"], new { slug = "hubspot" });
        var execution = await StartAsync(client, version, new { n = 42 });
        await DrainAsync(app);
        await RunWorkflowAsync(app, org, account, "Another");
        await DeliverAsync(app);

        Assert.Equal(2, Receiver.At(custom).Count);
        var c = Assert.Single(Receiver.At(custom), r => r.Header("x_instance") == execution);
        Assert.Equal("PATCH", c.Method);
        Assert.Equal("yes", c.Header("x_static"));
        var body = JsonDocument.Parse(c.Body).RootElement;
        Assert.Equal($"Sync deals done for Account {account}", body.Str("text"));
        Assert.Equal(42, body.GetProperty("result").GetInt32());
        Assert.Equal(execution, body.GetProperty("ev").Str("instance_id"));
        var s = Receiver.At(slack).Select(r => JsonDocument.Parse(r.Body).RootElement.Str("text")).ToList();
        Assert.Contains($"Workflow Completed: Sync deals (linked account {account})", s);
        // workflow_ids: only that workflow; slug: only that app's workflows (these run on the default app).
        Assert.Equal(execution, JsonDocument.Parse(Assert.Single(Receiver.At(filtered)).Body).RootElement.Str("instance_id"));
        Assert.Empty(Receiver.At(other));
        Assert.Empty(Receiver.At(slugged));
    }

    [Fact]
    public async Task RolledBackChange_EmitsNothing_CommittedDelete_EmitsConnectionDeleted()
    {
        var org = await HookOrgAsync(app);
        var path = Path();
        await SubscribeAsync(org, Receiver.Url(path), ["Connection Deleted"]);
        var account = await app.CreateLinkedAccountAsync(apiKey: org.Key);
        await ConnectAsync(app, org, account);
        var row = await AccountRowIdAsync(app, org, account);
        var outbox = app.Services.GetRequiredService<Outbox>();
        await Assert.ThrowsAsync<InvalidOperationException>(() => app.Db.InTransactionAsync(async tx =>
        {
            await ConnectionStore.DeleteAsync(tx, outbox, org.Id, row, "hubspot", null, app.Time.GetUtcNow(), Ct);
            throw new InvalidOperationException("rolled back");
        }, Ct));
        await DeliverAsync(app);
        Assert.Empty(Receiver.At(path));

        var deleted = await ApiAssert.OkAsync(await app.ClientFor(org.Key, account).DeleteAsync("/api/v2/public/linked-account/integration/hubspot", Ct));
        Assert.Empty(deleted.GetProperty("integrations").EnumerateArray());
        await DeliverAsync(app);
        var payload = JsonDocument.Parse(Assert.Single(Receiver.At(path)).Body).RootElement;
        Assert.Equal("Connection Deleted", payload.Str("event"));
        Assert.Equal(account, payload.Str("linked_account_id"));
        Assert.Equal("hubspot", payload.Str("slug"));

        // Deleting the linked account removes its integrations: each is announced.
        await ConnectAsync(app, org, account, "stripe");
        await ApiAssert.OkAsync(await org.Client.DeleteAsync($"/api/v2/public/linked-account/{account}", Ct));
        await DeliverAsync(app);
        var last = JsonDocument.Parse(Receiver.At(path)[^1].Body).RootElement;
        Assert.Equal(2, Receiver.At(path).Count);
        Assert.Equal(("Connection Deleted", "stripe"), (last.Str("event"), last.Str("slug")));
    }

    [Fact]
    public async Task ConnectionExpired_AnnouncedOnceWhenItFlips()
    {
        var org = await HookOrgAsync(app);
        var path = Path();
        await SubscribeAsync(org, Receiver.Url(path), ["connection-expired"]);
        var account = await app.CreateLinkedAccountAsync(apiKey: org.Key);
        await ConnectAsync(app, org, account);
        var store = app.Services.GetRequiredService<ConnectionStore>();
        var connection = (await store.FindAsync(await AccountRowIdAsync(app, org, account), "hubspot", Patchbay.Apps.AppManifest.OAuth2, Ct))!;
        await store.ExpireAsync(connection.Id, app.Time.GetUtcNow(), Ct);
        await store.ExpireAsync(connection.Id, app.Time.GetUtcNow(), Ct); // already expired: nothing new to announce
        await DeliverAsync(app);
        var payload = JsonDocument.Parse(Assert.Single(Receiver.At(path)).Body).RootElement;
        Assert.Equal(("Connection Expired", "hubspot", account), (payload.Str("event"), payload.Str("slug"), payload.Str("linked_account_id")));
        var integration = (await ApiAssert.OkAsync(await org.Client.GetAsync($"/api/v2/public/linked-account/{account}", Ct))).GetProperty("integrations")[0];
        Assert.True(integration.GetProperty("reauth_required").GetBoolean());
    }

    [Fact]
    public async Task TwoNodes_EachDeliveryMadeByOne()
    {
        var org = await HookOrgAsync(app);
        var path = Path();
        Receiver.On(path, async (_, http) => { await Task.Delay(5, http.RequestAborted); await http.Response.WriteAsync("ok", http.RequestAborted); });
        var hook = await SubscribeAsync(org, Receiver.Url(path), ["Connection Created"]);
        var account = await app.CreateLinkedAccountAsync(apiKey: org.Key);
        const int Count = 300;
        for (var i = 0; i < Count; i++) await ConnectAsync(app, org, account);
        var outbox = app.Services.GetRequiredService<OutboxWorker>();
        while (await outbox.RunOnceAsync(Ct)) { }

        await using var second = app.CreateNode(new Dictionary<string, string?> { ["Patchbay:Webhooks:BatchSize"] = "20" });
        await second.InitializeAsync();
        var workers = new[] { app.Services.GetRequiredService<WebhookDeliveryWorker>(), second.Services.GetRequiredService<WebhookDeliveryWorker>() };
        var before = workers.Select(w => w.Started).ToArray();
        // Each node claims a batch first (the second 20, the first up to 200 of the 300), so both take part however
        // the machine schedules them; then both drain the rest at once.
        await workers[1].RunOnceAsync(Ct);
        await workers[0].RunOnceAsync(Ct);
        await Task.WhenAll(workers.Select(async worker =>
        {
            var idle = 0;
            while (idle < 3)
            {
                var claimed = worker.Started;
                await worker.RunOnceAsync(Ct);
                await Task.Delay(10, Ct);
                idle = worker.Started == claimed ? idle + 1 : 0;
            }
            await worker.WaitIdleAsync(Ct);
        }));
        var taken = workers.Select((w, i) => w.Started - before[i]).ToArray();
        Assert.Equal(Count, taken.Sum());
        Assert.All(taken, t => Assert.True(t > 0, $"one node did nothing: {string.Join("/", taken)}"));
        var ids = Receiver.At(path).Select(r => r.Header("webhook-id")).ToList();
        Assert.Equal(Count, ids.Count);
        Assert.Equal(Count, ids.Distinct().Count());
        Assert.Equal(Count, (await app.Db.QueryAsync<string>(
            "select a.id from webhook_attempts a join webhook_messages m on m.id = a.message_id where m.webhook_id = @hook", new { hook }, Ct)).Count);
    }
}

public sealed class SqliteWebhookLogTests(SqliteApp<WebhookDeliveryOptions> app) : WebhookLogTests(app), IClassFixture<SqliteApp<WebhookDeliveryOptions>>;

public sealed class PostgresWebhookLogTests(PostgresApp<WebhookDeliveryOptions> app) : WebhookLogTests(app), IClassFixture<PostgresApp<WebhookDeliveryOptions>>;

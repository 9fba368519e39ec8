using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Patchbay.Tests.Infrastructure;
using Patchbay.Webhooks;
using Xunit;
using static Patchbay.Tests.Webhooks.WebhookKit;
using static Patchbay.Tests.Workflows.WorkflowApi;

namespace Patchbay.Tests.Webhooks;

// Replay and cleanup at their edges: what a resend does after the schedule ran out (or stopped early), the recover
// route's per-call bound, and an org's own retention.
public abstract partial class WebhookLogTests
{
    [Fact]
    public async Task Resend_AfterTheWholeSchedule_OneAttempt_AfterAnEarlyStop_TheRestOfTheSchedule()
    {
        var org = await HookOrgAsync(app);
        var (dead, gone) = (Path(), Path());
        Receiver.On(dead, (_, http) => { http.Response.StatusCode = 500; return Task.CompletedTask; });
        Receiver.On(gone, (n, http) => { http.Response.StatusCode = n == 0 ? 410 : 500; return Task.CompletedTask; });
        await ApiAssert.OkAsync(await org.Client.PutAsync("/api/patchbay/v1/webhook-settings", Body(new { retry_schedule = "refold" }), Ct));
        var hook = await SubscribeAsync(org, Receiver.Url(dead), ["Connection Created"]);
        var goneHook = await SubscribeAsync(org, Receiver.Url(gone), ["Connection Created"]);
        var account = await app.CreateLinkedAccountAsync(apiKey: org.Key);
        await ConnectAsync(app, org, account);
        await DeliverAsync(app);
        for (var i = 0; i < 3; i++)
        {
            app.Time.Advance(TimeSpan.FromMinutes(5));
            await DeliverAsync(app);
        }
        var message = Assert.Single((await MessagesAsync(org, hook)).EnumerateArray());
        Assert.Equal(("failed", 4), (message.Str("status"), message.GetProperty("attempts").GetInt32()));

        // The whole schedule used: a resend is one attempt now; failing, the message is failed again, nothing next.
        var now = app.Time.GetUtcNow();
        var resent = await ApiAssert.OkAsync(await org.Client.PostAsync($"/api/patchbay/v1/webhooks/{hook}/messages/{message.Str("id")}/resend", null, Ct));
        Assert.Equal(("pending", 4), (resent.Str("status"), resent.GetProperty("attempts").GetInt32()));
        Assert.InRange(resent.GetProperty("next_attempt_at").GetDateTimeOffset() - now, TimeSpan.FromMilliseconds(-1), TimeSpan.Zero); // now (to the ms)
        await DeliverAsync(app);
        Assert.Equal(5, Receiver.At(dead).Count);
        message = Assert.Single((await MessagesAsync(org, hook)).EnumerateArray());
        Assert.Equal(("failed", 5, 500), (message.Str("status"), message.GetProperty("attempts").GetInt32(), message.GetProperty("last_response_status").GetInt32()));
        Assert.Equal(JsonValueKind.Null, message.GetProperty("next_attempt_at").ValueKind);
        var attempts = (await AttemptsAsync(org, hook, message.Str("id"))).EnumerateArray().ToList();
        Assert.Equal(5, attempts.Count);
        Assert.All(attempts, a => Assert.Equal("failed", a.Str("status")));
        app.Time.Advance(TimeSpan.FromHours(1));
        await DeliverAsync(app);
        Assert.Equal(5, Receiver.At(dead).Count);

        // An attempt in flight (another node holds the message's lease): the resend is refused, nothing changes; once
        // the lease has lapsed it is accepted.
        var leasedUntil = app.Time.GetUtcNow().AddSeconds(30);
        await app.Db.ExecuteAsync("update webhook_messages set lease_owner = 'node-elsewhere', lease_until = @leasedUntil where id = @id",
            new { leasedUntil, id = message.Str("id") }, Ct);
        await ApiAssert.ErrorAsync(await org.Client.PostAsync($"/api/patchbay/v1/webhooks/{hook}/messages/{message.Str("id")}/resend", null, Ct),
            409, "CONFLICT", "CONFLICT", "The message is being delivered right now; resend it once this attempt is logged");
        Assert.Equal("failed", Assert.Single((await MessagesAsync(org, hook)).EnumerateArray()).Str("status"));
        app.Time.Advance(TimeSpan.FromSeconds(31));
        Assert.Equal("pending", (await ApiAssert.OkAsync(await org.Client.PostAsync($"/api/patchbay/v1/webhooks/{hook}/messages/{message.Str("id")}/resend", null, Ct))).Str("status"));

        // Stopped early by a 410 (after one attempt): enabled again, a resend continues the schedule where it stopped.
        var early = Assert.Single((await MessagesAsync(org, goneHook)).EnumerateArray());
        Assert.Equal(("failed", 1), (early.Str("status"), early.GetProperty("attempts").GetInt32()));
        await ApiAssert.OkAsync(await org.Client.PutAsync($"/api/v2/public/webhook/{goneHook}", Body(new { is_enabled = true }), Ct));
        await ApiAssert.OkAsync(await org.Client.PostAsync($"/api/patchbay/v1/webhooks/{goneHook}/messages/{early.Str("id")}/resend", null, Ct));
        var resentAt = app.Time.GetUtcNow();
        await DeliverAsync(app);
        early = Assert.Single((await MessagesAsync(org, goneHook)).EnumerateArray());
        Assert.Equal(("pending", 2), (early.Str("status"), early.GetProperty("attempts").GetInt32()));
        Assert.InRange(early.GetProperty("next_attempt_at").GetDateTimeOffset() - resentAt, TimeSpan.FromSeconds(108), TimeSpan.FromSeconds(132)); // 2 min ± 10 %
    }

    [Fact]
    public async Task Recover_BoundedPerCall_HasMoreUntilAllQueued()
    {
        var org = await HookOrgAsync(app);
        var path = Path();
        var failing = true;
        Receiver.On(path, (_, http) => { http.Response.StatusCode = failing ? 500 : 200; return Task.CompletedTask; });
        var settings = await ApiAssert.OkAsync(await org.Client.PutAsync("/api/patchbay/v1/webhook-settings", Body(new { retry_schedule = Array.Empty<int>() }), Ct));
        Assert.Equal("[]", settings.GetProperty("retry_schedule").GetRawText()); // one attempt, no retry
        var hook = await SubscribeAsync(org, Receiver.Url(path), ["Connection Created"]);
        var account = await app.CreateLinkedAccountAsync(apiKey: org.Key);
        for (var i = 0; i < 5; i++) await ConnectAsync(app, org, account);
        await DeliverAsync(app);
        Assert.Equal(5, (await MessagesAsync(org, hook, "failed")).GetArrayLength());

        // This server's bound is 2 per call (WebhookDeliveryOptions).
        failing = false;
        string[] calls = ["""{"recovered":2,"has_more":true}""", """{"recovered":2,"has_more":true}""", """{"recovered":1,"has_more":false}""", """{"recovered":0,"has_more":false}"""];
        foreach (var expected in calls)
        {
            var recovered = await ApiAssert.OkAsync(await org.Client.PostAsync($"/api/patchbay/v1/webhooks/{hook}/recover",
                Body(new { since = app.Time.GetUtcNow().AddHours(-1).ToString("O") }), Ct));
            Assert.Equal(expected, recovered.GetRawText());
        }
        Assert.Equal(5, (await MessagesAsync(org, hook, "pending")).GetArrayLength());
        await DeliverAsync(app);
        Assert.Equal(5, (await MessagesAsync(org, hook, "delivered")).GetArrayLength());
        Assert.Equal(10, Receiver.At(path).Count);
    }

    [Fact]
    public async Task Retention_OrgSetting_CleansAfterItsOwnPeriod_OthersKeepTheDefault()
    {
        var (brief, standard) = (await HookOrgAsync(app), await HookOrgAsync(app));
        var settings = await ApiAssert.OkAsync(await brief.Client.PutAsync("/api/patchbay/v1/webhook-settings", Body(new { retention_seconds = 3600 }), Ct));
        Assert.Equal(3600, settings.GetProperty("retention_seconds").GetInt64());
        var hooks = new List<(WebhookKit.Org Org, string Hook)>();
        foreach (var org in new[] { brief, standard })
        {
            var hook = await SubscribeAsync(org, Receiver.Url(Path()), ["Connection Created"]);
            await ConnectAsync(app, org, await app.CreateLinkedAccountAsync(apiKey: org.Key));
            hooks.Add((org, hook));
        }
        await DeliverAsync(app);
        var briefMessage = Assert.Single((await MessagesAsync(brief, hooks[0].Hook, "delivered")).EnumerateArray()).Str("id");
        Assert.Single((await MessagesAsync(standard, hooks[1].Hook, "delivered")).EnumerateArray());
        var retention = app.Services.GetRequiredService<WebhookRetentionWorker>();

        async Task<(int Brief, int Standard)> KeptAfterAsync(TimeSpan advance)
        {
            app.Time.Advance(advance);
            await retention.RunOnceAsync(Ct);
            return ((await MessagesAsync(brief, hooks[0].Hook)).GetArrayLength(), (await MessagesAsync(standard, hooks[1].Hook)).GetArrayLength());
        }
        Assert.Equal((1, 1), await KeptAfterAsync(TimeSpan.FromMinutes(59)));
        Assert.Equal((0, 1), await KeptAfterAsync(TimeSpan.FromMinutes(2))); // the org's hour, not the default 30 days
        Assert.Empty(await app.Db.QueryAsync<string>("select id from webhook_attempts where message_id = @briefMessage", new { briefMessage }, Ct));
        Assert.Equal((0, 1), await KeptAfterAsync(TimeSpan.FromDays(29)));
        Assert.Equal((0, 0), await KeptAfterAsync(TimeSpan.FromDays(1)));
    }
}

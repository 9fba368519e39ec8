using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Patchbay.Tests.Infrastructure;
using Patchbay.Webhooks;
using Xunit;
using static Patchbay.Tests.Webhooks.WebhookKit;
using static Patchbay.Tests.Workflows.WorkflowApi;

namespace Patchbay.Tests.Webhooks;

// Deliveries to a real receiver on loopback: both signatures verified (Standard Webhooks with the published library),
// Refold's payloads, retries on the schedule with time under the test's control, Retry-After, 410, timeouts, the
// egress policy, the per-subscription rate limit.
public abstract class WebhookDeliveryTests(PatchbayApp app) : ReceiverTests
{
    [Fact]
    public async Task KeyMadeBeforeSealing_HasNoCobaltSignature_UntilRegenerated()
    {
        var org = await HookOrgAsync(app);
        await app.Db.ExecuteAsync("update api_keys set sealed_key = null where org_id = @Id", new { org.Id }, Ct);
        var path = Path();
        await SubscribeAsync(org, Receiver.Url(path), ["Connection Created"]);
        var account = await app.CreateLinkedAccountAsync(apiKey: org.Key);
        await ConnectAsync(app, org, account);
        await DeliverAsync(app);
        var r = Assert.Single(Receiver.At(path));
        Assert.False(r.Headers.ContainsKey("x-cobalt-signature"));
        Assert.True(r.Headers.ContainsKey("webhook-signature"));
    }

    [Fact]
    public async Task Failure500ThenSuccess_RetriedOnSchedule_RetryAfterHonoured()
    {
        var org = await HookOrgAsync(app);
        var path = Path();
        Receiver.On(path, async (n, http) =>
        {
            http.Response.StatusCode = n == 0 ? 500 : 200;
            await http.Response.WriteAsync(n == 0 ? "boom " + new string('x', 2000) : "fine", Ct);
        });
        var hook = await SubscribeAsync(org, Receiver.Url(path), ["Connection Created"]);
        var account = await app.CreateLinkedAccountAsync(apiKey: org.Key);
        await ConnectAsync(app, org, account);
        var t0 = app.Time.GetUtcNow();
        await DeliverAsync(app);
        var message = Assert.Single((await MessagesAsync(org, hook)).EnumerateArray());
        Assert.Equal("pending", message.Str("status"));
        Assert.Equal(1, message.GetProperty("attempts").GetInt32());
        Assert.Equal(500, message.GetProperty("last_response_status").GetInt32());
        var next = message.GetProperty("next_attempt_at").GetDateTimeOffset();
        Assert.InRange(next - t0, TimeSpan.FromSeconds(4.4), TimeSpan.FromSeconds(5.6)); // 5 s ± 10 % jitter

        app.Time.Advance(TimeSpan.FromSeconds(4));
        await DeliverAsync(app);
        Assert.Single(Receiver.At(path));
        app.Time.Advance(TimeSpan.FromSeconds(2));
        await DeliverAsync(app);
        Assert.Equal(2, Receiver.At(path).Count);
        message = Assert.Single((await MessagesAsync(org, hook)).EnumerateArray());
        Assert.Equal("delivered", message.Str("status"));
        Assert.Equal(JsonValueKind.Null, message.GetProperty("next_attempt_at").ValueKind);
        var attempts = (await AttemptsAsync(org, hook, message.Str("id"))).EnumerateArray().ToList();
        Assert.Equal(["failed", "succeeded"], attempts.Select(a => a.Str("status")));
        Assert.Equal([500, 200], attempts.Select(a => a.GetProperty("response_status").GetInt32()));
        Assert.Equal(1024, attempts[0].Str("response_body").Length); // the first 1 KB
        Assert.Equal("fine", attempts[1].Str("response_body"));

        // Retry-After asks for more than the schedule's 5 s: it wins.
        var slow = Path();
        Receiver.On(slow, (n, http) =>
        {
            http.Response.StatusCode = n == 0 ? 503 : 204;
            if (n == 0) http.Response.Headers.RetryAfter = "120";
            return Task.CompletedTask;
        });
        var hook2 = await SubscribeAsync(org, Receiver.Url(slow), ["Connection Created"]);
        await ConnectAsync(app, org, account);
        var t1 = app.Time.GetUtcNow();
        await DeliverAsync(app);
        var waiting = Assert.Single((await MessagesAsync(org, hook2)).EnumerateArray());
        Assert.InRange(waiting.GetProperty("next_attempt_at").GetDateTimeOffset() - t1, TimeSpan.FromSeconds(119), TimeSpan.FromSeconds(121));
        app.Time.Advance(TimeSpan.FromSeconds(60));
        await DeliverAsync(app);
        Assert.Single(Receiver.At(slow));
        app.Time.Advance(TimeSpan.FromSeconds(61));
        await DeliverAsync(app);
        Assert.Equal(2, Receiver.At(slow).Count);
        Assert.Equal("delivered", Assert.Single((await MessagesAsync(org, hook2)).EnumerateArray()).Str("status"));
    }

    [Fact]
    public async Task Gone410_DisablesAtOnce_AndIsReported()
    {
        var org = await HookOrgAsync(app);
        var path = Path();
        Receiver.On(path, (_, http) => { http.Response.StatusCode = 410; return Task.CompletedTask; });
        var hook = await SubscribeAsync(org, Receiver.Url(path), ["Connection Created"]);
        var account = await app.CreateLinkedAccountAsync(apiKey: org.Key);
        await ConnectAsync(app, org, account);
        await DeliverAsync(app);
        Assert.Single(Receiver.At(path));
        Assert.Equal("failed", Assert.Single((await MessagesAsync(org, hook)).EnumerateArray()).Str("status"));
        var webhook = await ApiAssert.OkAsync(await org.Client.GetAsync($"/api/v2/public/webhook/{hook}", Ct));
        Assert.False(webhook.GetProperty("is_enabled").GetBoolean());
        var delivery = await ApiAssert.OkAsync(await org.Client.GetAsync($"/api/patchbay/v1/webhooks/{hook}/delivery", Ct));
        Assert.Contains("410", delivery.Str("disabled_reason"), StringComparison.Ordinal);
        Assert.Contains($"Webhook {hook} was disabled", app.Logs.All, StringComparison.Ordinal);
        var audited = Audit.AuditKit.OneOf(await Audit.AuditKit.EntriesAsync(org.Client), "Webhook Updated", hook);
        Assert.Equal(("system", "the receiver answered 410 Gone"), (audited.GetProperty("actor").Str("type"), audited.GetProperty("details").Str("disabled_reason")));

        await ConnectAsync(app, org, account); // a disabled subscription gets no new messages
        app.Time.Advance(TimeSpan.FromDays(1));
        await DeliverAsync(app);
        Assert.Single(Receiver.At(path));

        var enabled = await ApiAssert.OkAsync(await org.Client.PutAsync($"/api/v2/public/webhook/{hook}", Body(new { is_enabled = true }), Ct));
        Assert.True(enabled.GetProperty("is_enabled").GetBoolean());
        Assert.Equal(JsonValueKind.Null, (await ApiAssert.OkAsync(await org.Client.GetAsync($"/api/patchbay/v1/webhooks/{hook}/delivery", Ct))).GetProperty("disabled_reason").ValueKind);
    }

    [Fact]
    public async Task Redirects_NotFollowed_TheAttemptFailsWithItsStatus()
    {
        var org = await HookOrgAsync(app);
        var (found, temporary, target) = (Path(), Path(), Path());
        foreach (var (path, code) in new[] { (found, 302), (temporary, 307) })
        {
            Receiver.On(path, (_, http) =>
            {
                http.Response.StatusCode = code;
                http.Response.Headers.Location = Receiver.Url(target);
                return Task.CompletedTask;
            });
        }
        var hooks = new[] { (await SubscribeAsync(org, Receiver.Url(found), ["Connection Created"]), found, 302),
            (await SubscribeAsync(org, Receiver.Url(temporary), ["Connection Created"]), temporary, 307) };
        var account = await app.CreateLinkedAccountAsync(apiKey: org.Key);
        await ConnectAsync(app, org, account);
        await DeliverAsync(app);
        app.Time.Advance(TimeSpan.FromSeconds(6)); // the retry goes to the subscription's URL again
        await DeliverAsync(app);

        foreach (var (hook, path, code) in hooks)
        {
            Assert.Equal(2, Receiver.At(path).Count);
            var message = Assert.Single((await MessagesAsync(org, hook)).EnumerateArray());
            Assert.Equal(("pending", 2, code), (message.Str("status"), message.GetProperty("attempts").GetInt32(), message.GetProperty("last_response_status").GetInt32()));
            var attempts = (await AttemptsAsync(org, hook, message.Str("id"))).EnumerateArray().ToList();
            Assert.Equal([("failed", code), ("failed", code)], attempts.Select(a => (a.Str("status"), a.GetProperty("response_status").GetInt32())));
        }
        Assert.Empty(Receiver.At(target));
    }

    [Fact]
    public async Task SlowReceiver_TimesOut_WithoutHoldingOthers_InternalAddressRefused()
    {
        var org = await HookOrgAsync(app);
        var slowPath = Path();
        var fastPath = Path();
        Receiver.On(slowPath, async (_, http) => await Task.Delay(TimeSpan.FromSeconds(5), http.RequestAborted));
        var slow = await SubscribeAsync(org, Receiver.Url(slowPath), ["Connection Created"]);
        var fast = await SubscribeAsync(org, Receiver.Url(fastPath), ["Connection Created"]);
        var metadata = await SubscribeAsync(org, "http://169.254.169.254/latest/meta-data", ["Connection Created"]);
        var account = await app.CreateLinkedAccountAsync(apiKey: org.Key);
        await ConnectAsync(app, org, account);

        var outbox = app.Services.GetRequiredService<Patchbay.Workers.OutboxWorker>();
        while (await outbox.RunOnceAsync(Ct)) { }
        var worker = app.Services.GetRequiredService<WebhookDeliveryWorker>();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await worker.RunOnceAsync(Ct);
        while (Receiver.At(fastPath).Count == 0 && clock.Elapsed < TimeSpan.FromSeconds(3)) await Task.Delay(20, Ct);
        Assert.Single(Receiver.At(fastPath));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), $"the fast receiver waited for the slow one ({clock.Elapsed})");
        await worker.WaitIdleAsync(Ct);

        var timedOut = Assert.Single((await MessagesAsync(org, slow)).EnumerateArray());
        var attempt = Assert.Single((await AttemptsAsync(org, slow, timedOut.Str("id"))).EnumerateArray());
        Assert.Equal("timed out after 1 s", attempt.Str("error"));
        Assert.Equal(JsonValueKind.Null, attempt.GetProperty("response_status").ValueKind);
        Assert.InRange(attempt.GetProperty("duration_ms").GetInt32(), 900, 4000);
        Assert.Equal("delivered", Assert.Single((await MessagesAsync(org, fast)).EnumerateArray()).Str("status"));

        var refused = Assert.Single((await MessagesAsync(org, metadata)).EnumerateArray());
        Assert.Equal("pending", refused.Str("status"));
        var blocked = Assert.Single((await AttemptsAsync(org, metadata, refused.Str("id"))).EnumerateArray());
        Assert.Contains("refused by the egress policy", blocked.Str("error"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RateLimit_FivePerSecond_HeldAcrossTwoNodes()
    {
        var org = await HookOrgAsync(app);
        var path = Path();
        Receiver.Clock = app.Time;
        var hook = await SubscribeAsync(org, Receiver.Url(path), ["Connection Created"]);
        var limited = await ApiAssert.OkAsync(await org.Client.PutAsync($"/api/patchbay/v1/webhooks/{hook}/delivery", Body(new { rate_limit = 5 }), Ct));
        Assert.Equal(5, limited.GetProperty("rate_limit").GetInt32());
        await ApiAssert.ErrorAsync(await org.Client.PutAsync($"/api/patchbay/v1/webhooks/{hook}/delivery", Body(new { rate_limit = 0 }), Ct), 400, "BAD_REQUEST", "VALIDATION_ERROR");
        var account = await app.CreateLinkedAccountAsync(apiKey: org.Key);
        for (var i = 0; i < 20; i++) await ConnectAsync(app, org, account);
        var outbox = app.Services.GetRequiredService<Patchbay.Workers.OutboxWorker>();
        while (await outbox.RunOnceAsync(Ct)) { }

        // Two nodes share the budget: the next free slot lives on the subscription's row.
        await using var second = app.CreateNode();
        await second.InitializeAsync();
        if (second.Time.GetUtcNow() > app.Time.GetUtcNow()) app.Time.SetUtcNow(second.Time.GetUtcNow());
        else second.Time.SetUtcNow(app.Time.GetUtcNow());
        var workers = new[] { app.Services.GetRequiredService<WebhookDeliveryWorker>(), second.Services.GetRequiredService<WebhookDeliveryWorker>() };
        var before = workers.Select(w => w.Started).ToArray();
        var start = app.Time.GetUtcNow();
        for (var step = 0; step < 80 && Receiver.At(path).Count < 20; step++)
        {
            var first = step / 10 % 2; // each second's due messages go to the other node first
            await workers[first].RunOnceAsync(Ct);
            await workers[1 - first].RunOnceAsync(Ct);
            // Arrivals are stamped with the fake clock: the sends due now arrive before it moves on.
            await QuietAsync();
            app.Time.Advance(TimeSpan.FromMilliseconds(100));
            second.Time.Advance(TimeSpan.FromMilliseconds(100));
            await QuietAsync();
        }
        foreach (var worker in workers) await worker.WaitIdleAsync(Ct);
        Assert.All(workers.Select((w, i) => w.Started - before[i]), n => Assert.True(n > 0, "both nodes sent"));
        var arrivals = Receiver.At(path).Select(r => r.At).Order().ToList();

        async Task QuietAsync()
        {
            for (var (seen, quiet) = (-1, 0); quiet < 3; await Task.Delay(15, Ct))
            {
                var count = Receiver.At(path).Count;
                quiet = count == seen ? quiet + 1 : 0;
                seen = count;
            }
        }
        Assert.Equal(20, arrivals.Count);
        foreach (var at in arrivals) Assert.True(arrivals.Count(a => a >= at && a < at.AddSeconds(1)) <= 5, $"more than 5 in the second from {at:O}: {string.Join(", ", arrivals.Select(a => (a - start).TotalMilliseconds))}");
        Assert.True(arrivals[^1] - start >= TimeSpan.FromSeconds(3), "20 messages at 5/s take at least 3 s");
    }
}

public sealed class SqliteWebhookDeliveryTests(SqliteApp<WebhookDeliveryOptions> app) : WebhookDeliveryTests(app), IClassFixture<SqliteApp<WebhookDeliveryOptions>>;

public sealed class PostgresWebhookDeliveryTests(PostgresApp<WebhookDeliveryOptions> app) : WebhookDeliveryTests(app), IClassFixture<PostgresApp<WebhookDeliveryOptions>>;

using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Patchbay.HumanTasks;
using Patchbay.Tests.Infrastructure;
using Xunit;
using static Patchbay.Tests.HumanTasks.HumanTaskApi;
using static Patchbay.Tests.Webhooks.WebhookKit;
using static Patchbay.Tests.Workflows.WorkflowApi;

namespace Patchbay.Tests.Webhooks;

// The delivery tests' server, with a public URL for the form's link.
public sealed class HumanTaskEventOptions : IAppOptions
{
    public const string PublicUrl = "https://flows.example.test";

    public void Configure(AppSetup setup)
    {
        ArgumentNullException.ThrowIfNull(setup);
        new WebhookDeliveryOptions().Configure(setup);
        setup.Settings["Patchbay:Http:PublicUrl"] = PublicUrl;
    }
}

// Patchbay's human-task events reach subscriptions: each task's creation (with its form's id and link), its
// submission and its expiry (by the expiry worker, or by its execution waking at the expiry) is one delivery; a
// refused second submission announces nothing.
public abstract class HumanTaskEventTests(PatchbayApp app) : ReceiverTests
{
    [Fact]
    public async Task TaskLifecycle_IsDelivered_AsPatchbayEvents()
    {
        var org = await HookOrgAsync(app);
        string[] events = ["Human Task Created", "Human Task Submitted", "Human Task Timed Out"];
        await SubscribeAsync(org, Receiver.Url("/all"), events);
        await SubscribeAsync(org, Receiver.Url("/custom"), events, new { slug = "custom" });
        await SubscribeAsync(org, Receiver.Url("/hubspot"), events, new { slug = "hubspot" });
        await SubscribeAsync(org, Receiver.Url("/elsewhere"), events, new { workflow_ids = new[] { "wf_not_this_one" } });
        var account = await app.CreateLinkedAccountAsync(apiKey: org.Key);
        var client = app.ClientFor(org.Key, account);
        var (draft, early) = await PublishAsync(client, ApprovalFlow(expireSeconds: 60), "Early");
        var (lateDraft, late) = await PublishAsync(client, ApprovalFlow(expireSeconds: 120), "Late");

        var submitted = await StartAsync(client, early, new { amount = 10, customer = "a" });
        var byWorker = await StartAsync(client, early, new { amount = 20, customer = "b" });
        var byNode = await StartAsync(client, late, new { amount = 30, customer = "c" });
        await RunWorkersAsync(app);
        var (taskId, url) = await WaitingTaskAsync(client, submitted);
        await DeliverAsync(app);
        var created = Receiver.At("/all").Select(r => JsonDocument.Parse(r.Body).RootElement).ToList();
        Assert.Equal(3, created.Count);
        Assert.All(created, e => Assert.Equal("Human Task Created", e.Str("event")));
        var first = created.Single(e => e.Str("instance_id") == submitted);
        Assert.Equal(taskId, first.Str("human_task_id"));
        Assert.Equal($"{HumanTaskEventOptions.PublicUrl}/human-tasks/{taskId}", first.Str("url"));
        Assert.Equal(url.AbsolutePath, new Uri(first.Str("url")).AbsolutePath);
        Assert.Equal(draft, first.Str("workflow_id"));
        Assert.Equal(lateDraft, created.Single(e => e.Str("instance_id") == byNode).Str("workflow_id"));

        await ApiAssert.OkAsync(await SubmitAsync(client, taskId, new { approved = true }));
        await ApiAssert.ErrorAsync(await SubmitAsync(client, taskId, new { approved = false }), 400, "BAD_REQUEST", "SERVER_ERROR", "Form has already been submitted");
        await RunWorkersAsync(app);
        // The expiry worker closes the first form past its expiry; the second one's execution wakes at its own
        // expiry and closes it itself (the worker, run afterwards, finds nothing left).
        app.Time.Advance(TimeSpan.FromSeconds(61));
        await app.Services.GetRequiredService<HumanTaskExpiryWorker>().RunOnceAsync(Ct);
        app.Time.Advance(TimeSpan.FromSeconds(60));
        await RunWorkersAsync(app);
        await app.Services.GetRequiredService<HumanTaskExpiryWorker>().RunOnceAsync(Ct);
        await RunWorkersAsync(app);
        await DeliverAsync(app);

        var all = Receiver.At("/all").Select(r => JsonDocument.Parse(r.Body).RootElement).ToList();
        // Ordering is not promised: compare what arrived, as a multiset.
        Assert.Equal(["Human Task Created", "Human Task Created", "Human Task Created", "Human Task Submitted", "Human Task Timed Out", "Human Task Timed Out"],
            all.Select(e => e.Str("event")).Order(StringComparer.Ordinal).ToList());
        foreach (var e in all)
        {
            Assert.Equal(account, e.Str("linked_account_id"));
            Assert.Equal(org.Id, e.Str("org_id"));
            Assert.Equal("test", e.Str("environment"));
            Assert.Equal("custom", e.Str("slug"));
            Assert.Equal("approve", e.Str("node_id"));
            Assert.Equal("approve", e.Str("node_name"));
            Assert.EndsWith(" GMT", e.Str("createdAt"), StringComparison.Ordinal);
            Assert.True(DateTimeOffset.TryParse(e.Str("createdAt"), System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out _));
            // Only the creation carries the form's id and link.
            Assert.Equal(e.Str("event") == "Human Task Created", e.TryGetProperty("human_task_id", out _));
            Assert.Equal(e.Str("event") == "Human Task Created", e.TryGetProperty("url", out _));
        }
        Assert.Equal(submitted, all.Single(e => e.Str("event") == "Human Task Submitted").Str("instance_id"));
        Assert.Equal(draft, all.Single(e => e.Str("event") == "Human Task Submitted").Str("workflow_id"));
        Assert.Equal(new[] { byNode, byWorker }.Order(StringComparer.Ordinal),
            all.Where(e => e.Str("event") == "Human Task Timed Out").Select(e => e.Str("instance_id")).Order(StringComparer.Ordinal));
        Assert.Equal(6, Receiver.At("/custom").Count);
        Assert.Empty(Receiver.At("/hubspot"));
        Assert.Empty(Receiver.At("/elsewhere"));

        // Both executions that waited out their forms took the timeout branch.
        foreach (var id in new[] { byWorker, byNode })
            Assert.Equal("COMPLETED", (await ExecutionAsync(client, id)).Str("status"));
    }
}

public sealed class SqliteHumanTaskEventTests(SqliteApp<HumanTaskEventOptions> app) : HumanTaskEventTests(app), IClassFixture<SqliteApp<HumanTaskEventOptions>>;

public sealed class PostgresHumanTaskEventTests(PostgresApp<HumanTaskEventOptions> app) : HumanTaskEventTests(app), IClassFixture<PostgresApp<HumanTaskEventOptions>>;

using System.Text.Json;
using Patchbay.Tests.Infrastructure;
using Xunit;
using static Patchbay.Tests.Configs.ConfigApi;
using static Patchbay.Tests.Webhooks.WebhookKit;
using static Patchbay.Tests.Workflows.WorkflowApi;

namespace Patchbay.Tests.Webhooks;

// Webhook delivery, and the fake provider: enabling a workflow of an app needs the app connected.
public sealed class ConfigEventOptions : IAppOptions
{
    public void Configure(AppSetup setup)
    {
        ArgumentNullException.ThrowIfNull(setup);
        new WebhookDeliveryOptions().Configure(setup);
        setup.FakeProvider = true;
    }
}

// Patchbay's config events reach subscriptions: a customer installs an app, changes it, turns a workflow on and off,
// removes it; each change is one delivery with the config's ids, and `workflow_ids` narrows the workflow ones.
public abstract class ConfigEventTests(PatchbayApp app) : ReceiverTests
{
    [Fact]
    public async Task ConfigChanges_AreDelivered_AsPatchbayEvents()
    {
        var org = await HookOrgAsync(app);
        var graph = Graph([Node("start", "start"), Node("out", "response", new { body = "ok" })], [Edge("start", "out")]);
        var workflow = await PublicWorkflowAsync(org.Client, "stripe", "Sync", graph);
        var other = await PublicWorkflowAsync(org.Client, "stripe", "Other", graph);
        string[] events = ["Config Created", "Config Updated", "Config Deleted", "Workflow Enabled", "Workflow Disabled"];
        await SubscribeAsync(org, Receiver.Url("/all"), events);
        await SubscribeAsync(org, Receiver.Url("/one"), ["Workflow Enabled", "Workflow Disabled"], new { workflow_ids = new[] { workflow } });
        await SubscribeAsync(org, Receiver.Url("/hubspot"), events, new { slug = "hubspot" });
        var account = await app.CreateLinkedAccountAsync(apiKey: org.Key);
        var client = app.ClientFor(org.Key, account);

        await ConnectStripeAsync(client);
        await ConfigAsync(client, new { slug = "stripe" });
        await ApiAssert.OkAsync(await client.PutAsync("/api/v2/public/config", Body(new { slug = "stripe", labels = new[] { new { name = "Region", value = "eu" } } }), Ct));
        await ApiAssert.OkAsync(await client.PatchAsync($"/api/v2/public/slug/stripe/config/{account}/workflows/{workflow}", Body(new { enabled = true }), Ct));
        await ApiAssert.OkAsync(await client.PatchAsync($"/api/v2/public/slug/stripe/config/{account}/workflows/{other}", Body(new { enabled = true }), Ct));
        await ApiAssert.OkAsync(await client.PatchAsync($"/api/v2/public/slug/stripe/config/{account}/workflows/{workflow}", Body(new { enabled = false }), Ct));
        await ApiAssert.ErrorAsync(await client.PatchAsync($"/api/v2/public/slug/stripe/config/{account}/workflows/{workflow}", Body(new { enabled = "yes" }), Ct), 400, "BAD_REQUEST", "VALIDATION_ERROR", "'enabled' (true or false) is required");
        await ApiAssert.OkAsync(await client.DeleteAsync("/api/v2/public/slug/stripe/config", Ct));
        await DeliverAsync(app);

        var all = Receiver.At("/all").Select(r => JsonDocument.Parse(r.Body).RootElement).ToList();
        // Ordering is not promised: compare what arrived, as a multiset. The refused toggle (400) announced nothing.
        Assert.Equal(["Config Created", "Config Deleted", "Config Updated", "Workflow Disabled", "Workflow Enabled", "Workflow Enabled"],
            all.Select(e => e.Str("event")).Order(StringComparer.Ordinal).ToList());
        foreach (var e in all)
        {
            Assert.Equal(account, e.Str("linked_account_id"));
            Assert.Equal(org.Id, e.Str("org_id"));
            Assert.Equal("stripe", e.Str("slug"));
            Assert.Equal(account, e.Str("config_id")); // the default config's id is the linked account's
            Assert.EndsWith(" GMT", e.Str("createdAt"), StringComparison.Ordinal);
        }
        Assert.Equal(new[] { other, workflow }.Order(StringComparer.Ordinal),
            all.Where(e => e.Str("event") == "Workflow Enabled").Select(e => e.Str("workflow_id")).Order(StringComparer.Ordinal));
        Assert.Equal(workflow, all.Single(e => e.Str("event") == "Workflow Disabled").Str("workflow_id"));
        Assert.False(all.Single(e => e.Str("event") == "Config Created").TryGetProperty("workflow_id", out _));

        var one = Receiver.At("/one").Select(r => JsonDocument.Parse(r.Body).RootElement).ToList();
        Assert.Equal(2, one.Count); // the other workflow's enablement is filtered out
        Assert.All(one, e => Assert.Equal(workflow, e.Str("workflow_id")));
        Assert.Empty(Receiver.At("/hubspot"));
    }
}

public sealed class SqliteConfigEventTests(SqliteApp<ConfigEventOptions> app) : ConfigEventTests(app), IClassFixture<SqliteApp<ConfigEventOptions>>;

public sealed class PostgresConfigEventTests(PostgresApp<ConfigEventOptions> app) : ConfigEventTests(app), IClassFixture<PostgresApp<ConfigEventOptions>>;

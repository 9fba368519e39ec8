using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Patchbay.Apps;
using Patchbay.Connections;
using Patchbay.Data;
using Patchbay.LinkedAccounts;
using Patchbay.Tests.Infrastructure;
using Patchbay.Webhooks;
using Patchbay.Workers;
using Xunit;
using static Patchbay.Tests.Workflows.WorkflowApi;

namespace Patchbay.Tests.Webhooks;

// Delivery tests' server: loopback reachable (the receiver runs there), 1 s attempt timeout, recover bounded to 2
// messages per call (so that a test reaches the bound).
public sealed class WebhookDeliveryOptions : IAppOptions
{
    public void Configure(AppSetup setup)
    {
        ArgumentNullException.ThrowIfNull(setup);
        setup.Settings["Patchbay:Egress:AllowedNetworks:0"] = "127.0.0.0/8";
        setup.Settings["Patchbay:Webhooks:Timeout"] = "00:00:01";
        setup.Settings["Patchbay:Webhooks:RecoverPerCall"] = "2";
    }
}

// What the webhook delivery tests share: an org of their own, subscriptions, events, running the workers.
public static class WebhookKit
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    public sealed record Org(string Id, string Key, HttpClient Client);

    public static async Task<Org> HookOrgAsync(PatchbayApp app)
    {
        var (id, key, _) = await app.CreateOrgAsync("Hooks " + Guid.NewGuid().ToString("N")[..6]);
        return new Org(id, key, app.ClientFor(key));
    }

    public static async Task<string> SubscribeAsync(Org org, string url, string[] events, object? extra = null)
    {
        var body = new Dictionary<string, object?> { ["webhook_url"] = url, ["webhook_events"] = events };
        if (extra is not null) foreach (var p in JsonSerializer.SerializeToElement(extra).EnumerateObject()) body[p.Name] = p.Value;
        return (await ApiAssert.OkAsync(await org.Client.PostAsJsonAsync("/api/v2/public/webhook", body, Ct))).Str("_id");
    }

    // A connection saved the way a verified connect saves it (ConnectionStore.SaveAsync): "Connection Created".
    public static async Task ConnectAsync(PatchbayApp app, Org org, string accountId, string slug = "hubspot")
    {
        var manifest = app.Services.GetRequiredService<AppCatalog>().Find(slug)!;
        var row = await app.Db.InTransactionAsync(tx => LinkedAccountStore.FindAsync(tx, org.Id, "test", accountId, Ct), Ct);
        await app.Services.GetRequiredService<ConnectionStore>().SaveAsync(row!.Id, manifest, AppManifest.OAuth2,
            new Dictionary<string, string> { ["access_token"] = "t" }, "someone@example.test", app.Time.GetUtcNow(), new ConnectionSchedule(), Ct);
    }

    public static async Task<string> AccountRowIdAsync(PatchbayApp app, Org org, string accountId) =>
        (await app.Db.InTransactionAsync(tx => LinkedAccountStore.FindAsync(tx, org.Id, "test", accountId, Ct), Ct))!.Id;

    // A published start → response workflow run once for the account: "Workflow Completed". Returns (draft, execution).
    public static async Task<(string Draft, string Execution)> RunWorkflowAsync(PatchbayApp app, Org org, string accountId, string name = "Hooked flow")
    {
        var client = app.ClientFor(org.Key, accountId);
        var graph = Graph([Node("start", "start"), Node("out", "response", new { body = "{{payload.n}}" })], [Edge("start", "out")]);
        var (draft, version) = await PublishAsync(client, graph, name);
        var execution = await StartAsync(client, version, new { n = 42 });
        await DrainAsync(app);
        return (draft, execution);
    }

    // Fans out what the outbox holds, then sends every due message and waits for the attempts to be written.
    public static async Task DeliverAsync(PatchbayApp app)
    {
        var outbox = app.Services.GetRequiredService<OutboxWorker>();
        while (await outbox.RunOnceAsync(Ct)) { }
        var delivery = app.Services.GetRequiredService<WebhookDeliveryWorker>();
        while (await delivery.RunOnceAsync(Ct)) { }
        await delivery.WaitIdleAsync(Ct);
    }

    public static string CobaltSignature(string apiKey, string body) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(apiKey), Encoding.UTF8.GetBytes(body)));

    public static async Task<JsonElement> MessagesAsync(Org org, string hook, string? status = null) =>
        (await ApiAssert.OkAsync(await org.Client.GetAsync($"/api/patchbay/v1/webhooks/{hook}/messages" + (status is null ? "" : $"?status={status}"), Ct)))
            .GetProperty("docs");

    public static async Task<JsonElement> AttemptsAsync(Org org, string hook, string message) =>
        await ApiAssert.OkAsync(await org.Client.GetAsync($"/api/patchbay/v1/webhooks/{hook}/messages/{message}/attempts", Ct));
}

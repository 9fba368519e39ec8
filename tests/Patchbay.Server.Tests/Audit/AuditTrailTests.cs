using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Patchbay.Audit;
using Patchbay.Connections;
using Patchbay.Tests.Infrastructure;
using Xunit;
using static Patchbay.Tests.Audit.AuditKit;
using AuditEvents = Patchbay.Audit.AuditEvents;

namespace Patchbay.Tests.Audit;

// Who may read which entries, filters and paging, changes that roll back, the server's own changes (workers), the
// command line, retention.
public abstract partial class AuditTests
{
    [Fact]
    public async Task Tenancy_OtherOrg_ProductionKey_AndSessionTokens_SeeOnlyTheirOwn()
    {
        var (_, keyA, productionA) = await app.CreateOrgAsync("Audit A");
        var (_, keyB, _) = await app.CreateOrgAsync("Audit B");
        var orgA = app.ClientFor(keyA);
        var x = await app.CreateLinkedAccountAsync(apiKey: keyA);
        var y = await app.CreateLinkedAccountAsync(apiKey: keyA);
        await ApiAssert.OkAsync(await orgA.PostAsJsonAsync("/api/v2/public/webhook",
            new { webhook_url = "https://hooks.example.test/a", webhook_events = new[] { "Workflow Completed" } }, Ct));

        var all = await EntriesAsync(orgA);
        Assert.Equal(3, all.Count);
        Assert.Empty(await EntriesAsync(app.ClientFor(keyB)));         // another org
        Assert.Empty(await EntriesAsync(app.ClientFor(productionA)));  // the same org's other environment
        var z = await app.CreateLinkedAccountAsync(apiKey: keyB);
        Assert.Equal([z], (await EntriesAsync(app.ClientFor(keyB))).Select(e => e.Str("linked_account_id")));
        Assert.Equal(3, (await EntriesAsync(orgA)).Count);

        // A session token reads its own account's entries only, whatever it asks for.
        var session = app.SessionClient(await app.CreateSessionTokenAsync(x, keyA));
        var own = Assert.Single(await EntriesAsync(session));
        Assert.Equal((AuditEvents.LinkedAccountCreated, x), (own.Str("event"), own.Str("linked_account_id")));
        Assert.Empty(await EntriesAsync(session, $"linked_account_id={y}"));
        Assert.Single(await EntriesAsync(session, $"linked_account_id={x}"));

        // The org key narrows by account and by event.
        Assert.Equal([y], (await EntriesAsync(orgA, $"linked_account_id={y}")).Select(e => e.Str("linked_account_id")));
        Assert.Equal([AuditEvents.WebhookCreated], (await EntriesAsync(orgA, "event=Webhook%20Created")).Select(e => e.Str("event")));
        Assert.Empty(await EntriesAsync(orgA, "event=Login"));
        await ApiAssert.ErrorAsync(await orgA.GetAsync($"{Trails}?from=yesterday", Ct), 400, "BAD_REQUEST", "VALIDATION_ERROR", "'from' must be an ISO 8601 instant");
        await ApiAssert.ErrorAsync(await orgA.GetAsync($"{Trails}?limit=0", Ct), 400, "BAD_REQUEST", "VALIDATION_ERROR");
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, (await app.CreateClient().GetAsync(Trails, Ct)).StatusCode);

        // Refold's paging envelope.
        var page = await ApiAssert.OkAsync(await orgA.GetAsync($"{Trails}?limit=2&page=2", Ct));
        Assert.Equal((3, 2, 2, 2, true, false), (page.GetProperty("totalDocs").GetInt32(), page.GetProperty("limit").GetInt32(), page.GetProperty("page").GetInt32(),
            page.GetProperty("totalPages").GetInt32(), page.GetProperty("hasPrevPage").GetBoolean(), page.GetProperty("hasNextPage").GetBoolean()));
        Assert.Equal(all[2].Str("_id"), Assert.Single(page.GetProperty("docs").EnumerateArray()).Str("_id"));
    }

    [Fact]
    public async Task ForwardedAddress_IsIgnored_UnlessTheProxyIsTrusted()
    {
        // A node without Patchbay:Http:TrustForwardedHeaders: a client cannot choose the address recorded.
        await using var node = app.CreateNode(new Dictionary<string, string?> { ["Patchbay:Http:TrustForwardedHeaders"] = "false" });
        await node.InitializeAsync();
        var (_, key, _) = await node.CreateOrgAsync("Audit spoof");
        var client = Forwarded(node.ClientFor(key), "203.0.113.99");
        await ApiAssert.OkAsync(await client.PostAsJsonAsync("/api/v2/public/linked-account", new { linked_account_id = PatchbayApp.NewAccountId() }, Ct));
        var entry = Assert.Single(await EntriesAsync(client));
        Assert.NotEqual("203.0.113.99", entry.GetProperty("ip_address").ToString());
        Assert.Equal("api_key", entry.GetProperty("actor").Str("type"));
    }

    [Fact]
    public async Task RolledBackChange_LeavesNoEntry()
    {
        var (_, key, _) = await app.CreateOrgAsync("Audit rollback");
        var org = app.ClientFor(key);
        var accountId = PatchbayApp.NewAccountId();
        // The account row (and its entry) is written before the credentials are found to name another app: all of it rolls back.
        await ApiAssert.ErrorAsync(await org.PostAsJsonAsync("/api/v2/public/linked-account", new
        {
            linked_account_id = accountId, your_app = new { app_id = "000000000000000000000000", auth_credentials = new { api_key = "k" } },
        }, Ct), 400, "BAD_REQUEST", "VALIDATION_ERROR", "A valid app_id is required");
        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await org.GetAsync($"/api/v2/public/linked-account/{accountId}", Ct)).StatusCode);
        Assert.Empty(await EntriesAsync(org));
        Assert.Equal(0, await app.Db.ExecuteScalarAsync<long>("select count(*) from audit_entries where linked_account_id = @accountId", new { accountId }, Ct));
    }

    [Fact]
    public async Task ServerChanges_ConnectionErroredAndExpired_AreTheSystems()
    {
        // A node of its own: this test moves its clock by hours.
        await using var node = app.CreateNode();
        await node.InitializeAsync();
        var (_, key, _) = await node.CreateOrgAsync("Audit workers");
        var account = await node.CreateLinkedAccountAsync(apiKey: key);
        await ApiAssert.OkAsync(await node.ClientFor(key, account).PutAsJsonAsync("/api/v2/public/linked-account/integration/save-key-credentials/stripe",
            new { api_key = FakeProvider.StripeKey }, Ct));
        var worker = node.Services.GetRequiredService<ConnectionCheckWorker>();
        try
        {
            node.Time.Advance(TimeSpan.FromHours(7));
            node.Fake!.StripeDown = true;
            await worker.RunOnceAsync(Ct);
            node.Fake.StripeDown = false;
            node.Fake.StripeKeyRevoked = true;
            node.Time.Advance(TimeSpan.FromHours(1));
            await worker.RunOnceAsync(Ct);
        }
        finally
        {
            node.Fake!.StripeDown = false;
            node.Fake.StripeKeyRevoked = false;
        }

        var entries = await EntriesAsync(node.ClientFor(key));
        Assert.Equal([AuditEvents.ConnectionExpired, AuditEvents.ConnectionErrored, AuditEvents.ConnectionCreated, AuditEvents.LinkedAccountCreated],
            entries.Select(e => e.Str("event")));
        foreach (var entry in entries.Take(2))
        {
            Assert.Equal(("system", account, "stripe"), (entry.GetProperty("actor").Str("type"), entry.Str("linked_account_id"), entry.Str("resource_id")));
            Assert.Equal(System.Text.Json.JsonValueKind.Null, entry.GetProperty("ip_address").ValueKind);
        }
        Assert.Equal("check", entries[1].GetProperty("details").Str("during"));
    }

    [Fact]
    public async Task KeysCommand_RecordsTheRegeneration_AsTheCommandLine()
    {
        var (orgId, _, _) = await app.CreateOrgAsync("Audit CLI");
        var result = await ServerProcess.RunAsync(["keys", "regenerate", "--org", orgId, "--environment", "production"], new Dictionary<string, string>
        {
            ["Patchbay__DataDirectory"] = app.DataDirectory,
            ["Patchbay__Database__Provider"] = app.Provider.ToString(),
            ["Patchbay__Database__ConnectionString"] = app.ConnectionString,
            ["Patchbay__Vault__MasterKey"] = app.MasterKey,
        });
        Assert.True(result.ExitCode == 0, result.Output);
        var line = Assert.Single(result.Stdout.Split('\n'), l => l.Contains("x-api-key: ", StringComparison.Ordinal));
        var key = line[(line.IndexOf("x-api-key: ", StringComparison.Ordinal) + "x-api-key: ".Length)..].Trim();

        var entry = Assert.Single(await EntriesAsync(app.ClientFor(key)));
        Assert.Equal((AuditEvents.ApiKeyRegenerated, "cli", "production"), (entry.Str("event"), entry.GetProperty("actor").Str("type"), entry.Str("environment")));
        Assert.Equal(System.Text.Json.JsonValueKind.Null, entry.GetProperty("ip_address").ValueKind);
        Assert.DoesNotContain(key, entry.GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TimeWindow_AndRetention_DeleteOldEntriesOnly()
    {
        // A node of its own: this test moves its clock by months.
        await using var node = app.CreateNode();
        await node.InitializeAsync();
        var (_, key, _) = await node.CreateOrgAsync("Audit retention");
        var org = node.ClientFor(key);
        var start = node.Time.GetUtcNow();
        var old = await node.CreateLinkedAccountAsync(apiKey: key);
        node.Time.Advance(TimeSpan.FromDays(89));
        var recent = await node.CreateLinkedAccountAsync(apiKey: key);

        string At(DateTimeOffset t) => Uri.EscapeDataString(t.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal([recent], (await EntriesAsync(org, $"from={At(start.AddDays(1))}")).Select(e => e.Str("linked_account_id")));
        Assert.Equal([old], (await EntriesAsync(org, $"to={At(start.AddDays(1))}")).Select(e => e.Str("linked_account_id")));
        Assert.Empty(await EntriesAsync(org, $"from={At(start.AddDays(1))}&to={At(start.AddDays(2))}"));

        // 91 days after the first entry, 2 after the second: the default retention (90 days) takes the first only.
        node.Time.Advance(TimeSpan.FromDays(2));
        await node.Services.GetRequiredService<AuditRetentionWorker>().RunOnceAsync(Ct);
        Assert.Equal([recent], (await EntriesAsync(org)).Select(e => e.Str("linked_account_id")));
    }
}

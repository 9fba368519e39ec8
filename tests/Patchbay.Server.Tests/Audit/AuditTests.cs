using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Patchbay.Tests.Infrastructure;
using Xunit;
using static Patchbay.Tests.Audit.AuditKit;
using static Patchbay.Tests.Configs.ConfigApi;
using static Patchbay.Tests.Workflows.WorkflowApi;
using AuditEvents = Patchbay.Audit.AuditEvents;

namespace Patchbay.Tests.Audit;

// The audit log through the public API: every security-relevant change of every feature leaves one entry, in the
// change's own transaction, naming who made it (key, session, admin, command line, the server) and from where, with
// no secret in it. Tenancy, filters, retention: AuditTrailTests.cs.
public abstract partial class AuditTests(PatchbayApp app)
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    const string KeyAddress = "203.0.113.7";
    const string SessionAddress = "198.51.100.9";
    const string AdminAddress = "192.0.2.44";

    [Fact]
    public async Task EveryChange_LeavesItsEntry_WithActorAddressAndRequestId_AndNoSecret()
    {
        var (orgId, key, _) = await app.CreateOrgAsync("Audited " + Guid.NewGuid().ToString("N")[..6]);
        var org = Forwarded(app.ClientFor(key), KeyAddress);
        var secrets = new List<string> { key, FakeProvider.StripeKey };
        string Secret(string kind)
        {
            var value = $"{kind}-{Guid.NewGuid():N}";
            secrets.Add(value);
            return value;
        }

        // Linked account: created with a credential of the org's own app, updated.
        var accountId = PatchbayApp.NewAccountId();
        await ApiAssert.OkAsync(await org.PostAsJsonAsync("/api/v2/public/linked-account", new
        {
            linked_account_id = accountId, name = "Audited",
            your_app = new { auth_credentials = new Dictionary<string, string> { ["api_key"] = Secret("your-app") } },
        }, Ct));
        await ApiAssert.OkAsync(await org.PutAsJsonAsync("/api/v2/public/linked-account", new { linked_account_id = accountId, name = "Audited again" }, Ct));
        var account = Forwarded(app.ClientFor(key, accountId), KeyAddress);

        // Connection: a verified API key.
        await ApiAssert.OkAsync(await account.PutAsJsonAsync("/api/v2/public/linked-account/integration/save-key-credentials/stripe",
            new { api_key = FakeProvider.StripeKey }, Ct));

        // Webhook: a token in its URL and a secret header; its signing secret rotated; deleted.
        var created = await org.PostAsJsonAsync("/api/v2/public/webhook", new
        {
            webhook_url = $"https://hooks.example.test/in?token={Secret("url")}", webhook_events = new[] { "Workflow Completed" },
            webhook_headers = new Dictionary<string, string> { ["authorization"] = "Bearer " + Secret("header") },
        }, Ct);
        var webhookRequestId = created.Headers.GetValues("X-Trace-ID").Single();
        var webhook = (await ApiAssert.OkAsync(created)).Str("_id");
        secrets.Add((await ApiAssert.OkAsync(await org.GetAsync($"/api/patchbay/v1/webhooks/{webhook}/secret", Ct))).Str("secret"));
        await ApiAssert.OkAsync(await org.PutAsJsonAsync($"/api/v2/public/webhook/{webhook}", new { webhook_events = new[] { "Workflow Errored" } }, Ct));
        var rotated = await ApiAssert.OkAsync(await org.PostAsync($"/api/patchbay/v1/webhooks/{webhook}/secret/rotate", Body(new { }), Ct));
        secrets.AddRange(rotated.EnumerateObject().Where(p => p.Value.ValueKind == JsonValueKind.String && p.Value.GetString()!.StartsWith("whsec_", StringComparison.Ordinal))
            .Select(p => p.Value.GetString()!));
        await ApiAssert.OkAsync(await org.DeleteAsync($"/api/v2/public/webhook/{webhook}", Ct));

        // Environment variables: an encrypted definition, its value set, replaced, deleted; the definition changed, deleted.
        var definition = await EnvironmentVariables.EnvApi.DefineAsync(org, "AUDIT_TOKEN", "org", encrypted: true);
        await EnvironmentVariables.EnvApi.SetAsync(org, new { variable_definition_id = definition, value = Secret("env") });
        var value = (await EnvironmentVariables.EnvApi.SetAsync(org, new { variable_definition_id = definition, value = Secret("env") })).Str("_id");
        await ApiAssert.OkAsync(await org.DeleteAsync($"/api/v2/public/env/values/{value}", Ct));
        await ApiAssert.OkAsync(await org.PatchAsJsonAsync($"{EnvironmentVariables.EnvApi.Definitions}/{definition}", new { description = "rotated" }, Ct));
        await ApiAssert.OkAsync(await org.DeleteAsync($"{EnvironmentVariables.EnvApi.Definitions}/{definition}", Ct));

        // Config: a password field's value, a workflow enabled then disabled, the config deleted.
        var password = (await DefineAsync(org, "stripe", new { name = "Token", field_type = "password" })).Str("id");
        var listener = await PublicWorkflowAsync(org, "stripe", "Audited listener", Graph(
            [Node("start", "start", new { trigger = new { type = "event", @event = "audited" } }), Node("out", "response", new { body = "ok" })], [Edge("start", "out")]));
        await ConfigAsync(account, new { slug = "stripe", fields = new Dictionary<string, object> { [password] = Secret("password") } });
        await UpdateAsync(account, new
        {
            slug = "stripe", fields = new Dictionary<string, object> { [password] = Secret("password") },
            workflows = new[] { new { id = listener, enabled = true } },
        });
        await UpdateAsync(account, new { slug = "stripe", workflows = new[] { new { id = listener, enabled = false } } });
        await ApiAssert.OkAsync(await account.DeleteAsync("/api/v2/public/slug/stripe/config", Ct));

        // A private workflow: created, edited, published, scheduled, unscheduled, unpublished, deleted.
        var (draft, version) = await PublishAsync(account, Graph([Node("start", "start"), Node("out", "response", new { body = "x" })], [Edge("start", "out")]), "Audited flow");
        using var register = new HttpRequestMessage(HttpMethod.Post, "/api/v1/workflow/public/scheduled")
        {
            Content = Body(new { trigger_type = "cron", regex = "*/5 * * * *", tz = "UTC", payload = new { token = Secret("payload") } }),
        };
        register.Headers.Add("slug", "custom");
        register.Headers.Add("workflow_id_alias", draft);
        register.Headers.Add("config_id", accountId);
        var schedule = (await ApiAssert.OkAsync(await account.SendAsync(register, Ct))).Str("_id");
        await ApiAssert.OkAsync(await account.DeleteAsync($"/api/v1/workflow/public/scheduled/{schedule}", Ct));
        await ApiAssert.OkAsync(await account.PutAsync($"/api/v2/public/workflow/{version}/publish", Body(new { published = false }), Ct));
        await ApiAssert.OkAsync(await account.DeleteAsync($"/api/v2/public/workflow/{draft}", Ct));

        // A table: created, columns added, removed, renamed; deleted.
        var table = (await ApiAssert.OkAsync(await account.PostAsJsonAsync("/api/v2/public/tables",
            new { table_name = "audited", columns = new[] { new { column_name = "a" }, new { column_name = "b" } } }, Ct))).Str("table_id");
        await ApiAssert.OkAsync(await account.PatchAsJsonAsync($"/api/v2/public/tables/{table}/columns/add", new { columns = new[] { "c" } }, Ct));
        using var remove = new HttpRequestMessage(HttpMethod.Delete, $"/api/v2/public/tables/{table}/columns/remove") { Content = Body(new { columns = new[] { "b" } }) };
        await ApiAssert.OkAsync(await account.SendAsync(remove, Ct));
        await ApiAssert.OkAsync(await account.PatchAsJsonAsync($"/api/v2/public/tables/{table}/columns/rename",
            new { renames = new[] { new { old_name = "a", new_name = "z" } } }, Ct));
        await ApiAssert.OkAsync(await account.DeleteAsync($"/api/v2/public/tables/{table}", Ct));

        // The account's own user, through a session token.
        var token = await app.CreateSessionTokenAsync(accountId, key);
        secrets.Add(token);
        var session = Forwarded(app.SessionClient(token), SessionAddress);
        await ApiAssert.OkAsync(await session.PutAsJsonAsync("/api/v2/public/linked-account", new { name = "Renamed by its user" }, Ct));

        // Disconnected, then the account deleted; the production key regenerated by the operator.
        await ApiAssert.OkAsync(await account.DeleteAsync("/api/v2/public/linked-account/integration/stripe", Ct));
        await ApiAssert.OkAsync(await org.DeleteAsync($"/api/v2/public/linked-account/{accountId}", Ct));
        var admin = Forwarded(app.AdminClient(), AdminAddress);
        var production = (await ApiAssert.OkAsync(await admin.PostAsync($"/admin/v1/orgs/{orgId}/api-keys/production/regenerate", null, Ct))).Str("api_key");
        secrets.Add(production);

        var entries = await EntriesAsync(org);
        string[] expected =
        [
            AuditEvents.LinkedAccountCreated, AuditEvents.LinkedAccountUpdated, AuditEvents.LinkedAccountDeleted,
            AuditEvents.ConnectionCreated, AuditEvents.ConnectionDisconnected,
            AuditEvents.WebhookCreated, AuditEvents.WebhookUpdated, AuditEvents.WebhookDeleted,
            AuditEvents.EnvironmentVariableCreated, AuditEvents.EnvironmentVariableUpdated, AuditEvents.EnvironmentVariableDeleted,
            AuditEvents.VariableValueSet, AuditEvents.VariableValueUpdated, AuditEvents.VariableValueDeleted,
            AuditEvents.ConfigCreated, AuditEvents.ConfigUpdated, AuditEvents.ConfigDeleted, AuditEvents.WorkflowEnabled, AuditEvents.WorkflowDisabled,
            AuditEvents.WorkflowCreated, AuditEvents.DraftWorkflowUpdated, AuditEvents.WorkflowPublished, AuditEvents.WorkflowUnpublished, AuditEvents.WorkflowDeleted,
            AuditEvents.ScheduleCreated, AuditEvents.ScheduleDeleted,
            AuditEvents.TableCreated, AuditEvents.TableColumnsAdded, AuditEvents.TableColumnsRemoved, AuditEvents.TableColumnsRenamed, AuditEvents.TableDeleted,
        ];
        Assert.Equal(expected.Order(StringComparer.Ordinal), entries.Select(e => e.Str("event")).Distinct().Order(StringComparer.Ordinal));
        Assert.All(entries, e => Assert.Equal("test", e.Str("environment")));

        // Who and from where: the key's requests name the key; the session's its account; all the forwarded address.
        var byKey = entries.Where(e => e.GetProperty("actor").Str("type") == "api_key").ToList();
        Assert.Single(byKey.Select(e => e.GetProperty("actor").Str("id")).Distinct());
        Assert.All(byKey, e => Assert.Equal(KeyAddress, e.Str("ip_address")));
        Assert.All(entries, e => Assert.False(string.IsNullOrEmpty(e.Str("request_id"))));
        var bySession = Assert.Single(entries, e => e.GetProperty("actor").Str("type") == "session_token");
        Assert.Equal((AuditEvents.LinkedAccountUpdated, accountId, SessionAddress), (bySession.Str("event"), bySession.Str("linked_account_id"), bySession.Str("ip_address")));
        Assert.Equal(byKey.Count + 1, entries.Count);
        Assert.Equal(webhookRequestId, OneOf(entries, AuditEvents.WebhookCreated).Str("request_id"));
        Assert.Equal(webhook, OneOf(entries, AuditEvents.WebhookCreated).Str("resource_id"));
        Assert.Equal("https://hooks.example.test/in", OneOf(entries, AuditEvents.WebhookCreated).GetProperty("details").Str("webhook_url"));
        var connected = OneOf(entries, AuditEvents.ConnectionCreated);
        Assert.Equal((accountId, "stripe"), (connected.Str("linked_account_id"), connected.GetProperty("details").Str("app")));
        Assert.Equal(listener, OneOf(entries, AuditEvents.WorkflowEnabled).Str("resource_id"));
        Assert.Equal(2, entries.Count(e => e.Str("event") == AuditEvents.WorkflowPublished)); // the listener and the private flow
        Assert.Equal(["c"], OneOf(entries, AuditEvents.TableColumnsAdded).GetProperty("details").GetProperty("columns").EnumerateArray().Select(c => c.GetString()));

        // Newest first.
        var times = entries.Select(e => e.GetProperty("createdAt").GetDateTimeOffset()).ToList();
        Assert.Equal(times.OrderDescending(), times);
        Assert.Equal(AuditEvents.LinkedAccountDeleted, entries[0].Str("event"));

        // The operator's change is in the production environment, read with the new production key.
        var regenerated = Assert.Single(await EntriesAsync(app.ClientFor(production)));
        Assert.Equal((AuditEvents.ApiKeyRegenerated, "admin", AdminAddress), (regenerated.Str("event"), regenerated.GetProperty("actor").Str("type"), regenerated.Str("ip_address")));

        // No secret anywhere: not on the wire, not in the table.
        var wire = new StringBuilder();
        foreach (var client in new[] { org, app.ClientFor(production) })
        {
            for (var page = 1; page < 100; page++)
            {
                var text = await (await client.GetAsync($"{Trails}?limit=10&page={page}", Ct)).Content.ReadAsStringAsync(Ct);
                wire.Append(text);
                if (!text.Contains("\"hasNextPage\":true", StringComparison.Ordinal)) break;
            }
        }
        var stored = string.Join("\n", await app.Db.QueryAsync<string>(
            "select details || coalesce(actor_id, '') || coalesce(resource_id, '') from audit_entries where org_id = @orgId", new { orgId }, Ct));
        Assert.Contains("Audited again", stored, StringComparison.Ordinal); // the summaries are there
        foreach (var secret in secrets)
        {
            Assert.DoesNotContain(secret, wire.ToString(), StringComparison.Ordinal);
            Assert.DoesNotContain(secret, stored, StringComparison.Ordinal);
        }
    }
}

public sealed class SqliteAuditTests(SqliteApp<AuditTestOptions> app) : AuditTests(app), IClassFixture<SqliteApp<AuditTestOptions>>;
public sealed class PostgresAuditTests(PostgresApp<AuditTestOptions> app) : AuditTests(app), IClassFixture<PostgresApp<AuditTestOptions>>;

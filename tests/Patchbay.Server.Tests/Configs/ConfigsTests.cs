using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Patchbay.Configs;
using Patchbay.Tests.Contract;
using Patchbay.Tests.Infrastructure;
using Patchbay.Workers;
using Xunit;
using static Patchbay.Tests.Configs.ConfigApi;
using static Patchbay.Tests.Workflows.WorkflowApi;

namespace Patchbay.Tests.Configs;

// Configs (CF1–CF8) over HTTP: get-or-create, named configs, labels, deletes, the SDK mirrors, the workflow toggle,
// tenancy, and the outbox messages written with each change.
public abstract class ConfigsTests(PatchbayApp app)
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    static readonly JsonObject Echo = Graph([Node("start", "start"), Node("out", "response", new { body = new { ok = true } })], [Edge("start", "out")]);

    [Fact]
    public async Task GetOrCreate_CreatesOnce_NamedConfigsApart_AutoEnable_ListGetDelete()
    {
        var (key, account) = await OrgAsync(app);
        var org = app.ClientFor(key);
        var client = app.ClientFor(key, account);
        var manual = await PublicWorkflowAsync(org, "stripe", "Manual", (JsonObject)Echo.DeepClone());
        var auto = Graph([Node("start", "start"), Node("out", "response", new { body = new { ok = true } })], [Edge("start", "out")], new { autoEnable = true });
        var automatic = await PublicWorkflowAsync(org, "stripe", "Automatic", auto);
        // Refold's workflow document has autoEnable (and data_slots) at its top level: the same as in settings.
        var topLevel = (JsonObject)Echo.DeepClone();
        topLevel["autoEnable"] = true;
        topLevel["data_slots"] = new JsonArray(new JsonObject { ["id"] = "channel", ["name"] = "Channel", ["field_type"] = "text" });
        var refoldStyle = await PublicWorkflowAsync(org, "stripe", "Refold style", topLevel);
        var read = await ApiAssert.OkAsync(await org.GetAsync($"/api/v2/public/workflow/{refoldStyle}", Ct));
        Assert.True(read.GetProperty("autoEnable").GetBoolean());
        await ApiAssert.ErrorAsync(await org.PutAsync($"/api/v2/public/workflow/{refoldStyle}", Body(new { autoEnable = "yes" }), Ct), 400, "BAD_REQUEST", "VALIDATION_ERROR",
            "'autoEnable' must be true or false");
        await DefineAsync(org, "stripe", new { name = "Region", field_type = "text", defaultValue = "eu" });

        var noApp = await ApiAssert.ErrorAsync(await client.PostAsync("/api/v2/public/config", Body(new { slug = "unknown-app" }), Ct), 404, "NOT_FOUND", "INVALID_APP_ID");
        Assert.StartsWith("Application with app_type 'unknown-app' not found for org ", noApp.Str("message"), StringComparison.Ordinal);
        await ApiAssert.ErrorAsync(await client.PostAsync("/api/v2/public/config", Body(new { config_id = "x" }), Ct), 400, "BAD_REQUEST", "VALIDATION_ERROR", "'slug' is required");
        await ApiAssert.ErrorAsync(await client.GetAsync("/api/v2/public/slug/stripe/config", Ct), 404, "NOT_FOUND", "SERVER_ERROR", $"Config with config id {account} not found");
        await ApiAssert.ErrorAsync(await client.PutAsync("/api/v2/public/config", Body(new { slug = "stripe", config_id = "never" }), Ct), 404, "NOT_FOUND", "SERVER_ERROR",
            "Config with config id never not found");
        await ApiAssert.ErrorAsync(await app.ClientFor(key).PostAsync("/api/v2/public/config", Body(new { slug = "stripe" }), Ct), 400, "BAD_REQUEST", "MISSING_LINKED_ACCOUNT_ID");

        var created = await ConfigAsync(client, new { slug = "stripe", labels = new[] { new { name = "Email", value = "email" } } });
        Assert.Equal(account, created.Str("config_id"));
        Assert.Equal("stripe", created.Str("slug"));
        Assert.Equal("eu", Assert.Single(created.GetProperty("fields").EnumerateArray()).Str("defaultValue"));
        Assert.False(Workflow(created, manual).GetProperty("enabled").GetBoolean());
        Assert.True(Workflow(created, automatic).GetProperty("enabled").GetBoolean()); // autoEnable (the app need not be connected for it)
        Assert.True(Workflow(created, refoldStyle).GetProperty("enabled").GetBoolean());
        Assert.Equal("channel", Assert.Single(Workflow(created, refoldStyle).GetProperty("fields").EnumerateArray()).Str("id"));
        Assert.Equal("", Workflow(created, manual).Str("icon")); // Refold's config workflows carry an icon; Patchbay's workflows have none

        var again = await ConfigAsync(client, new { slug = "stripe" });
        Assert.Equal(created.GetRawText(), again.GetRawText());
        var named = await ConfigAsync(client, new { slug = "stripe", config_id = "pipeline-sales", labels = new { contact = new[] { new { name = "Email", value = "email" } } } });
        Assert.Equal("pipeline-sales", named.Str("config_id"));
        await ConfigAsync(client, new { slug = "stripe", config_id = "flat", labels = new { email = "Email" } }); // the third labels format

        var list = await ApiAssert.OkAsync(await client.GetAsync("/api/v2/public/slug/stripe/configs", Ct));
        RefoldOpenApi.AssertResponse("GET", "/api/v2/public/slug/{slug}/configs", 200, list);
        Assert.Equal([account, "pipeline-sales", "flat"], list.EnumerateArray().Select(c => c.Str("config_id")));
        // A create may turn an auto-enabled workflow off, or name it on (it is on already: no connection needed).
        var autoOff = await ConfigAsync(client, new { slug = "stripe", config_id = "auto-off", workflows = new[] { new { id = automatic, enabled = false } } });
        Assert.False(Workflow(autoOff, automatic).GetProperty("enabled").GetBoolean());
        Assert.True(Workflow(autoOff, refoldStyle).GetProperty("enabled").GetBoolean());
        var autoOn = await ConfigAsync(client, new { slug = "stripe", config_id = "auto-on", workflows = new[] { new { id = automatic, enabled = true } } });
        Assert.True(Workflow(autoOn, automatic).GetProperty("enabled").GetBoolean());

        Assert.Equal(account, (await GetAsync(client, "stripe")).Str("config_id"));
        Assert.Equal("pipeline-sales", (await GetAsync(client, "stripe", "pipeline-sales")).Str("config_id"));
        using (var withBody = new HttpRequestMessage(HttpMethod.Get, "/api/v2/public/slug/stripe/config/") { Content = Body(new { tenant_config = true }) })
            Assert.Equal(account, (await ApiAssert.OkAsync(await client.SendAsync(withBody, Ct))).Str("config_id")); // body tolerated, trailing slash = default

        var deleted = await ApiAssert.OkAsync(await client.DeleteAsync("/api/v2/public/slug/stripe/config/pipeline-sales", Ct));
        RefoldOpenApi.AssertResponse("DELETE", "/api/v2/public/slug/{slug}/config/{configId}", 200, deleted);
        Assert.Equal("""{"message":"Installation Deleted Success"}""", deleted.GetRawText());
        await ApiAssert.ErrorAsync(await client.DeleteAsync("/api/v2/public/slug/stripe/config/pipeline-sales", Ct), 404, "NOT_FOUND", "SERVER_ERROR",
            "Config with config id pipeline-sales not found");
        var deletedDefault = await ApiAssert.OkAsync(await client.DeleteAsync("/api/v2/public/slug/stripe/config", Ct));
        RefoldOpenApi.AssertResponse("DELETE", "/api/v2/public/slug/{slug}/config", 200, deletedDefault);
        await ApiAssert.ErrorAsync(await client.GetAsync("/api/v2/public/slug/stripe/config", Ct), 404, "NOT_FOUND", "SERVER_ERROR", $"Config with config id {account} not found");
    }

    [Fact]
    public async Task InputForms_Synonyms_FieldsAsAnArray_WorkflowDataSlots_DeleteWithABody()
    {
        var (key, account) = await OrgAsync(app);
        var org = app.ClientFor(key);
        var client = app.ClientFor(key, account);
        var region = (await DefineAsync(org, "stripe", new { name = "Region", field_type = "text" })).Str("id");
        var limit = (await DefineAsync(org, "stripe", new { name = "Limit", field_type = "number", defaultValue = 5 })).Str("id");
        var mapping = (await DefineAsync(org, "stripe", new { name = "Mapping", field_type = "map", options = new[] { new { name = "E-mail", value = "email_address" } } })).Str("id");
        var workflow = await PublicWorkflowAsync(org, "stripe", "Own fields", Graph([Node("start", "start"), Node("out", "response", new { body = new { ok = true } })],
            [Edge("start", "out")], new { data_slots = new object[] { new { id = "channel", name = "Channel", field_type = "text" } } }));

        // application_data_slots = fields, map_fields_object = labels (here the array format).
        var created = await ConfigAsync(client, new
        {
            slug = "stripe",
            application_data_slots = new Dictionary<string, object> { [region] = "eu", [mapping] = new { email = "email_address" } },
            map_fields_object = new[] { new { name = "Email", value = "email" } },
        });
        Assert.Equal("eu", Field(created, region).Str("value"));
        Assert.Equal("""{"email":"Email"}""", Field(created, mapping).GetProperty("labels").GetRawText());
        await ApiAssert.ErrorAsync(await client.PutAsync("/api/v2/public/config", Body(new { slug = "stripe", application_data_slots = new Dictionary<string, object> { [limit] = "many" } }), Ct),
            400, "BAD_REQUEST", "VALIDATION_ERROR", $"Field 'Limit' ({limit}) must be a number");

        // fields as an array of {id, value} (an item without a value leaves its field), workflows[].data_slots = fields.
        var updated = await UpdateAsync(client, new
        {
            slug = "stripe",
            fields = new object[] { new { id = region, value = "us" }, new { id = limit } },
            workflows = new[] { new { id = workflow, data_slots = new Dictionary<string, object> { ["channel"] = "#sales" } } },
        });
        Assert.Equal("us", Field(updated, region).Str("value"));
        Assert.False(Field(updated, limit).TryGetProperty("value", out _));
        Assert.Equal("#sales", Assert.Single(Workflow(updated, workflow).GetProperty("fields").EnumerateArray()).Str("value"));
        Assert.False(Workflow(updated, workflow).GetProperty("enabled").GetBoolean());
        await ApiAssert.ErrorAsync(await client.PutAsync("/api/v2/public/config", Body(new { slug = "stripe", fields = new object[] { new { value = 1 } } }), Ct),
            400, "BAD_REQUEST", "VALIDATION_ERROR", "'fields[0]' must be a field with an 'id'");

        // DELETE with a JSON body (as some SDKs send one): the body is not read.
        using (var delete = new HttpRequestMessage(HttpMethod.Delete, "/api/v2/public/slug/stripe/config") { Content = Body(new { config_id = "ignored", tenant_config = true }) })
            Assert.Equal("Installation Deleted Success", (await ApiAssert.OkAsync(await client.SendAsync(delete, Ct))).Str("message"));
        await ApiAssert.ErrorAsync(await client.GetAsync("/api/v2/public/slug/stripe/config", Ct), 404, "NOT_FOUND", "SERVER_ERROR", $"Config with config id {account} not found");
    }

    [Fact]
    public async Task Toggle_NeedsARealConfig_AndAPublicWorkflowOfTheApp_ChangesOnlyThatConfig()
    {
        var (key, account) = await OrgAsync(app);
        var org = app.ClientFor(key);
        var client = app.ClientFor(key, account);
        var workflow = await PublicWorkflowAsync(org, "stripe", "Sync", (JsonObject)Echo.DeepClone());
        var other = await PublicWorkflowAsync(org, "custom", "Other app", (JsonObject)Echo.DeepClone());
        var path = $"/api/v2/public/slug/stripe/config/{account}/workflows/{workflow}";

        await ApiAssert.ErrorAsync(await client.PatchAsync(path, Body(new { enabled = true }), Ct), 404, "NOT_FOUND", "SERVER_ERROR", $"Config with config id {account} not found");
        await ConfigAsync(client, new { slug = "stripe" });
        await ConfigAsync(client, new { slug = "stripe", config_id = "second" });
        await ApiAssert.ErrorAsync(await client.PatchAsync(path, Body(new { enabled = "yes" }), Ct), 400, "BAD_REQUEST", "VALIDATION_ERROR", "'enabled' (true or false) is required");
        await ApiAssert.ErrorAsync(await client.PatchAsync($"/api/v2/public/slug/stripe/config/{account}/workflows/{other}", Body(new { enabled = true }), Ct),
            404, "NOT_FOUND", "RESOURCE_NOT_FOUND", $"No public workflow {other} for application 'stripe'");

        // Enabling needs the app connected; disabling never does. The same rule for workflows[] in a create or update.
        var notConnected = $"Application Stripe ('stripe') is not connected for linked account {account}: connect it before enabling its workflows";
        await ApiAssert.ErrorAsync(await client.PatchAsync(path, Body(new { enabled = true }), Ct), 400, "BAD_REQUEST", "SERVER_ERROR", notConnected);
        await ApiAssert.ErrorAsync(await client.PutAsync("/api/v2/public/config", Body(new { slug = "stripe", workflows = new[] { new { id = workflow, enabled = true } } }), Ct),
            400, "BAD_REQUEST", "SERVER_ERROR", notConnected);
        await ApiAssert.ErrorAsync(await client.PostAsync("/api/v2/public/config", Body(new { slug = "stripe", config_id = "third", workflows = new[] { new { id = workflow, enabled = true } } }), Ct),
            400, "BAD_REQUEST", "SERVER_ERROR", notConnected);
        await ApiAssert.ErrorAsync(await client.GetAsync("/api/v2/public/slug/stripe/config/third", Ct), 404, "NOT_FOUND", "SERVER_ERROR"); // not created
        Assert.False(Workflow(await GetAsync(client, "stripe"), workflow).GetProperty("enabled").GetBoolean());
        await ApiAssert.OkAsync(await client.PatchAsync(path, Body(new { enabled = false }), Ct));
        await ConnectStripeAsync(client);

        var toggled = await ApiAssert.OkAsync(await client.PatchAsync(path, Body(new { enabled = true }), Ct));
        RefoldOpenApi.AssertResponse("PATCH", "/api/v2/public/slug/{slug}/config/{configId}/workflows/{workflowId}", 200, toggled);
        var entry = Assert.Single(toggled.GetProperty("workflows").EnumerateArray());
        Assert.Equal(workflow, entry.Str("id"));
        Assert.True(entry.GetProperty("enabled").GetBoolean());
        Assert.True(Workflow(await GetAsync(client, "stripe"), workflow).GetProperty("enabled").GetBoolean());
        Assert.False(Workflow(await GetAsync(client, "stripe", "second"), workflow).GetProperty("enabled").GetBoolean());

        var enabled = await ApiAssert.OkAsync(await client.GetAsync("/api/v2/public/workflow/enabled", Ct));
        RefoldOpenApi.AssertResponse("GET", "/api/v2/public/workflow/enabled", 200, enabled);
        Assert.Equal(account, Assert.Single(enabled.EnumerateArray()).Str("config_id"));

        // The connection expires: what is on stays on (and may be sent again as on), what is off cannot be turned on,
        // and turning off is allowed.
        await app.Db.ExecuteAsync("""
            update connections set status = 'expired'
            where integration_id in (select i.id from integrations i join linked_accounts a on a.id = i.linked_account_id where a.account_id = @account)
            """, new { account }, Ct);
        await UpdateAsync(client, new { slug = "stripe", workflows = new[] { new { id = workflow, enabled = true } } });
        await ApiAssert.ErrorAsync(await client.PatchAsync($"/api/v2/public/slug/stripe/config/second/workflows/{workflow}", Body(new { enabled = true }), Ct),
            400, "BAD_REQUEST", "SERVER_ERROR", notConnected);
        var off = await ApiAssert.OkAsync(await client.PatchAsync(path, Body(new { enabled = false }), Ct));
        Assert.False(Assert.Single(off.GetProperty("workflows").EnumerateArray()).GetProperty("enabled").GetBoolean());
        Assert.Empty((await ApiAssert.OkAsync(await client.GetAsync("/api/v2/public/workflow/enabled", Ct))).EnumerateArray());
        await ApiAssert.ErrorAsync(await client.PatchAsync(path, Body(new { enabled = true }), Ct), 400, "BAD_REQUEST", "SERVER_ERROR", notConnected);
    }

    [Fact]
    public async Task FrontendSdkMirrors_WorkWithTheSessionToken_ForItsOwnAccountOnly()
    {
        var (key, account) = await OrgAsync(app);
        var token = await app.CreateSessionTokenAsync(account, key);
        var sdk = app.SessionClient(token);
        var config = await ApiAssert.OkAsync(await sdk.PostAsync("/api/v2/f-sdk/config", Body(new { slug = "stripe", labels = Array.Empty<object>() }), Ct));
        RefoldOpenApi.AssertResponse("POST", "/api/v2/public/config", 200, config);
        Assert.Equal(account, config.Str("config_id"));
        Assert.Equal(account, (await ApiAssert.OkAsync(await sdk.GetAsync("/api/v2/f-sdk/slug/stripe/config", Ct))).Str("config_id"));
        var updated = await ApiAssert.OkAsync(await sdk.PutAsync("/api/v2/f-sdk/config", Body(new { slug = "stripe", fields = new { } }), Ct));
        RefoldOpenApi.AssertResponse("PUT", "/api/v2/public/config", 200, updated);
        await ApiAssert.OkAsync(await sdk.DeleteAsync("/api/v2/f-sdk/slug/stripe/config", Ct));
        await ApiAssert.ErrorAsync(await sdk.GetAsync($"/api/v2/f-sdk/slug/stripe/config/{account}", Ct), 404, "NOT_FOUND", "SERVER_ERROR");
    }

    [Fact]
    public async Task Tenancy_OtherOrgsKey_ProductionKey_OtherAccountsToken_NeverReachAccountAsConfig()
    {
        var (_, key, productionKey) = await app.CreateOrgAsync("Config Tenant A");
        var account = await app.CreateLinkedAccountAsync(apiKey: key);
        var org = app.ClientFor(key);
        var field = (await DefineAsync(org, "stripe", new { name = "Secret", field_type = "password" })).Str("id");
        var client = app.ClientFor(key, account);
        await ConfigAsync(client, new { slug = "stripe", config_id = "mine" });
        await UpdateAsync(client, new { slug = "stripe", config_id = "mine", fields = new Dictionary<string, object> { [field] = "tenant-a-secret" } });
        var variable = await EnvironmentVariables.EnvApi.DefineAsync(org, "TENANT_REGION", "linked_account");
        await EnvironmentVariables.EnvApi.SetAsync(org, new { variable_definition_id = variable, value = "eu-a", linked_account_id = account });

        var (_, otherKey, _) = await app.CreateOrgAsync("Config Tenant B");
        var intruders = new List<HttpClient>
        {
            app.ClientFor(otherKey, account),                                 // org B's key naming A's account id
            app.ClientFor(productionKey, account),                            // the production key of A's own org
            app.ClientFor(app.ProductionApiKey, account),                     // a production key of another org
        };
        var other = await app.CreateLinkedAccountAsync(apiKey: key);
        intruders.Add(app.SessionClient(await app.CreateSessionTokenAsync(other, key))); // another account's token, same org
        foreach (var intruder in intruders)
        {
            Assert.NotEqual(HttpStatusCode.OK, (await intruder.GetAsync("/api/v2/public/slug/stripe/config/mine", Ct)).StatusCode);
            Assert.NotEqual(HttpStatusCode.OK, (await intruder.PutAsync("/api/v2/public/config",
                Body(new { slug = "stripe", config_id = "mine", fields = new Dictionary<string, object> { [field] = "stolen" } }), Ct)).StatusCode);
            using (var get = FieldRequest(HttpMethod.Get, "stripe", $"field/{field}?config_id=mine"))
            {
                // The same org's other account sees the org's field definition, never A's value.
                var read = await intruder.SendAsync(get, Ct);
                if (read.StatusCode == HttpStatusCode.OK) Assert.False(JsonDocument.Parse(await read.Content.ReadAsStringAsync(Ct)).RootElement.TryGetProperty("value", out _));
            }
            using (var put = FieldRequest(HttpMethod.Put, "stripe", $"field/{field}?config_id=mine", new { value = "stolen" }))
                Assert.NotEqual(HttpStatusCode.OK, (await intruder.SendAsync(put, Ct)).StatusCode);
            using (var clear = FieldRequest(HttpMethod.Delete, "stripe", $"field/{field}?config_id=mine"))
                Assert.NotEqual(HttpStatusCode.OK, (await intruder.SendAsync(clear, Ct)).StatusCode);
            Assert.NotEqual(HttpStatusCode.OK, (await intruder.DeleteAsync("/api/v2/public/slug/stripe/config/mine", Ct)).StatusCode);
            var theirs = await intruder.GetAsync("/api/v2/public/slug/stripe/configs", Ct);
            if (theirs.StatusCode == HttpStatusCode.OK) Assert.DoesNotContain("mine", await theirs.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
            // A's variable value: not readable, not replaceable.
            var value = await intruder.GetAsync($"/api/v2/public/env/value/{variable}?linked_account_id={account}", Ct);
            if (value.StatusCode == HttpStatusCode.OK) Assert.DoesNotContain("eu-a", await value.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
            // (A session token sets its own account's value whatever it names: A's is checked unchanged below.)
            await intruder.PostAsync("/api/v2/public/env/values", Body(new { variable_definition_id = variable, value = "stolen", linked_account_id = account }), Ct);
        }
        // Org B's key cannot manage org A's field definitions either (its own list for the app is empty).
        Assert.Equal("[]", (await ApiAssert.OkAsync(await app.ClientFor(otherKey).GetAsync("/api/patchbay/v1/apps/stripe/config-fields", Ct))).GetRawText());
        await ApiAssert.ErrorAsync(await app.ClientFor(otherKey).DeleteAsync($"/api/patchbay/v1/apps/stripe/config-fields/{field}", Ct), 404, "NOT_FOUND", "RESOURCE_NOT_FOUND");
        await ApiAssert.ErrorAsync(await app.SessionClient(await app.CreateSessionTokenAsync(account, key)).GetAsync("/api/patchbay/v1/apps/stripe/config-fields", Ct),
            403, "FORBIDDEN", "SESSION_TOKEN_NOT_ALLOWED");

        var still = await GetAsync(client, "stripe", "mine");
        Assert.Equal("[REDACTED]", Field(still, field).Str("value"));
        var own = await ApiAssert.OkAsync(await org.GetAsync($"/api/v2/public/env/value/{variable}?linked_account_id={account}", Ct));
        Assert.Equal("eu-a", own.Str("value"));
    }

    [Fact]
    public async Task Changes_AreAnnouncedInTheirTransaction_AndNothingOnAValidationError()
    {
        var topics = new[] { ConfigTopics.Created, ConfigTopics.Updated, ConfigTopics.Deleted, ConfigTopics.WorkflowEnabled, ConfigTopics.WorkflowDisabled };
        await using var server = app.WithWebHostBuilder(b => b.ConfigureTestServices(s =>
        {
            foreach (var topic in topics) s.AddSingleton<IOutboxHandler>(new NoHandler(topic));
        }));
        var (key, account) = await OrgAsync(app);
        var org = server.CreateClient();
        org.DefaultRequestHeaders.Add("x-api-key", key);
        var client = server.CreateClient();
        client.DefaultRequestHeaders.Add("x-api-key", key);
        client.DefaultRequestHeaders.Add("linked_account_id", account);
        var workflow = await PublicWorkflowAsync(org, "stripe", "Announced", (JsonObject)Echo.DeepClone());
        var number = (await DefineAsync(org, "stripe", new { name = "Count", field_type = "number" })).Str("id");
        await ConnectStripeAsync(client);
        await app.Db.ExecuteAsync("delete from outbox", null, Ct);

        // A create with a bad value creates nothing and announces nothing.
        await ApiAssert.ErrorAsync(await client.PostAsync("/api/v2/public/config", Body(new
        {
            slug = "stripe", config_id = "audited", fields = new Dictionary<string, object> { [number] = "many" },
        }), Ct), 400, "BAD_REQUEST", "VALIDATION_ERROR", $"Field 'Count' ({number}) must be a number");
        await ApiAssert.ErrorAsync(await client.GetAsync("/api/v2/public/slug/stripe/config/audited", Ct), 404, "NOT_FOUND", "SERVER_ERROR");
        Assert.Empty(await OutboxTopicsAsync(app));
        await ConfigAsync(client, new { slug = "stripe", config_id = "audited" });
        await ApiAssert.ErrorAsync(await client.PutAsync("/api/v2/public/config", Body(new
        {
            slug = "stripe", config_id = "audited", fields = new Dictionary<string, object> { [number] = "many" },
            workflows = new[] { new { id = workflow, enabled = true } },
        }), Ct), 400, "BAD_REQUEST", "VALIDATION_ERROR", $"Field 'Count' ({number}) must be a number");
        Assert.False(Workflow(await GetAsync(client, "stripe", "audited"), workflow).GetProperty("enabled").GetBoolean()); // rolled back
        await UpdateAsync(client, new { slug = "stripe", config_id = "audited", fields = new Dictionary<string, object> { [number] = 3 },
            workflows = new[] { new { id = workflow, enabled = true } } });
        await ApiAssert.OkAsync(await client.PatchAsync($"/api/v2/public/slug/stripe/config/audited/workflows/{workflow}", Body(new { enabled = false }), Ct));
        await ApiAssert.OkAsync(await client.DeleteAsync("/api/v2/public/slug/stripe/config/audited", Ct));

        Assert.Equal([ConfigTopics.Created, ConfigTopics.WorkflowEnabled, ConfigTopics.Updated, ConfigTopics.WorkflowDisabled, ConfigTopics.Deleted],
            await OutboxTopicsAsync(app));
        var payload = JsonNode.Parse(Assert.Single(await app.Db.QueryAsync<string>("select payload from outbox where topic = @t", new { t = ConfigTopics.WorkflowDisabled }, Ct)))!;
        Assert.Equal(workflow, payload["workflow_id"]!.GetValue<string>());
        Assert.Equal("audited", payload["config_id"]!.GetValue<string>());
        await app.Db.ExecuteAsync("delete from outbox", null, Ct);
    }

    sealed class NoHandler(string topic) : IOutboxHandler
    {
        public string Topic => topic;

        public Task HandleAsync(OutboxMessage message, CancellationToken ct) => Task.CompletedTask;
    }
}

public sealed class SqliteConfigsTests(SqliteApp<FakeProviderOptions> app) : ConfigsTests(app), IClassFixture<SqliteApp<FakeProviderOptions>>;
public sealed class PostgresConfigsTests(PostgresApp<FakeProviderOptions> app) : ConfigsTests(app), IClassFixture<PostgresApp<FakeProviderOptions>>;

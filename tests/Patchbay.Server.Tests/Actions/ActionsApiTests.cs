using System.Net.Http.Json;
using System.Text.Json;
using Patchbay.Tests.Contract;
using Patchbay.Tests.Infrastructure;
using Xunit;

namespace Patchbay.Tests.Actions;

// AC1–AC3 end to end: the catalog's actions, their parameters, executing them for a linked account against a
// provider on loopback, every documented error, and who may run what.
public abstract class ActionsApiTests
{
    readonly PatchbayApp app;

    // The tests of a class share one server and so one recording prefix, and run one after another: each starts with
    // nothing recorded, whatever the previous one left (a provider error's request, a timed-out call's).
    protected ActionsApiTests(PatchbayApp app)
    {
        this.app = app;
        Provider.Take(Prefix);
    }

    static CancellationToken Ct => TestContext.Current.CancellationToken;
    const string Schema = "/api/v2/integration-schema";
    static RecordingProvider Provider => RecordingProvider.Shared;
    string Prefix => app.RecordingPrefix();

    static Dictionary<string, string> Stripe(string key = "sk_test_actions") => new() { ["api_key"] = key };

    async Task<string> StripeAccountAsync(string key = "sk_test_actions")
    {
        var account = await app.CreateLinkedAccountAsync();
        // Through the real connect route: the key is verified against the (recording) provider first.
        await ApiAssert.OkAsync(await app.ClientFor(linkedAccountId: account)
            .PutAsJsonAsync($"/api/v2/public/linked-account/integration/save-key-credentials/stripe", new { api_key = key }, Ct));
        Provider.Take(Prefix);
        return account;
    }

    static Task<HttpResponseMessage> ExecuteAsync(HttpClient client, string slug, string action, object body) =>
        client.PostAsJsonAsync($"{Schema}/{slug}/actions/{action}/execute", body, Ct);

    [Fact]
    public async Task ListActions_KeyWithAccountOrSessionToken_HttpRequestFirstThenTheAppsOwn()
    {
        var account = await app.CreateLinkedAccountAsync();
        var json = await ApiAssert.OkAsync(await app.ClientFor(linkedAccountId: account).GetAsync($"{Schema}/hubspot/actions", Ct));
        RefoldOpenApi.AssertResponse("GET", "/api/v2/integration-schema/{slug}/actions", 200, json);
        var actions = json.EnumerateArray().ToList();
        Assert.Equal("""{"name":"HTTP Request","action_id":"httprequest","description":"Send any request to the app's API with the linked account's credentials.","tag":"v2"}""",
            actions[0].GetRawText());
        var create = actions.Single(a => a.Str("action_id") == "create_contact");
        Assert.Equal("Create Contact", create.Str("name"));
        Assert.Equal("contacts", create.Str("tag"));
        Assert.True(actions.Count >= 6);

        var token = await app.CreateSessionTokenAsync(account);
        var viaToken = await ApiAssert.OkAsync(await app.SessionClient(token).GetAsync($"{Schema}/hubspot/actions", Ct));
        Assert.Equal(json.GetRawText(), viaToken.GetRawText());

        // Every catalog app has the generic action, even with no actions of its own.
        var box = await ApiAssert.OkAsync(await app.ClientFor(linkedAccountId: account).GetAsync($"{Schema}/box/actions", Ct));
        Assert.Equal("httprequest", Assert.Single(box.EnumerateArray()).Str("action_id"));
    }

    [Fact]
    public async Task UnknownAppOrAction_404InTheContractsWords()
    {
        var client = app.ClientFor(linkedAccountId: await app.CreateLinkedAccountAsync());
        foreach (var path in (string[])["unknown/actions", "unknown/actions/httprequest"])
        {
            var error = await ApiAssert.ErrorAsync(await client.GetAsync($"{Schema}/{path}", Ct), 404, "NOT_FOUND", "SERVER_ERROR",
                "Application app_type 'unknown' not found");
            RefoldOpenApi.AssertResponse("GET", "/api/v2/integration-schema/{slug}/actions", 404, error);
        }
        await ApiAssert.ErrorAsync(await ExecuteAsync(client, "unknown", "httprequest", new { }), 404, "NOT_FOUND", "SERVER_ERROR",
            "Application app_type 'unknown' not found");
        await ApiAssert.ErrorAsync(await client.GetAsync($"{Schema}/hubspot/actions/no_such_action", Ct), 404, "NOT_FOUND", "SERVER_ERROR",
            "Action no_such_action not found in Application hubspot");
        await ApiAssert.ErrorAsync(await ExecuteAsync(client, "hubspot", "no_such_action", new { email = "a@b.c" }), 404, "NOT_FOUND", "SERVER_ERROR",
            "Action no_such_action not found in Application hubspot");
    }

    [Fact]
    public async Task ActionParameters_NamesLabelsRequiredTypesAndOptions()
    {
        var client = app.ClientFor(linkedAccountId: await app.CreateLinkedAccountAsync());
        var json = await ApiAssert.OkAsync(await client.GetAsync($"{Schema}/hubspot/actions/create_contact", Ct));
        RefoldOpenApi.AssertResponse("GET", "/api/v2/integration-schema/{slug}/actions/{action_id}", 200, json);
        Assert.Equal("""{"name":"email","label":"Email","required":true,"type":"text"}""", json[0].GetRawText());
        Assert.Equal("""{"name":"firstname","label":"First name","required":false,"type":"text"}""", json[1].GetRawText());

        var http = await ApiAssert.OkAsync(await client.GetAsync($"{Schema}/github/actions/httprequest", Ct));
        var method = http.EnumerateArray().Single(p => p.Str("name") == "method");
        Assert.Equal("select", method.Str("type"));
        Assert.Equal(["GET", "POST", "PUT", "PATCH", "DELETE"], method.GetProperty("options").EnumerateArray().Select(o => o.Str("value")));
    }

    [Fact]
    public async Task Execute_SendsTheRequestWithTheAccountsKey_AndAnswersTheProvidersBody()
    {
        var account = await StripeAccountAsync("sk_test_exec_1");
        Provider.Answer(Prefix, new(200, """{"id":"cus_123","object":"customer","email":"jane@example.com"}"""));
        try
        {
            var response = await ExecuteAsync(app.ClientFor(linkedAccountId: account), "stripe", "get_customer", new { customer_id = "cus_123" });
            var json = await ApiAssert.OkAsync(response);
            RefoldOpenApi.AssertResponse("POST", "/api/v2/integration-schema/{slug}/actions/{action_id}/execute", 200, json);
            Assert.Equal("""{"node_status":"Success","data":{"id":"cus_123","object":"customer","email":"jane@example.com"},"http_status":200}""", json.GetRawText());
        }
        finally
        {
            Provider.Answer(Prefix, null);
        }
        var sent = Assert.Single(Provider.Take(Prefix));
        Assert.Equal("GET", sent.Method);
        Assert.Equal($"/{Prefix}/stripe/v1/customers/cus_123", sent.Path);
        Assert.Equal("Bearer sk_test_exec_1", sent.Headers["Authorization"]);
    }

    [Fact]
    public async Task Execute_MissingRequiredParameter_400NamingIt_AndNothingSent()
    {
        var account = await app.CreateLinkedAccountAsync();
        await app.ConnectAsync(account, "hubspot", "keybased", new Dictionary<string, string> { ["access_token"] = "pat-1" });
        var client = app.ClientFor(linkedAccountId: account);
        await ApiAssert.ErrorAsync(await ExecuteAsync(client, "hubspot", "create_contact", new { firstname = "Jane" }), 400, "BAD_REQUEST", "VALIDATION_ERROR",
            "Required parameter 'email' is missing");
        await ApiAssert.ErrorAsync(await ExecuteAsync(client, "hubspot", "create_contact", new { email = "" }), 400, "BAD_REQUEST", "VALIDATION_ERROR",
            "Required parameter 'email' is missing");
        await ApiAssert.ErrorAsync(await ExecuteAsync(client, "hubspot", "list_contacts", new { limit = "ten" }), 400, "BAD_REQUEST", "VALIDATION_ERROR",
            "Parameter 'limit' must be a number");
        await ApiAssert.ErrorAsync(await ExecuteAsync(client, "github", "list_issues", new { owner = "o", repo = "r", state = "maybe" }), 400, "BAD_REQUEST",
            "VALIDATION_ERROR", "Parameter 'state' must be one of: open, closed, all");
        await ApiAssert.ErrorAsync(await client.PostAsync($"{Schema}/hubspot/actions/create_contact/execute",
            new StringContent("[1]", System.Text.Encoding.UTF8, "application/json"), Ct), 400, "BAD_REQUEST", "VALIDATION_ERROR");
        Assert.Empty(Provider.Take(Prefix));
    }

    [Fact]
    public async Task Execute_ProviderError_IsAResultWithItsStatusAndBody_NeverA500()
    {
        var account = await StripeAccountAsync();
        Provider.Answer(Prefix, new(404, """{"error":{"code":"resource_missing","message":"No such customer: 'cus_nope'"}}"""));
        try
        {
            var json = await ApiAssert.OkAsync(await ExecuteAsync(app.ClientFor(linkedAccountId: account), "stripe", "get_customer", new { customer_id = "cus_nope" }));
            RefoldOpenApi.AssertResponse("POST", "/api/v2/integration-schema/{slug}/actions/{action_id}/execute", 200, json);
            Assert.Equal("Failed", json.Str("node_status"));
            Assert.Equal(404, json.GetProperty("http_status").GetInt32());
            Assert.Equal("resource_missing", json.GetProperty("data").GetProperty("error").Str("code"));
            Assert.Equal("Stripe answered HTTP 404", json.Str("error"));
        }
        finally
        {
            Provider.Answer(Prefix, null);
        }
    }

    [Fact]
    public async Task Execute_ProviderDoesNotAnswer_502Result()
    {
        var account = await app.CreateLinkedAccountAsync();
        await app.ConnectAsync(account, "datadog", "keybased", new Dictionary<string, string> { ["site"] = "datadoghq.com", ["api_key"] = "k", ["application_key"] = "a" });
        var json = await ApiAssert.OkAsync(await ExecuteAsync(app.ClientFor(linkedAccountId: account), "datadog", "httprequest",
            new { method = "GET", path = "/api/v1/validate" }));
        Assert.Equal("Failed", json.Str("node_status"));
        Assert.Equal(502, json.GetProperty("http_status").GetInt32());
        Assert.False(string.IsNullOrEmpty(json.GetProperty("data").Str("error")));
    }

    [Fact]
    public async Task Execute_ProviderAnswerOverTheSizeLimit_IsAFailedResult_NotHeldInMemory()
    {
        var account = await StripeAccountAsync();
        Provider.Answer(Prefix, new(200, "{\"blob\":\"" + new string('x', 70_000) + "\"}"));
        try
        {
            var json = await ApiAssert.OkAsync(await ExecuteAsync(app.ClientFor(linkedAccountId: account), "stripe", "get_balance", new { }));
            Assert.Equal("Failed", json.Str("node_status"));
            Assert.Equal(502, json.GetProperty("http_status").GetInt32());
            Assert.Contains("larger than 0.1 MB", json.Str("error"), StringComparison.Ordinal);
        }
        finally
        {
            Provider.Answer(Prefix, null);
            Provider.Take(Prefix);
        }
    }

    [Fact]
    public async Task Execute_NoConnectionOrExpired_Clear4xx()
    {
        var account = await app.CreateLinkedAccountAsync();
        var client = app.ClientFor(linkedAccountId: account);
        await ApiAssert.ErrorAsync(await ExecuteAsync(client, "stripe", "get_balance", new { }), 404, "NOT_FOUND", "RESOURCE_NOT_FOUND",
            $"Linked account {account} has not connected Stripe");
        await app.ConnectAsync(account, "stripe", "keybased", Stripe());
        await app.Db.ExecuteAsync("""
            update connections set status = 'expired'
            where integration_id in (select i.id from integrations i join linked_accounts la on la.id = i.linked_account_id where la.account_id = @account)
            """, new { account }, Ct);
        await ApiAssert.ErrorAsync(await ExecuteAsync(client, "stripe", "get_balance", new { }), 409, "CONFLICT", "CONFLICT",
            $"The Stripe connection of linked account {account} has expired; reconnect it");
        // Jira's actions need the site of an API-token connection; an OAuth one alone cannot run them.
        await app.ConnectAsync(account, "jira", "oauth2", new Dictionary<string, string> { ["access_token"] = "t" });
        await ApiAssert.ErrorAsync(await ExecuteAsync(client, "jira", "get_issue", new { issue_key = "ENG-1" }), 404, "NOT_FOUND", "RESOURCE_NOT_FOUND",
            $"Linked account {account} has no Jira connection of type keybased, which action get_issue needs");
        Assert.Empty(Provider.Take(Prefix));
    }

    [Fact]
    public async Task Execute_UnknownAccountOrMissingHeader()
    {
        var client = app.ClientFor(linkedAccountId: "user_nobody_here");
        var error = await ApiAssert.ErrorAsync(await ExecuteAsync(client, "stripe", "get_balance", new { }), 404, "NOT_FOUND", "SERVER_ERROR");
        Assert.Contains("user_nobody_here", error.Str("message"), StringComparison.Ordinal);
        await ApiAssert.ErrorAsync(await ExecuteAsync(app.ClientFor(), "stripe", "get_balance", new { }), 400, "BAD_REQUEST", "MISSING_LINKED_ACCOUNT_ID");
        await ApiAssert.ErrorAsync(await app.CreateClient().GetAsync($"{Schema}/stripe/actions", Ct), 401, "UNAUTHORIZED", "SERVER_ERROR");
    }

    [Fact]
    public async Task Tenancy_OtherOrgProductionKeyOrAnotherAccountsToken_NeverUseTheAccountsCredentials()
    {
        var account = await StripeAccountAsync("sk_test_tenant_a");
        var other = await app.CreateLinkedAccountAsync();
        var (_, otherOrgKey, _) = await app.CreateOrgAsync("Actions Tenant B");

        await ApiAssert.ErrorAsync(await ExecuteAsync(app.ClientFor(otherOrgKey, account), "stripe", "get_balance", new { }), 404, "NOT_FOUND", "SERVER_ERROR");
        await ApiAssert.ErrorAsync(await ExecuteAsync(app.ClientFor(app.ProductionApiKey, account), "stripe", "get_balance", new { }), 404, "NOT_FOUND", "SERVER_ERROR");
        // Another account's session token runs for that account: it has no Stripe connection, whatever header it sends.
        var token = await app.CreateSessionTokenAsync(other);
        var client = app.SessionClient(token);
        client.DefaultRequestHeaders.Add("linked_account_id", account);
        await ApiAssert.ErrorAsync(await ExecuteAsync(client, "stripe", "get_balance", new { }), 404, "NOT_FOUND", "RESOURCE_NOT_FOUND",
            $"Linked account {other} has not connected Stripe");
        Assert.Empty(Provider.Take(Prefix));

        // The account's own token does run it, with its key.
        var own = await ApiAssert.OkAsync(await ExecuteAsync(app.SessionClient(await app.CreateSessionTokenAsync(account)), "stripe", "get_balance", new { }));
        Assert.Equal("Success", own.Str("node_status"));
        Assert.Equal("Bearer sk_test_tenant_a", Assert.Single(Provider.Take(Prefix)).Headers["Authorization"]);
    }

    [Fact]
    public async Task HttpRequest_AnyMethodAndPathOnTheAppsApi_NeverAnotherHost()
    {
        var account = await StripeAccountAsync("sk_test_http_1");
        var client = app.ClientFor(linkedAccountId: account);
        var json = await ApiAssert.OkAsync(await ExecuteAsync(client, "stripe", "httprequest", new
        {
            method = "DELETE", path = "/v1/customers/cus_9", query = new { expand = "x" }, headers = new { Idempotency_Key = "k1" },
        }));
        Assert.Equal("Success", json.Str("node_status"));
        var sent = Assert.Single(Provider.Take(Prefix));
        Assert.Equal("DELETE", sent.Method);
        Assert.Equal($"/{Prefix}/stripe/v1/customers/cus_9", sent.Path);
        Assert.Equal("?expand=x", sent.Query);
        Assert.Equal("k1", sent.Headers["Idempotency_Key"]);
        Assert.Equal("Bearer sk_test_http_1", sent.Headers["Authorization"]);

        // JSON parameters may come as JSON text, as Refold's forms send strings.
        await ApiAssert.OkAsync(await ExecuteAsync(client, "stripe", "httprequest", new { method = "POST", path = "/v1/echo", body = """{"a":[1,2]}""" }));
        Assert.Equal("""{"a":[1,2]}""", Assert.Single(Provider.Take(Prefix)).Body);

        foreach (var path in (string[])["https://evil.example/steal", "//evil.example/x", "v1/customers", "/a\\b"])
        {
            await ApiAssert.ErrorAsync(await ExecuteAsync(client, "stripe", "httprequest", new { method = "GET", path }), 400, "BAD_REQUEST", "VALIDATION_ERROR",
                "Parameter 'path' must be a path on Stripe's API starting with '/'");
        }
        // A parameter that looks like a template is sent as written, never filled with the credentials.
        await ApiAssert.OkAsync(await ExecuteAsync(client, "stripe", "list_customers", new { email = "{{api_key}}" }));
        var listed = Assert.Single(Provider.Take(Prefix));
        Assert.Equal("?email=%7B%7Bapi_key%7D%7D", listed.Query);
    }
}

public sealed class SqliteActionsApiTests(SqliteApp<RecordingProviderOptions> app) : ActionsApiTests(app), IClassFixture<SqliteApp<RecordingProviderOptions>>;
public sealed class PostgresActionsApiTests(PostgresApp<RecordingProviderOptions> app) : ActionsApiTests(app), IClassFixture<PostgresApp<RecordingProviderOptions>>;

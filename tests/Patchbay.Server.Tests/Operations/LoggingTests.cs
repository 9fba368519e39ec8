using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;
using Patchbay.Executions;
using Patchbay.Tests.Infrastructure;
using Patchbay.Workflows;
using Xunit;

namespace Patchbay.Tests.Operations;

// Secrets never print: everything the server logs at Debug through the flows that handle keys, tokens and
// credentials (successes and failures) is searched for them.
public sealed class DebugLoggingOptions : IAppOptions
{
    public void Configure(AppSetup setup)
    {
        setup.Settings["Logging:LogLevel:Default"] = "Debug";
        setup.Settings["Logging:LogLevel:Microsoft.AspNetCore"] = "Debug"; // appsettings.json quiets the framework; an operator may not
        setup.FakeProvider = true;
        setup.FakeOAuth = true;
    }
}

public sealed class SqliteLoggingTests(SqliteApp<DebugLoggingOptions> app) : LoggingTests(app), IClassFixture<SqliteApp<DebugLoggingOptions>>;
public sealed class PostgresLoggingTests(PostgresApp<DebugLoggingOptions> app) : LoggingTests(app), IClassFixture<PostgresApp<DebugLoggingOptions>>;

public abstract class LoggingTests(PatchbayApp app)
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Logs_AtDebug_ContainNoKeyTokenOrCredential()
    {
        var credential = "cred-" + Guid.NewGuid().ToString("N");
        var id = await app.CreateLinkedAccountAsync(new { your_app = new { auth_credentials = new { api_key = credential + "-1" } } });
        await ApiAssert.OkAsync(await app.ClientFor(linkedAccountId: id).PutAsJsonAsync(
            "/api/v2/public/linked-account/default-app/auth-credentials/token", new { value = credential + "-2" }, Ct));
        var issued = await ApiAssert.OkAsync(await app.ClientFor().PostAsJsonAsync("/api/v2/public/session-token", new { linked_account_id = id }, Ct));
        var token = issued.Str("token");
        await ApiAssert.OkAsync(await app.SessionClient(token).GetAsync("/api/v2/public/session/active-linked-account", Ct));
        await app.CreateClient().PostAsJsonAsync("/api/patchbay/v1/session-token/refresh", new { refresh_token = issued.Str("refresh_token") }, Ct);
        await app.SessionClient(token + "x").GetAsync("/api/v2/public/session/active-linked-account", Ct);
        var bogusKey = "tk" + Guid.NewGuid();
        await app.ClientFor(bogusKey).GetAsync("/api/v2/public/linked-account", Ct);
        var (orgId, orgKey, _) = await app.CreateOrgAsync();
        var regenerated = await ApiAssert.OkAsync(await app.AdminClient().PostAsync($"/admin/v1/orgs/{orgId}/api-keys/test/regenerate", null, Ct));
        // Provider verification: accepted, refused, unreachable; tokens migrated.
        var save = "/api/v2/public/linked-account/integration/save-key-credentials";
        await ApiAssert.OkAsync(await app.ClientFor(linkedAccountId: id).PutAsJsonAsync($"{save}/stripe", new { api_key = FakeProvider.StripeKey }, Ct));
        await app.ClientFor(linkedAccountId: id).PutAsJsonAsync($"{save}/stripe", new { api_key = credential + "-3" }, Ct);
        await app.ClientFor(linkedAccountId: id).PutAsJsonAsync($"{save}/brevo", new { api_key = credential + "-4" }, Ct);
        await app.ClientFor(linkedAccountId: id).PutAsJsonAsync("/api/v2/public/migrate-token",
            new { slug = "hubspot", auth_object = new { oauth2 = new { access_token = credential + "-5", refresh_token = credential + "-6" } } }, Ct);
        // A failure that is logged with its exception.
        await app.Db.ExecuteAsync("update linked_accounts set udf = 'broken' where account_id = @id", new { id }, Ct);
        await app.ClientFor().GetAsync($"/api/v2/public/linked-account/{id}", Ct);

        var logs = app.Logs.All;
        Assert.Contains("Unhandled exception", logs, StringComparison.Ordinal); // the capture does see the server's logs
        string[] secrets = [credential, FakeProvider.StripeKey, token, token.Split('.')[2], issued.Str("refresh_token"), app.TestApiKey, bogusKey, orgKey,
                            regenerated.Str("api_key"), app.MasterKey, PatchbayApp.AdminToken];
        foreach (var secret in secrets) Assert.DoesNotContain(secret, logs, StringComparison.Ordinal);
    }

    // Bearer secrets that travel in URLs (a hosted link's session token, a connect code, an OAuth callback's code and
    // state, a webhook resume id) reach the request log, routing and handler lines only redacted.
    [Fact]
    public async Task Logs_AtDebug_ContainNoSecretFromAUrl()
    {
        var account = await app.CreateLinkedAccountAsync();
        var token = await app.CreateSessionTokenAsync(account, forceRefresh: true);
        var anonymous = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        // Hosted Connect: the link with the session token, and a single-use code (the page, then its exchange).
        var link = await ApiAssert.OkAsync(await app.SessionClient(token).PostAsJsonAsync("/api/v2/public/connect-url", new { name = "Acme" }, Ct));
        Assert.Contains(token, link.Str("hosted_url"), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync(new Uri(link.Str("hosted_url")).PathAndQuery, Ct)).StatusCode);
        var single = await ApiAssert.OkAsync(await app.SessionClient(token).PostAsJsonAsync("/api/v2/public/connect-url?single_use=true", new { }, Ct));
        var code = QueryHelpers.ParseQuery(new Uri(single.Str("hosted_url")).Query)["code"].ToString();
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync($"/connect?code={code}&config_id=c1", Ct)).StatusCode);
        await ApiAssert.OkAsync(await anonymous.PostAsJsonAsync("/api/v2/public/connect-code/exchange", new { code }, Ct));
        var unknownToken = "eyJ" + Guid.NewGuid().ToString("N");
        await anonymous.GetAsync($"/connect/{unknownToken}/x", Ct); // no route: the 404 path is logged too

        // OAuth: the provider's redirect back with its code and our state; then a replay of the same URL.
        var (orgId, key, _) = await app.CreateOrgAsync("Logging OAuth Org");
        await ApiAssert.OkAsync(await app.AdminClient().PutAsJsonAsync($"/admin/v1/orgs/{orgId}/oauth/asana",
            new { client_id = FakeOAuthProvider.ClientId, client_secret = FakeOAuthProvider.ClientSecret }, Ct));
        var oauthAccount = await app.CreateLinkedAccountAsync(apiKey: key);
        var authUrl = new Uri((await ApiAssert.OkAsync(await app.ClientFor(key, oauthAccount)
            .GetAsync("/api/v2/public/linked-account/integration/oauth-url/asana", Ct))).Str("auth_url"));
        var state = QueryHelpers.ParseQuery(authUrl.Query)["state"].ToString();
        using var browser = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });
        using var consent = await browser.GetAsync(authUrl, Ct);
        var callback = consent.Headers.Location!;
        var oauthCode = QueryHelpers.ParseQuery(callback.Query)["code"].ToString();
        Assert.NotEmpty(oauthCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync(callback.PathAndQuery, Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await anonymous.GetAsync(callback.PathAndQuery, Ct)).StatusCode);

        // A workflow waiting for its webhook, resumed through the URL; then the spent URL and an unknown one.
        var waitId = await WaitingWebhookAsync(key);
        var anonymousJson = new StringContent("""{"answer":1}""", Encoding.UTF8, "application/json");
        await ApiAssert.OkAsync(await anonymous.PostAsync($"/api/v1/workflows/webhooks/{waitId}", anonymousJson, Ct));
        await anonymous.PostAsync($"/api/v1/workflows/webhooks/{waitId}", new StringContent("{}", Encoding.UTF8, "application/json"), Ct);
        var unknownWait = Guid.NewGuid().ToString("N");
        await anonymous.PostAsync($"/api/v1/workflows/webhooks/{unknownWait}?x=1", new StringContent("{", Encoding.UTF8, "application/json"), Ct);

        var logs = app.Logs.All;
        Assert.Contains("/connect/", logs, StringComparison.Ordinal);                 // the request lines are there,
        Assert.Contains("/api/v1/asana/callback", logs, StringComparison.Ordinal);    // with their paths,
        Assert.Contains("/api/v1/workflows/webhooks/", logs, StringComparison.Ordinal); // only without the secrets
        string[] secrets = [token, token.Split('.')[2], code, unknownToken, oauthCode, state, state.Split('.')[0], waitId, unknownWait];
        foreach (var secret in secrets) Assert.DoesNotContain(secret, logs, StringComparison.Ordinal);
    }

    // The resume id is the webhook URL's only credential: the database keeps a hash of it, never the id itself,
    // neither while the execution waits nor after.
    [Fact]
    public async Task WebhookResumeId_IsNotStoredInClear()
    {
        var (_, key, _) = await app.CreateOrgAsync("Logging Webhook Org");
        var waitId = await WaitingWebhookAsync(key);
        Assert.True(await app.Db.QueryFirstOrDefaultAsync<int>("select count(*) from execution_waits", null, Ct) > 0);
        await AssertNotStoredAsync(waitId);
        var anonymous = app.CreateClient();
        await ApiAssert.OkAsync(await anonymous.PostAsync($"/api/v1/workflows/webhooks/{waitId}", new StringContent("{}", Encoding.UTF8, "application/json"), Ct));
        await AssertNotStoredAsync(waitId, ["execution_waits"]);
    }

    // OAuth states are stored by a hash of their id too.
    [Fact]
    public async Task OAuthState_IsNotStoredInClear()
    {
        var (orgId, key, _) = await app.CreateOrgAsync("Logging State Org");
        await ApiAssert.OkAsync(await app.AdminClient().PutAsJsonAsync($"/admin/v1/orgs/{orgId}/oauth/asana",
            new { client_id = FakeOAuthProvider.ClientId, client_secret = FakeOAuthProvider.ClientSecret }, Ct));
        var account = await app.CreateLinkedAccountAsync(apiKey: key);
        var authUrl = new Uri((await ApiAssert.OkAsync(await app.ClientFor(key, account)
            .GetAsync("/api/v2/public/linked-account/integration/oauth-url/asana", Ct))).Str("auth_url"));
        var stateId = QueryHelpers.ParseQuery(authUrl.Query)["state"].ToString().Split('.')[0];
        Assert.Equal(0, await app.Db.QueryFirstOrDefaultAsync<int>("select count(*) from oauth_states where id = @stateId", new { stateId }, Ct));
        Assert.True(await app.Db.QueryFirstOrDefaultAsync<int>("select count(*) from oauth_states", null, Ct) > 0);
    }

    async Task AssertNotStoredAsync(string secret, string[]? tables = null)
    {
        foreach (var table in tables ?? ["execution_waits", "executions"])
        {
            IEnumerable<string> rows;
            if (app.Provider == Patchbay.Data.DatabaseProvider.Postgres)
            {
                rows = await app.Db.QueryAsync<string>($"select t::text from {table} t", null, Ct);
            }
            else
            {
                // SQLite: every column of every row as text.
                var columns = await app.Db.QueryAsync<string>($"select name from pragma_table_info('{table}')", null, Ct);
                rows = await app.Db.QueryAsync<string>($"select {string.Join(" || '|' || ", columns.Select(c => $"coalesce(cast({c} as text), '')"))} from {table}", null, Ct);
            }
            foreach (var row in rows) Assert.DoesNotContain(secret, row, StringComparison.Ordinal);
        }
    }

    // Publishes a workflow that parks on a webhook for a new account of the org, starts it, and returns the resume
    // id from the execution's webhook_url.
    async Task<string> WaitingWebhookAsync(string key)
    {
        var account = await app.CreateLinkedAccountAsync(apiKey: key);
        var client = app.ClientFor(key, account);
        static StringContent Body(object value) => new(JsonSerializer.Serialize(value), Encoding.UTF8, "application/json");
        var draft = (await ApiAssert.OkAsync(await client.PostAsync("/api/v2/public/workflow", Body(new { name = "Hook" }), Ct))).GetProperty("workflow").Str("_id");
        var graph = JsonSerializer.SerializeToNode(new
        {
            name = "Hook",
            nodes = new object[]
            {
                new { id = "start", type = "start", name = "start", data = new { } },
                new { id = "hook", type = "wait_webhook", name = "hook", data = new { } },
                new { id = "out", type = "response", name = "out", data = new { body = "{{nodes.hook.output.body}}" } },
            },
            edges = new object[] { new { id = "e1", source = "start", target = "hook" }, new { id = "e2", source = "hook", target = "out" } },
            settings = new { },
        })!;
        await ApiAssert.OkAsync(await client.PutAsync($"/api/v2/public/workflow/{draft}", new StringContent(graph.ToJsonString(), Encoding.UTF8, "application/json"), Ct));
        var version = (await ApiAssert.OkAsync(await client.PutAsync($"/api/v2/public/workflow/{draft}/publish", Body(new { published = true }), Ct))).Str("_id");
        var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v2/public/workflow/{version}/execute") { Content = Body(new { }) };
        request.Headers.Add("slug", "custom");
        var executionId = (await ApiAssert.OkAsync(await client.SendAsync(request, Ct))).Str("execution_id");
        var worker = app.Services.GetRequiredService<ExecutionWorker>();
        for (var i = 0; i < 4; i++) await worker.RunOnceAsync(Ct);
        var execution = await ApiAssert.OkAsync(await client.GetAsync($"/api/v2/public/execution/{executionId}", Ct));
        var hook = execution.GetProperty("nodes").EnumerateArray().Last();
        var url = new Uri(hook.GetProperty("latest_output").Str("webhook_url"));
        return url.Segments[^1];
    }
}

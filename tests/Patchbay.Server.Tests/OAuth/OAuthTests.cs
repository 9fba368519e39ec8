using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;
using Patchbay.Connections;
using Patchbay.OAuth;
using Patchbay.Tests.Contract;
using Patchbay.Tests.Infrastructure;
using Xunit;

namespace Patchbay.Tests.OAuth;

// OAuth2 connections end to end against the fake authorization server: authorize URL, consent, callback, code
// exchange with PKCE, verification, sealed storage; then refresh by the worker and on use, the refusal that expires a
// connection, the transient failure that backs off, and two nodes racing for one refresh.
public abstract class OAuthTests(PatchbayApp app)
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    FakeOAuthProvider Fake => app.FakeOAuth!;

    // A fresh org with its OAuth client for the given apps, and a linked account in it.
    async Task<(string OrgId, string Key, string Account)> OrgAsync(params string[] slugs)
    {
        var (orgId, key, _) = await app.CreateOrgAsync("OAuth Org");
        foreach (var slug in slugs)
        {
            await ApiAssert.OkAsync(await app.AdminClient().PutAsJsonAsync($"/admin/v1/orgs/{orgId}/oauth/{slug}",
                new { client_id = FakeOAuthProvider.ClientId, client_secret = FakeOAuthProvider.ClientSecret }, Ct));
        }
        return (orgId, key, await app.CreateLinkedAccountAsync(apiKey: key));
    }

    async Task<Uri> AuthUrlAsync(string key, string account, string slug, string query = "")
    {
        var json = await ApiAssert.OkAsync(await app.ClientFor(key, account).GetAsync($"/api/v2/public/linked-account/integration/oauth-url/{slug}{query}", Ct));
        RefoldOpenApi.AssertResponse("GET", "/api/v2/public/linked-account/integration/oauth-url/{slug}", 200, json);
        return new Uri(json.Str("auth_url"));
    }

    // The browser's part: open the provider's page (which consents or refuses at once) and follow its redirect back.
    async Task<HttpResponseMessage> ConsentAsync(Uri authUrl)
    {
        using var browser = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });
        using var consent = await browser.GetAsync(authUrl, Ct);
        Assert.Equal(HttpStatusCode.Found, consent.StatusCode);
        return await FollowAsync(consent.Headers.Location!);
    }

    Task<HttpResponseMessage> FollowAsync(Uri location)
    {
        Assert.Equal("localhost", location.Host); // the redirect URI is this server's callback
        return app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false }).GetAsync(location.PathAndQuery, Ct);
    }

    async Task<JsonElement> ApplicationAsync(string key, string account, string slug) =>
        await ApiAssert.OkAsync(await app.ClientFor(key, account).GetAsync($"/api/v2/public/application/{slug}", Ct));

    async Task<string> ConnectionIdAsync(string account, string slug) =>
        (await app.Db.QueryFirstOrDefaultAsync<string>("""
            select c.id from connections c join integrations i on i.id = c.integration_id
            join linked_accounts la on la.id = i.linked_account_id where la.account_id = @account and i.app_key = @slug
            """, new { account, slug }, Ct))!;

    async Task<(string Key, string Account, string ConnectionId)> ConnectAsanaAsync()
    {
        var (_, key, account) = await OrgAsync("asana");
        using var page = await ConsentAsync(await AuthUrlAsync(key, account, "asana"));
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        return (key, account, await ConnectionIdAsync(account, "asana"));
    }

    [Fact]
    public async Task OAuthUrl_CarriesClientRedirectScopesSignedStateAndPkce()
    {
        var (_, key, account) = await OrgAsync("asana", "notion");
        var url = await AuthUrlAsync(key, account, "asana");
        var q = QueryHelpers.ParseQuery(url.Query);
        Assert.Equal($"{Fake.BaseUrl}/asana/authorize", url.GetLeftPart(UriPartial.Path));
        Assert.Equal("code", q["response_type"]);
        Assert.Equal(FakeOAuthProvider.ClientId, q["client_id"]);
        Assert.Equal("http://localhost/api/v1/asana/callback", q["redirect_uri"]);
        Assert.Equal("users:read workspaces:read projects:read tasks:read", q["scope"]);
        Assert.Equal("S256", q["code_challenge_method"]);
        Assert.Equal(43, q["code_challenge"].ToString().Length); // base64url SHA-256
        Assert.Matches(@"^[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{22}$", q["state"].ToString());
        Assert.NotEqual(q["state"], QueryHelpers.ParseQuery((await AuthUrlAsync(key, account, "asana")).Query)["state"]);

        // Notion: no PKCE, its extra authorize parameter.
        var notion = QueryHelpers.ParseQuery((await AuthUrlAsync(key, account, "notion")).Query);
        Assert.Equal("user", notion["owner"]);
        Assert.False(notion.ContainsKey("code_challenge"));
    }

    [Fact]
    public async Task OAuthUrl_AppOrOrgNotReadyForOAuth_IsRefusedWithAContractError()
    {
        var (orgId, key, account) = await OrgAsync();
        var client = app.ClientFor(key, account);
        // Box is OAuth-only: not offered until the org sets its client.
        await ApiAssert.ErrorAsync(await client.GetAsync("/api/v2/public/linked-account/integration/oauth-url/box", Ct), 404, "EXTERNAL_API_ERROR", "EXTERNAL_API_FAILURE");
        // Asana is offered (it has an API-key type) but cannot run OAuth without the org's client.
        var notSetUp = await ApiAssert.ErrorAsync(await client.GetAsync("/api/v2/public/linked-account/integration/oauth-url/asana", Ct), 400, "BAD_REQUEST", "VALIDATION_ERROR");
        Assert.Contains("OAuth is not set up for Asana", notSetUp.Str("message"));
        // Stripe has no OAuth2.
        await ApiAssert.ErrorAsync(await client.GetAsync("/api/v2/public/linked-account/integration/oauth-url/stripe", Ct), 400, "BAD_REQUEST", "VALIDATION_ERROR",
            "Application 'stripe' does not support OAuth2");
        // Help Scout's grant is client credentials: there is no authorize URL.
        await ApiAssert.ErrorAsync(await client.GetAsync("/api/v2/public/linked-account/integration/oauth-url/helpscout", Ct), 400, "BAD_REQUEST", "VALIDATION_ERROR");
        // An org key without a linked account, and a session token (org endpoints refuse them) are refused.
        await ApiAssert.ErrorAsync(await app.ClientFor(key).GetAsync("/api/v2/public/linked-account/integration/oauth-url/asana", Ct), 400, "BAD_REQUEST", "MISSING_LINKED_ACCOUNT_ID");
        await ApiAssert.OkAsync(await app.AdminClient().PutAsJsonAsync($"/admin/v1/orgs/{orgId}/oauth/zendesk",
            new { client_id = FakeOAuthProvider.ClientId, client_secret = FakeOAuthProvider.ClientSecret }, Ct));
        // Zendesk needs the customer's subdomain first.
        var missing = await ApiAssert.ErrorAsync(await client.GetAsync("/api/v2/public/linked-account/integration/oauth-url/zendesk", Ct), 400, "BAD_REQUEST", "VALIDATION_ERROR");
        Assert.Contains("subdomain", missing.Str("message"));
    }

    [Fact]
    public async Task Flow_Asana_ExchangesCodeWithPkce_VerifiesAndStoresSealedTokens()
    {
        var (_, key, account) = await OrgAsync("asana");
        var tokenCalls = Fake.TokenCalls;
        using var page = await ConsentAsync(await AuthUrlAsync(key, account, "asana"));

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.StartsWith("text/html", page.Content.Headers.ContentType!.ToString());
        Assert.Contains("Asana connected", await page.Content.ReadAsStringAsync(Ct));
        Assert.Contains("script-src 'nonce-", page.Headers.GetValues("Content-Security-Policy").Single());
        Assert.Equal(tokenCalls + 1, Fake.TokenCalls);

        var asana = await ApplicationAsync(key, account, "asana");
        Assert.True(asana.GetProperty("connected").GetBoolean());
        var connection = Assert.Single(asana.GetProperty("connected_accounts").EnumerateArray());
        Assert.Equal("oauth2", connection.Str("auth_type"));
        Assert.Equal("active", connection.Str("status"));
        Assert.Equal(FakeOAuthProvider.Email, connection.Str("identifier"));

        // Tokens are sealed at rest; the access token appears nowhere in clear.
        var stored = await app.Db.QueryFirstOrDefaultAsync<string>("select sealed_credentials from connections where id = @id",
            new { id = await ConnectionIdAsync(account, "asana") }, Ct);
        Assert.StartsWith("v1.", stored);
        Assert.DoesNotContain(Fake.LastAccessToken!, stored, StringComparison.Ordinal);
        Assert.DoesNotContain(app.Logs.Lines, l => l.Contains(Fake.LastAccessToken!, StringComparison.Ordinal));

        // The linked account lists the OAuth integration.
        var linked = await ApiAssert.OkAsync(await app.ClientFor(key).GetAsync($"/api/v2/public/linked-account/{account}", Ct));
        Assert.Contains(linked.GetProperty("integrations").EnumerateArray(), i => i.Str("type") == "asana");
    }

    [Fact]
    public async Task Callback_State_IsSingleUse_Signed_Expiring_AndBoundToItsApp()
    {
        var (_, key, account) = await OrgAsync("asana", "notion");

        // Replayed: the provider's redirect followed twice. The second finds its state spent; the code is not reused.
        using var browser = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });
        using var consent = await browser.GetAsync(await AuthUrlAsync(key, account, "asana"), Ct);
        using (var first = await FollowAsync(consent.Headers.Location!)) Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var calls = Fake.TokenCalls;
        using (var replay = await FollowAsync(consent.Headers.Location!))
        {
            Assert.Equal(HttpStatusCode.BadRequest, replay.StatusCode);
            Assert.Contains("expired or was already used", await replay.Content.ReadAsStringAsync(Ct));
        }
        Assert.Equal(calls, Fake.TokenCalls);

        // Forged: a state whose MAC does not match is refused before any database read.
        var state = QueryHelpers.ParseQuery(consent.Headers.Location!.Query)["state"].ToString();
        using (var forged = await FollowAsync(new Uri($"http://localhost/api/v1/asana/callback?code=x&state={state[..^2]}AA")))
            Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);

        // Bound to its app: Notion's state cannot complete Asana.
        var notionState = QueryHelpers.ParseQuery((await AuthUrlAsync(key, account, "notion")).Query)["state"];
        using (var crossed = await FollowAsync(new Uri($"http://localhost/api/v1/asana/callback?code=x&state={notionState}")))
            Assert.Equal(HttpStatusCode.BadRequest, crossed.StatusCode);

        // Expired: the customer came back after the state's 15 minutes.
        var late = await AuthUrlAsync(key, account, "notion");
        using var lateConsent = await browser.GetAsync(late, Ct);
        app.Time.Advance(TimeSpan.FromMinutes(16));
        using (var expired = await FollowAsync(lateConsent.Headers.Location!))
        {
            Assert.Equal(HttpStatusCode.BadRequest, expired.StatusCode);
            Assert.Contains("expired or was already used", await expired.Content.ReadAsStringAsync(Ct));
        }
        Assert.False((await ApplicationAsync(key, account, "notion")).GetProperty("connected").GetBoolean());
    }

    [Fact]
    public async Task Callback_DeniedConsent_ShowsReadablePage_AndChangesNothing()
    {
        var (key, account, connectionId) = await ConnectAsanaAsync();
        var before = await app.Db.QueryFirstOrDefaultAsync<string>("select sealed_credentials from connections where id = @connectionId", new { connectionId }, Ct);
        Fake.Deny = true;
        try
        {
            using var page = await ConsentAsync(await AuthUrlAsync(key, account, "asana"));
            Assert.Equal(HttpStatusCode.BadRequest, page.StatusCode);
            var html = await page.Content.ReadAsStringAsync(Ct);
            Assert.Contains("Could not connect Asana", html);
            Assert.Contains("did not authorize the connection (access_denied: The user denied access)", html);
        }
        finally
        {
            Fake.Deny = false;
        }
        // The earlier connection is untouched.
        Assert.Equal(before, await app.Db.QueryFirstOrDefaultAsync<string>("select sealed_credentials from connections where id = @connectionId", new { connectionId }, Ct));
        Assert.True((await ApplicationAsync(key, account, "asana")).GetProperty("connected").GetBoolean());

        // A bad code (the provider refuses the exchange) ends on the same kind of page.
        var url = await AuthUrlAsync(key, account, "asana");
        var state = QueryHelpers.ParseQuery(url.Query)["state"];
        using var refused = await FollowAsync(new Uri($"http://localhost/api/v1/asana/callback?code=made-up&state={state}"));
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("Asana refused the authorization (invalid_grant", await refused.Content.ReadAsStringAsync(Ct));
    }

    [Fact]
    public async Task Flow_BasicAuthOrSubdomainApp_Connects_SubdomainMustBeOneHostLabel()
    {
        var (_, key, account) = await OrgAsync("notion", "zendesk");
        using (var page = await ConsentAsync(await AuthUrlAsync(key, account, "notion"))) Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("Acme Workspace", (await ApplicationAsync(key, account, "notion")).GetProperty("connected_accounts")[0].Str("identifier"));

        // A subdomain is one host label: it cannot move the token request (and the org's secret) to another host.
        foreach (var evil in (string[])["evil.example/x?", "evil.example", "a@b", "x:1"])
        {
            var refused = await ApiAssert.ErrorAsync(await app.ClientFor(key, account).GetAsync(
                $"/api/v2/public/linked-account/integration/oauth-url/zendesk?subdomain={Uri.EscapeDataString(evil)}", Ct), 400, "BAD_REQUEST", "VALIDATION_ERROR");
            Assert.Contains("'subdomain' must be a host name label", refused.Str("message"));
        }
        var zendesk = await AuthUrlAsync(key, account, "zendesk", "?subdomain=Acme ");
        Assert.Equal($"{Fake.BaseUrl}/zendesk/acme/authorize", zendesk.GetLeftPart(UriPartial.Path));
        using (var page = await ConsentAsync(zendesk)) Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("acme", Fake.Tenants);
        Assert.True((await ApplicationAsync(key, account, "zendesk")).GetProperty("connected").GetBoolean());
    }

    [Fact]
    public async Task Integrate_WithSessionToken_AnswersAuthUrl_AndReturnsToThePage()
    {
        var (_, key, account) = await OrgAsync("asana");
        var token = await app.CreateSessionTokenAsync(account, key);
        var session = app.SessionClient(token);

        var viaGet = await ApiAssert.OkAsync(await session.GetAsync("/api/v1/asana/integrate", Ct));
        Assert.StartsWith($"{Fake.BaseUrl}/asana/authorize?", viaGet.Str("auth_url"));
        Assert.False(viaGet.TryGetProperty("connected", out _));

        var viaPost = await ApiAssert.OkAsync(await session.PostAsJsonAsync("/api/v1/asana/integrate", new { return_to = "/connect" }, Ct));
        using var back = await ConsentAsync(new Uri(viaPost.Str("auth_url")));
        Assert.Equal(HttpStatusCode.Redirect, back.StatusCode);
        Assert.Equal("/connect?patchbay_connected=asana", back.Headers.Location!.OriginalString);

        // No open redirect: return_to must stay on this server.
        await ApiAssert.ErrorAsync(await session.PostAsJsonAsync("/api/v1/asana/integrate", new { return_to = "https://evil.example/steal" }, Ct),
            400, "BAD_REQUEST", "VALIDATION_ERROR", "'return_to' must be a path on this server");
        await ApiAssert.ErrorAsync(await session.PostAsJsonAsync("/api/v1/asana/integrate", new { return_to = "//evil.example" }, Ct),
            400, "BAD_REQUEST", "VALIDATION_ERROR");
        await ApiAssert.ErrorAsync(await session.PostAsJsonAsync("/api/v1/asana/integrate", new { return_to = "/\t/evil.example" }, Ct),
            400, "BAD_REQUEST", "VALIDATION_ERROR");
        await ApiAssert.ErrorAsync(await session.PostAsJsonAsync("/api/v1/asana/integrate", new { return_to = "/\\evil.example" }, Ct),
            400, "BAD_REQUEST", "VALIDATION_ERROR");
        // An org key alone is not a linked account.
        await ApiAssert.ErrorAsync(await app.ClientFor(key).GetAsync("/api/v1/asana/integrate", Ct), 400, "BAD_REQUEST", "MISSING_LINKED_ACCOUNT_ID");
    }

    async Task<long> StateCountAsync(string account) => await app.Db.ExecuteScalarAsync<long>(
        "select count(*) from oauth_states s join linked_accounts la on la.id = s.linked_account_row_id where la.account_id = @account", new { account }, Ct);

    // Shopify's shop domain is typed as customers know it (acme, acme.myshopify.com, its admin URL); anything that is not
    // one shop on myshopify.com is refused before a state is stored or a URL is given out.
    [Fact]
    public async Task OAuthUrl_HostileShopDomain_400NamingTheField_NoStateStored()
    {
        var (orgId, key, account) = await OrgAsync();
        await ApiAssert.OkAsync(await app.AdminClient().PutAsJsonAsync($"/admin/v1/orgs/{orgId}/oauth/shopify",
            new { client_id = FakeOAuthProvider.ClientId, client_secret = FakeOAuthProvider.ClientSecret }, Ct));
        var client = app.ClientFor(key, account);
        foreach (var evil in Patchbay.Tests.Apps.ConnectionsTests.HostileHostValues)
        {
            var refused = await ApiAssert.ErrorAsync(await client.GetAsync(
                $"/api/v2/public/linked-account/integration/oauth-url/shopify?shop_domain={Uri.EscapeDataString(evil)}", Ct), 400, "BAD_REQUEST", "VALIDATION_ERROR");
            Assert.Contains("'shop_domain'", refused.Str("message"), StringComparison.Ordinal);
        }
        Assert.Equal(0, await StateCountAsync(account));
        foreach (var typed in (string[])["acme-store", "Acme-Store.myshopify.com", "https://acme-store.myshopify.com/admin"])
        {
            var url = await AuthUrlAsync(key, account, "shopify", $"?shop_domain={Uri.EscapeDataString(typed)}");
            Assert.Equal("https://acme-store.myshopify.com/admin/oauth/authorize", url.GetLeftPart(UriPartial.Path));
        }
    }

    // return_to ends up in a Location header: it must be printable ASCII, and percent-encoding must not smuggle in
    // what the plain checks refuse (a dot, a slash or a backslash in the path, non-ASCII such as U+3002, which some
    // browsers read as a dot).
    [Fact]
    public async Task ReturnTo_NonAsciiOrEncodedHostCharacters_Refused_AndStoredValuesNeverFailTheCallback()
    {
        var (_, key, account) = await OrgAsync("asana");
        var client = app.ClientFor(key, account);
        foreach (var hostile in (string[])["/\u3002evil.example", "/%E3%80%82evil.example", "/%e3%80%82evil.example", "/\uFF0F\uFF0Fevil.example",
            "/%2F%2Fevil.example", "/%2fevil.example", "/%5Cevil.example", "/%2e%2e/evil", "/%252F%252Fevil.example", "/caf\u00E9", "/caf%C3%A9",
            "/x?next=%C3%A9", "/%00", "/x?%0d%0aSet-Cookie:%20a=b", "/\u0085", "/\u200Bevil", "/x\u007F"])
        {
            var refused = await ApiAssert.ErrorAsync(await client.GetAsync(
                $"/api/v2/public/linked-account/integration/oauth-url/asana?return_to={Uri.EscapeDataString(hostile)}", Ct), 400, "BAD_REQUEST", "VALIDATION_ERROR");
            Assert.StartsWith("'return_to' must ", refused.Str("message"), StringComparison.Ordinal);
        }
        Assert.Equal(0, await StateCountAsync(account));
        // Encoded characters in the query stay allowed: they cannot change where the browser goes.
        await AuthUrlAsync(key, account, "asana", $"?return_to={Uri.EscapeDataString("/connect?next=%2Fhome%3Fa%3Db&q=a%20b")}");

        // A state stored before these checks (or written by hand) is re-checked at the callback: the customer sees
        // the result page instead of a redirect, never a server error.
        foreach (var stored in (string[])["/\u3002evil.example", "/%E3%80%82evil.example", "//evil.example"])
        {
            var url = await AuthUrlAsync(key, account, "asana", "?return_to=/connect");
            await app.Db.ExecuteAsync("""
                update oauth_states set return_to = @stored
                where used_at is null and linked_account_row_id = (select id from linked_accounts where account_id = @account)
                """, new { stored, account }, Ct);
            using var page = await ConsentAsync(url);
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            Assert.Null(page.Headers.Location);
            Assert.Contains("Asana connected", await page.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task ClientCredentials_HelpScout_ConnectsDirectly_AndRenewsByAskingAgain()
    {
        var (_, key, account) = await OrgAsync();
        var session = app.SessionClient(await app.CreateSessionTokenAsync(account, key));

        var wrong = await ApiAssert.ErrorAsync(await session.PostAsJsonAsync("/api/v1/helpscout/integrate",
            new { client_id = FakeOAuthProvider.CustomerClientId, client_secret = "nope" }, Ct), 500, "INTERNAL_SERVER_ERROR", "SERVER_ERROR");
        Assert.StartsWith("Failed to verify credentials: invalid_client", wrong.Str("message"));
        Assert.DoesNotContain("nope", wrong.GetRawText());
        Assert.False((await ApplicationAsync(key, account, "helpscout")).GetProperty("connected").GetBoolean());

        var ok = await ApiAssert.OkAsync(await session.PostAsJsonAsync("/api/v1/helpscout/integrate",
            new { client_id = FakeOAuthProvider.CustomerClientId, client_secret = FakeOAuthProvider.CustomerClientSecret }, Ct));
        Assert.Equal("""{"connected":true}""", ok.GetRawText());
        var first = Fake.LastAccessToken;
        Assert.Equal(FakeOAuthProvider.Email, (await ApplicationAsync(key, account, "helpscout")).GetProperty("connected_accounts")[0].Str("identifier"));

        // No refresh token: the worker renews it with the customer's client credentials before it expires.
        var id = await ConnectionIdAsync(account, "helpscout");
        app.Time.Advance(TimeSpan.FromMinutes(55));
        Assert.Equal(RefreshOutcome.Refreshed, await Tokens.RefreshAsync(id, wait: true, Ct));
        Assert.NotEqual(first, Fake.LastAccessToken);
        Assert.Equal(Fake.LastAccessToken, (await CredentialsAsync(id))["access_token"]);
    }

    OAuthTokens Tokens => app.Services.GetRequiredService<OAuthTokens>();

    async Task<Dictionary<string, string>> CredentialsAsync(string connectionId, PatchbayApp? node = null)
    {
        var services = (node ?? app).Services;
        var context = await services.GetRequiredService<ConnectionStore>().GetContextAsync(connectionId, Ct);
        return await services.GetRequiredService<OAuthTokens>().CredentialsAsync(context!, Ct);
    }

    // Runs the refresh worker until nothing is due (connections of earlier tests in this class come due too).
    async Task RunWorkerAsync()
    {
        var worker = app.Services.GetRequiredService<OAuthRefreshWorker>();
        while (await worker.RunOnceAsync(Ct)) { }
    }

    async Task<string> StoredAccessTokenAsync(string id)
    {
        var services = app.Services;
        var context = await services.GetRequiredService<ConnectionStore>().GetContextAsync(id, Ct);
        return (await services.GetRequiredService<ConnectionStore>().OpenAsync(context!.SealedCredentials, context.IntegrationId, context.AuthType, Ct))["access_token"];
    }

    [Fact]
    public async Task RefreshWorker_RefreshesAheadOfExpiry_WithRotation()
    {
        var (_, _, id) = await ConnectAsanaAsync();
        var original = await StoredAccessTokenAsync(id);

        // 40 minutes in, an hour-long token is not due (refreshed 10 minutes ahead).
        app.Time.Advance(TimeSpan.FromMinutes(40));
        await RunWorkerAsync();
        Assert.Equal(original, await StoredAccessTokenAsync(id));

        app.Time.Advance(TimeSpan.FromMinutes(11));
        await RunWorkerAsync();
        var refreshed = await StoredAccessTokenAsync(id);
        Assert.NotEqual(original, refreshed);
        Assert.True(Fake.IsLive(refreshed));
        var row = await app.Db.QueryFirstOrDefaultAsync<(DateTimeOffset TokenExpiresAt, DateTimeOffset RefreshAt)>(
            "select token_expires_at, refresh_at from connections where id = @id", new { id }, Ct);
        Assert.InRange(row.TokenExpiresAt - app.Time.GetUtcNow(), TimeSpan.FromMinutes(59), TimeSpan.FromMinutes(60));
        Assert.Equal(row.TokenExpiresAt - TimeSpan.FromMinutes(10), row.RefreshAt);

        // Nothing more to do until the new token is due again; the rotated refresh token was the one spent.
        await RunWorkerAsync();
        Assert.Equal(refreshed, await StoredAccessTokenAsync(id));
        Assert.Equal(refreshed, (await CredentialsAsync(id))["access_token"]);
    }

    [Fact]
    public async Task OnDemand_TokenAboutToExpire_IsRefreshedOnce_ForConcurrentUsers()
    {
        var (_, _, id) = await ConnectAsanaAsync();
        var calls = Fake.RefreshCalls;
        app.Time.Advance(TimeSpan.FromMinutes(59.5)); // inside the last minute, and the worker has not run
        Fake.RefreshDelay = TimeSpan.FromMilliseconds(200);
        try
        {
            var all = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => CredentialsAsync(id)));
            Assert.Equal(calls + 1, Fake.RefreshCalls);
            Assert.Single(all.Select(c => c["access_token"]).Distinct());
            Assert.Equal(Fake.LastAccessToken, all[0]["access_token"]);
        }
        finally
        {
            Fake.RefreshDelay = TimeSpan.Zero;
        }
    }

    // An action (docs/actions.md) runs with the connection's token, refreshed first when it is about to expire.
    [Fact]
    public async Task Action_TokenAboutToExpire_IsRefreshedBeforeTheProviderCall()
    {
        var (key, account, _) = await ConnectAsanaAsync();
        var calls = Fake.RefreshCalls;
        app.Time.Advance(TimeSpan.FromMinutes(59.5)); // inside the last minute, and the worker has not run
        var json = await ApiAssert.OkAsync(await app.ClientFor(key, account).PostAsync("/api/v2/integration-schema/asana/actions/httprequest/execute",
            new StringContent("""{"method":"GET","path":"/me"}""", System.Text.Encoding.UTF8, "application/json"), Ct));
        Assert.Equal("Success", json.Str("node_status"));
        Assert.Equal(FakeOAuthProvider.Email, json.GetProperty("data").GetProperty("data").Str("email"));
        Assert.Equal(calls + 1, Fake.RefreshCalls);
    }

    [Fact]
    public async Task Refresh_RejectedByProvider_ExpiresConnection_AndStopsRetrying()
    {
        var (key, account, id) = await ConnectAsanaAsync();
        Fake.RevokeAll();
        app.Time.Advance(TimeSpan.FromMinutes(51));
        Assert.Equal(RefreshOutcome.Expired, await Tokens.RefreshAsync(id, wait: true, Ct));
        Assert.Contains(Fake.Errors, e => e.Contains("invalid_grant", StringComparison.Ordinal));

        var asana = await ApplicationAsync(key, account, "asana");
        Assert.True(asana.GetProperty("reauth_required").GetBoolean());
        Assert.Equal("expired", asana.GetProperty("connected_accounts")[0].Str("status"));
        await Assert.ThrowsAsync<OAuthTokens.ReauthRequiredException>(() => CredentialsAsync(id));

        // Not retried: the connection is no longer scheduled, and a refresh attempt ends before the provider.
        var store = app.Services.GetRequiredService<ConnectionStore>();
        app.Time.Advance(TimeSpan.FromHours(2));
        Assert.DoesNotContain(id, await store.DueForRefreshAsync(app.Time.GetUtcNow(), 10_000, Ct));
        var calls = Fake.RefreshCalls;
        Assert.Equal(RefreshOutcome.Expired, await Tokens.RefreshAsync(id, wait: true, Ct));
        Assert.Equal(calls, Fake.RefreshCalls);

        // Reconnecting brings it back.
        using var page = await ConsentAsync(await AuthUrlAsync(key, account, "asana"));
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        asana = await ApplicationAsync(key, account, "asana");
        Assert.False(asana.GetProperty("reauth_required").GetBoolean());
        Assert.Equal("active", asana.GetProperty("connected_accounts")[0].Str("status"));
    }

    [Fact]
    public async Task Refresh_TransientFailure_BacksOff_AndRecovers()
    {
        var (key, account, id) = await ConnectAsanaAsync();
        app.Time.Advance(TimeSpan.FromMinutes(51));
        Fake.RefreshStatus = 503;
        try
        {
            Assert.Equal(RefreshOutcome.Failed, await Tokens.RefreshAsync(id, wait: true, Ct));
            Assert.Equal(RefreshOutcome.Fresh, await Tokens.RefreshAsync(id, wait: true, Ct)); // the retry is scheduled in 30 s
            app.Time.Advance(TimeSpan.FromSeconds(31));
            Assert.Equal(RefreshOutcome.Failed, await Tokens.RefreshAsync(id, wait: true, Ct));
        }
        finally
        {
            Fake.RefreshStatus = null;
        }
        var row = await app.Db.QueryFirstOrDefaultAsync<(int RefreshFailures, DateTimeOffset RefreshAt, string Status)>(
            "select refresh_failures, refresh_at, status from connections where id = @id", new { id }, Ct);
        Assert.Equal(2, row.RefreshFailures);
        Assert.Equal("active", row.Status);
        Assert.Equal(app.Time.GetUtcNow() + TimeSpan.FromSeconds(60), row.RefreshAt, TimeSpan.FromMilliseconds(1)); // 30 s, then 60 s
        Assert.False((await ApplicationAsync(key, account, "asana")).GetProperty("reauth_required").GetBoolean());

        await RunWorkerAsync(); // not due yet
        Assert.Equal(0, await app.Db.QueryFirstOrDefaultAsync<int>("select count(*) from connections where id = @id and refresh_failures = 0", new { id }, Ct));
        app.Time.Advance(TimeSpan.FromSeconds(61));
        await RunWorkerAsync();
        Assert.Equal(1, await app.Db.QueryFirstOrDefaultAsync<int>("select count(*) from connections where id = @id and refresh_failures = 0", new { id }, Ct));
    }

    [Fact]
    public async Task TwoNodes_RefreshingTheSameConnectionAtOnce_CallTheProviderOnce()
    {
        var (_, _, id) = await ConnectAsanaAsync();
        await using var second = app.CreateNode();
        await second.InitializeAsync();
        app.Time.Advance(TimeSpan.FromMinutes(51));
        second.Time.SetUtcNow(app.Time.GetUtcNow());
        var calls = Fake.RefreshCalls;
        Fake.RefreshDelay = TimeSpan.FromMilliseconds(400); // both nodes are inside the race window
        try
        {
            var secondTokens = second.Services.GetRequiredService<OAuthTokens>();
            var outcomes = await Task.WhenAll(
                Tokens.RefreshAsync(id, wait: true, Ct), secondTokens.RefreshAsync(id, wait: true, Ct),
                Tokens.RefreshAsync(id, wait: true, Ct), secondTokens.RefreshAsync(id, wait: true, Ct));
            Assert.Equal(calls + 1, Fake.RefreshCalls); // a rotating provider would have revoked the grant on a second call
            Assert.Contains(RefreshOutcome.Refreshed, outcomes);
            Assert.All(outcomes, o => Assert.True(o is RefreshOutcome.Refreshed or RefreshOutcome.Fresh, o.ToString()));
        }
        finally
        {
            Fake.RefreshDelay = TimeSpan.Zero;
        }
        // Both nodes read the same, live token.
        var a = (await CredentialsAsync(id))["access_token"];
        Assert.Equal(a, (await CredentialsAsync(id, second))["access_token"]);
        Assert.True(Fake.IsLive(a));
    }

    [Fact]
    public async Task AdminOAuthClient_Saved_SecretWriteOnlyAndSealed_PerEnvironment()
    {
        var (orgId, _, _) = await app.CreateOrgAsync("Admin OAuth");
        var admin = app.AdminClient();
        var saved = await ApiAssert.OkAsync(await admin.PutAsJsonAsync($"/admin/v1/orgs/{orgId}/oauth/hubspot",
            new { client_id = "hs-client", client_secret = "hs-secret-value", scopes = new[] { "crm.objects.contacts.read" } }, Ct));
        Assert.Equal(2, saved.GetArrayLength());
        Assert.Equal("""{"slug":"hubspot","environment":"test","client_id":"hs-client","has_client_secret":true,"scopes":["crm.objects.contacts.read"],"redirect_uri":"http://localhost/api/v1/hubspot/callback"}""",
            saved[0].GetRawText());
        Assert.DoesNotContain("hs-secret-value", saved.GetRawText());
        var sealedSecrets = await app.Db.QueryAsync<string>("select sealed_client_secret from oauth_clients where org_id = @orgId", new { orgId }, Ct);
        Assert.All(sealedSecrets, s => { Assert.StartsWith("v1.", s); Assert.DoesNotContain("hs-secret", s); });

        await ApiAssert.OkAsync(await admin.PutAsJsonAsync($"/admin/v1/orgs/{orgId}/oauth/box", new { client_id = "box-prod", environment = "production" }, Ct));
        var list = await ApiAssert.OkAsync(await admin.GetAsync($"/admin/v1/orgs/{orgId}/oauth", Ct));
        Assert.Equal(["box/production", "hubspot/production", "hubspot/test"], list.EnumerateArray().Select(c => $"{c.Str("slug")}/{c.Str("environment")}"));

        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/admin/v1/orgs/{orgId}/oauth/hubspot?environment=test", Ct)).StatusCode);
        Assert.Equal(2, (await ApiAssert.OkAsync(await admin.GetAsync($"/admin/v1/orgs/{orgId}/oauth", Ct))).GetArrayLength());
        await ApiAssert.ErrorAsync(await admin.DeleteAsync($"/admin/v1/orgs/{orgId}/oauth/hubspot?environment=test", Ct), 404, "NOT_FOUND", "RESOURCE_NOT_FOUND");

        await ApiAssert.ErrorAsync(await admin.PutAsJsonAsync($"/admin/v1/orgs/{orgId}/oauth/stripe", new { client_id = "x" }, Ct), 404, "NOT_FOUND", "RESOURCE_NOT_FOUND");
        await ApiAssert.ErrorAsync(await admin.PutAsJsonAsync($"/admin/v1/orgs/{orgId}/oauth/hubspot", new { client_secret = "x" }, Ct), 400, "BAD_REQUEST", "VALIDATION_ERROR");
        await ApiAssert.ErrorAsync(await admin.PutAsJsonAsync($"/admin/v1/orgs/{orgId}/oauth/hubspot", new { client_id = "x", scopes = "a b" }, Ct),
            400, "BAD_REQUEST", "VALIDATION_ERROR", "'scopes' must be an array of strings");
        await ApiAssert.ErrorAsync(await admin.PutAsJsonAsync($"/admin/v1/orgs/{orgId}/oauth/hubspot", new { client_id = "x", environment = "staging" }, Ct),
            400, "BAD_REQUEST", "VALIDATION_ERROR");
        await ApiAssert.ErrorAsync(await admin.GetAsync("/admin/v1/orgs/000000000000000000000000/oauth", Ct), 404, "NOT_FOUND", "RESOURCE_NOT_FOUND");
        // An org API key is not the admin token.
        var (_, key, _) = await app.CreateOrgAsync();
        using var withKey = app.CreateClient();
        withKey.DefaultRequestHeaders.Add("x-api-key", key);
        Assert.Equal(HttpStatusCode.Unauthorized, (await withKey.GetAsync($"/admin/v1/orgs/{orgId}/oauth", Ct)).StatusCode);
    }

    [Fact]
    public async Task Tenancy_AnotherOrgsClientAndStatesNeverApply()
    {
        var (_, keyA, accountA) = await OrgAsync("asana");
        var (_, keyB, accountB) = await OrgAsync();
        // Org B has not set up Asana: org A's client does not leak across.
        await ApiAssert.ErrorAsync(await app.ClientFor(keyB, accountB).GetAsync("/api/v2/public/linked-account/integration/oauth-url/asana", Ct),
            400, "BAD_REQUEST", "VALIDATION_ERROR");
        // Org B's key cannot start a flow for org A's linked account.
        await ApiAssert.ErrorAsync(await app.ClientFor(keyB, accountA).GetAsync("/api/v2/public/linked-account/integration/oauth-url/asana", Ct),
            404, "NOT_FOUND", "SERVER_ERROR"); // refold-api.md LA4's error for an account the key cannot see
        // A state connects only the account it was issued for.
        using var page = await ConsentAsync(await AuthUrlAsync(keyA, accountA, "asana"));
        Assert.True((await ApplicationAsync(keyA, accountA, "asana")).GetProperty("connected").GetBoolean());
        Assert.False((await ApplicationAsync(keyB, accountB, "asana")).GetProperty("connected").GetBoolean());
    }
}

public sealed class SqliteOAuthTests(SqliteApp<FakeOAuthOptions> app) : OAuthTests(app), IClassFixture<SqliteApp<FakeOAuthOptions>>;
public sealed class PostgresOAuthTests(PostgresApp<FakeOAuthOptions> app) : OAuthTests(app), IClassFixture<PostgresApp<FakeOAuthOptions>>;

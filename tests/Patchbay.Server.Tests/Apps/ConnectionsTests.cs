using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Patchbay.Connections;
using Patchbay.Tests.Contract;
using Patchbay.Tests.Infrastructure;
using Xunit;

namespace Patchbay.Tests.Apps;

// Key-based connections end to end: the API, verification against provider APIs on loopback, what is stored.
public abstract class ConnectionsTests(PatchbayApp app)
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;
    const string Save = "/api/v2/public/linked-account/integration/save-key-credentials";
    FakeProvider Provider => app.Fake!;

    async Task<HttpResponseMessage> SaveAsync(string account, string slug, object body, string query = "") =>
        await app.ClientFor(linkedAccountId: account).PutAsJsonAsync($"{Save}/{slug}{query}", body, Ct);

    async Task<JsonElement> AppAsync(string account, string slug)
    {
        var json = await ApiAssert.OkAsync(await app.ClientFor(linkedAccountId: account).GetAsync($"/api/v2/public/application/{slug}", Ct));
        RefoldOpenApi.AssertResponse("GET", "/api/v2/public/application/{slug}", 200, json);
        return json;
    }

    async Task<long> ConnectionCountAsync(string account) => await app.Db.ExecuteScalarAsync<long>("""
        select count(*) from connections c join integrations i on i.id = c.integration_id join linked_accounts la on la.id = i.linked_account_id
        where la.account_id = @account
        """, new { account }, Ct);

    [Fact]
    public async Task SaveKeyCredentials_Valid_VerifiesStoresAndShowsConnected()
    {
        var account = await app.CreateLinkedAccountAsync();
        var response = await SaveAsync(account, "stripe", new { api_key = " " + FakeProvider.StripeKey + " " });
        var json = await ApiAssert.OkAsync(response);
        Assert.Equal("""{"success":true}""", json.GetRawText());
        Assert.Contains(Provider.Requests, r => r.Path == "/v1/account" && r.Authorization == $"Bearer {FakeProvider.StripeKey}");

        var stripe = await AppAsync(account, "stripe");
        Assert.True(stripe.GetProperty("connected").GetBoolean());
        Assert.False(stripe.GetProperty("reauth_required").GetBoolean());
        var connected = Assert.Single(stripe.GetProperty("connected_accounts").EnumerateArray());
        Assert.Equal("owner@acme.test", connected.Str("identifier"));
        Assert.Equal("active", connected.Str("status"));
        Assert.Equal("keybased", connected.Str("auth_type"));
        Assert.Equal("keybased", stripe.Str("auth_type"));
        Assert.Equal("api_key", stripe.GetProperty("auth_input_map")[0].Str("name"));

        var accountJson = await ApiAssert.OkAsync(await app.ClientFor().GetAsync($"/api/v2/public/linked-account/{account}", Ct));
        var integration = Assert.Single(accountJson.GetProperty("integrations").EnumerateArray());
        Assert.Equal("stripe", integration.Str("type"));
        Assert.Equal("owner@acme.test", integration.Str("identifier"));
        Assert.DoesNotContain(FakeProvider.StripeKey, accountJson.GetRawText(), StringComparison.Ordinal);
        Assert.DoesNotContain(FakeProvider.StripeKey, stripe.GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SaveKeyCredentials_ProviderRejects_500WithReason_AndStoresNothing()
    {
        var account = await app.CreateLinkedAccountAsync();
        var response = await SaveAsync(account, "stripe", new { api_key = "sk_test_wrong" });
        var json = await ApiAssert.ErrorAsync(response, 500, "INTERNAL_SERVER_ERROR", "SERVER_ERROR",
            "Failed to verify credentials: Request failed with status code 401");
        Assert.DoesNotContain("sk_test_wrong", json.GetRawText(), StringComparison.Ordinal);
        Assert.Equal(0, await ConnectionCountAsync(account));
        Assert.False((await AppAsync(account, "stripe")).GetProperty("connected").GetBoolean());
    }

    [Fact]
    public async Task SaveKeyCredentials_NetSuiteTba_SignedAsNetSuiteChecks()
    {
        var account = await app.CreateLinkedAccountAsync();
        var ns = FakeProvider.NetSuite;
        var body = new { account_id = ns.Account, consumer_key = ns.ConsumerKey, consumer_secret = ns.ConsumerSecret, token_id = ns.TokenId, token_secret = ns.TokenSecret };
        await ApiAssert.OkAsync(await SaveAsync(account, "netsuite", body));
        var connected = Assert.Single((await AppAsync(account, "netsuite")).GetProperty("connected_accounts").EnumerateArray());
        Assert.Equal("1234567_SB1", connected.Str("identifier"));

        var wrongSecret = body with { token_secret = "not-the-secret" };
        var other = await app.CreateLinkedAccountAsync();
        await ApiAssert.ErrorAsync(await SaveAsync(other, "netsuite", wrongSecret), 500, "INTERNAL_SERVER_ERROR", "SERVER_ERROR",
            "Failed to verify credentials: Request failed with status code 401");
        Assert.Equal(0, await ConnectionCountAsync(other));
    }

    [Fact]
    public async Task SaveKeyCredentials_MissingRequiredField_Returns400()
    {
        var account = await app.CreateLinkedAccountAsync();
        var ns = FakeProvider.NetSuite;
        var response = await SaveAsync(account, "netsuite", new { account_id = ns.Account, consumer_key = "a", consumer_secret = "b", token_id = "c" });
        await ApiAssert.ErrorAsync(response, 400, "BAD_REQUEST", "VALIDATION_ERROR", "'token_secret' is required");
    }

    [Theory]
    [InlineData("brevo", "Failed to verify credentials: getaddrinfo ENOTFOUND patchbay-test.invalid")]
    [InlineData("klaviyo", "Failed to verify credentials: connection to 169.254.169.254 (169.254.169.254) refused by the egress policy: private and internal networks are not reachable")]
    [InlineData("sendgrid", "Failed to verify credentials: timeout of 10000ms exceeded")] // PatchbayApp.VerifyTimeoutSeconds
    public async Task SaveKeyCredentials_ProviderUnreachable_ReadableReason(string slug, string message)
    {
        var account = await app.CreateLinkedAccountAsync();
        var response = await SaveAsync(account, slug, new { api_key = "secret-value-123", region = "api" });
        var json = await ApiAssert.ErrorAsync(response, 500, "INTERNAL_SERVER_ERROR", "SERVER_ERROR", message);
        Assert.DoesNotContain("secret-value-123", json.GetRawText(), StringComparison.Ordinal);
        Assert.Equal(0, await ConnectionCountAsync(account));
    }

    [Fact]
    public async Task SaveKeyCredentials_ConnectionRefused_ReadableReason()
    {
        var account = await app.CreateLinkedAccountAsync();
        var response = await SaveAsync(account, "pipedrive", new { api_token = "t", company_domain = "acme" });
        await ApiAssert.ErrorAsync(response, 500, "INTERNAL_SERVER_ERROR", "SERVER_ERROR",
            $"Failed to verify credentials: connect ECONNREFUSED 127.0.0.1:{PatchbayApp.ClosedPort}");
    }

    // Values a customer might type (or an attacker would) where the app puts them in the API's host name. Each must be
    // refused with a 400 naming the field before anything leaves: no request reaches the provider, nothing is stored.
    public static readonly string[] HostileHostValues =
    [
        "evil.com", "evil.com/", "evil.com?", "evil.com#", "evil.com/x?", "a.evil.com", "evil.com:443", "user@evil.com", "evil.com/@x",
        "http://127.0.0.1:18219", "127.0.0.1", "[::1]", "169.254.169.254", "%2e", "evil%2ecom", "evil%2Fx", ".", "..", "evil.",
        "evil\u3002com", "\u3002", "evil\uFF0Ecom", "\uFF45vil", "\u212Aelvin", "caf\u00E9", "xn--caf-dma.evil", new string('a', 64), "-bad", "bad-",
        "evil\\com", "evil\\", "a b", "evil\tcom", "evil\u0000", "evil\r\nHost: x", "evil;com", "evil,com", "*", "$(x)", "{{x}}",
    ];

    public static readonly TheoryData<string, string> HostFields = new()
    {
        { "shopify", "shop_domain" }, { "netsuite", "account_id" }, { "freshdesk", "subdomain" }, { "zendesk", "subdomain" }, { "pipedrive", "company_domain" },
    };

    static Dictionary<string, string> ValidFields(string slug) => slug switch
    {
        "shopify" => new() { ["shop_domain"] = "acme", ["access_token"] = FakeProvider.ShopifyToken },
        "netsuite" => new() { ["account_id"] = "1234567", ["consumer_key"] = "a", ["consumer_secret"] = "b", ["token_id"] = "c", ["token_secret"] = "d" },
        "freshdesk" => new() { ["subdomain"] = "acme", ["api_key"] = "k" },
        "zendesk" => new() { ["subdomain"] = "acme", ["email"] = "a@acme.test", ["api_token"] = "t" },
        _ => new() { ["company_domain"] = "acme", ["api_token"] = "t" },
    };

    [Theory]
    [MemberData(nameof(HostFields))]
    public async Task SaveKeyCredentials_HostileHostValues_400NamingTheField_NothingSentOrStored(string slug, string field)
    {
        var account = await app.CreateLinkedAccountAsync();
        var sent = Provider.Requests.Count;
        var accepted = new List<string>();
        foreach (var value in HostileHostValues.Append(""))
        {
            var body = ValidFields(slug);
            body[field] = value;
            foreach (var (path, request) in (ValueTuple<string, Func<Task<HttpResponseMessage>>>[])[
                (Save, () => SaveAsync(account, slug, body)),
                ("/api/v2/public/migrate-token", () => app.ClientFor().PutAsJsonAsync("/api/v2/public/migrate-token",
                    new { linked_account_id = account, slug, auth_object = slug is "zendesk" or "pipedrive" ? body.Append(new("access_token", "t")).ToDictionary() : body }, Ct))])
            {
                using var response = await request();
                var text = await response.Content.ReadAsStringAsync(Ct);
                if ((int)response.StatusCode != 400 || !text.Contains($"'{(path == Save ? "" : "auth_object.")}{field}'", StringComparison.Ordinal))
                {
                    accepted.Add($"{path} {JsonSerializer.Serialize(value)} → {(int)response.StatusCode} {text}");
                    continue;
                }
                var json = await ApiAssert.ErrorAsync(response, 400, "BAD_REQUEST", "VALIDATION_ERROR");
                Assert.Equal(4, json.EnumerateObject().Count(p => p.Name is "status_code" or "http_error_type" or "error" or "message"));
            }
        }
        Assert.True(accepted.Count == 0, $"{slug}.{field} accepted {accepted.Count} hostile values:\n{string.Join('\n', accepted)}");
        Assert.Equal(sent, Provider.Requests.Count);
        Assert.Equal(0, await ConnectionCountAsync(account));
    }

    [Theory]
    [InlineData("acme-store")]
    [InlineData("Acme-Store.myshopify.com")]
    [InlineData(" https://acme-store.myshopify.com/admin ")]
    public async Task SaveKeyCredentials_ShopDomainAsCustomersTypeIt_ConnectsToThatShop(string shopDomain)
    {
        var account = await app.CreateLinkedAccountAsync();
        await ApiAssert.OkAsync(await SaveAsync(account, "shopify", new { shop_domain = shopDomain, access_token = FakeProvider.ShopifyToken }));
        Assert.Contains(Provider.Requests, r => r.Path == "/shopify/acme-store/shop.json");
        var connected = Assert.Single((await AppAsync(account, "shopify")).GetProperty("connected_accounts").EnumerateArray());
        Assert.Equal("acme-store.myshopify.com", connected.Str("identifier"));
    }

    [Theory]
    [InlineData("file:///etc/passwd")]
    [InlineData("javascript:alert(1)")]
    [InlineData("ftp://127.0.0.1/x")]
    [InlineData("data:text/plain,hi")]
    [InlineData("gopher://127.0.0.1:70/")]
    public async Task SaveKeyCredentials_RedirectToAnotherScheme_FailsVerificationCleanly(string target)
    {
        var account = await app.CreateLinkedAccountAsync();
        Provider.StripeRedirect = target;
        try
        {
            var response = await SaveAsync(account, "stripe", new { api_key = FakeProvider.StripeKey });
            var json = await ApiAssert.ErrorAsync(response, 500, "INTERNAL_SERVER_ERROR", "SERVER_ERROR");
            Assert.StartsWith("Failed to verify credentials: the provider redirected to a non-HTTP(S) URL (", json.Str("message"), StringComparison.Ordinal);
            Assert.DoesNotContain(FakeProvider.StripeKey, json.GetRawText(), StringComparison.Ordinal);
            Assert.Equal(0, await ConnectionCountAsync(account));
        }
        finally
        {
            Provider.StripeRedirect = null;
        }
    }

    [Fact]
    public async Task SlowProvider_DoesNotBlockOtherRequests()
    {
        var account = await app.CreateLinkedAccountAsync();
        // The provider never answers: the verification waits for its timeout (10 s) while the reads are served.
        var slow = SaveAsync(account, "sendgrid", new { api_key = "k", region = "api" });
        for (var i = 0; i < 20; i++) await ApiAssert.OkAsync(await app.ClientFor().GetAsync($"/api/v2/public/linked-account/{account}", Ct));
        Assert.False(slow.IsCompleted, "the reads waited for the slow verification");
        await ApiAssert.ErrorAsync(await slow, 500, "INTERNAL_SERVER_ERROR", "SERVER_ERROR", $"Failed to verify credentials: timeout of {PatchbayApp.VerifyTimeoutSeconds * 1000}ms exceeded");
    }

    [Fact]
    public async Task SaveKeyCredentials_UnknownOrDisabledApp_Returns404()
    {
        var account = await app.CreateLinkedAccountAsync();
        var orgId = (await ApiAssert.OkAsync(await app.ClientFor().GetAsync($"/api/v2/public/linked-account/{account}", Ct))).Str("associated_org");
        await ApiAssert.ErrorAsync(await SaveAsync(account, "no-such-app", new { }), 404, "EXTERNAL_API_ERROR", "EXTERNAL_API_FAILURE",
            $"Application with app_type 'no-such-app' not found for org {orgId}");

        var (otherOrg, key, _) = await app.CreateOrgAsync();
        await ApiAssert.OkAsync(await app.AdminClient().PutAsJsonAsync($"/admin/v1/orgs/{otherOrg}/apps/stripe", new { enabled = false }, Ct));
        var otherAccount = await app.CreateLinkedAccountAsync(apiKey: key);
        var response = await app.ClientFor(key, otherAccount).PutAsJsonAsync($"{Save}/stripe", new { api_key = FakeProvider.StripeKey }, Ct);
        await ApiAssert.ErrorAsync(response, 404, "EXTERNAL_API_ERROR", "EXTERNAL_API_FAILURE");
        var list = await ApiAssert.OkAsync(await app.ClientFor(key, otherAccount).GetAsync("/api/v2/public/application", Ct));
        Assert.DoesNotContain(list.EnumerateArray(), a => a.Str("slug") == "stripe");
        Assert.Contains(list.EnumerateArray(), a => a.Str("slug") == "netsuite");
    }

    [Fact]
    public async Task SaveKeyCredentials_UnknownAuthType_Returns400()
    {
        var account = await app.CreateLinkedAccountAsync();
        await ApiAssert.ErrorAsync(await SaveAsync(account, "stripe", new { api_key = "x" }, "?auth_type=oauth2"), 400, "BAD_REQUEST", "VALIDATION_ERROR",
            "Application 'stripe' has no key-based auth type 'oauth2'");
    }

    [Fact]
    public async Task ApplicationList_FiltersAndStatus_MatchContract()
    {
        var account = await app.CreateLinkedAccountAsync();
        await ApiAssert.OkAsync(await SaveAsync(account, "stripe", new { api_key = FakeProvider.StripeKey }));
        var client = app.ClientFor(linkedAccountId: account);

        var all = await ApiAssert.OkAsync(await client.GetAsync("/api/v2/public/application", Ct));
        Assert.True(all.GetArrayLength() >= 35, $"{all.GetArrayLength()} apps enabled by default");
        // On by default: what needs nothing from the org (a key-based type, or OAuth client credentials the customer brings).
        Assert.All(all.EnumerateArray(), a => Assert.True(
            a.GetProperty("auth_type_options").EnumerateObject().Any(o => o.Name != "oauth2") || a.Str("grant_type") == "client_credentials", a.Str("slug")));
        Assert.Contains(all.EnumerateArray(), a => a.Str("slug") == "helpscout");
        Assert.DoesNotContain(all.EnumerateArray(), a => a.Str("slug") == "box"); // OAuth-only until the org sets its client
        foreach (var item in all.EnumerateArray()) RefoldOpenApi.AssertResponse("GET", "/api/v2/public/application/{slug}", 200, item);
        Assert.Single(all.EnumerateArray(), a => a.GetProperty("connected").GetBoolean());
        Assert.DoesNotContain(all.EnumerateArray(), a => a.Str("auth_type") == "custom");

        var payments = await ApiAssert.OkAsync(await client.GetAsync("/api/v2/public/application?tags=payments", Ct));
        Assert.Equal(["stripe"], payments.EnumerateArray().Select(a => a.Str("slug")));
        var one = await ApiAssert.OkAsync(await client.GetAsync("/api/v2/public/application?slug=netsuite", Ct));
        Assert.Equal("netsuite", Assert.Single(one.EnumerateArray()).Str("slug"));
        var ecosystem = await ApiAssert.OkAsync(await client.GetAsync("/api/v2/public/application?ecosystem=true", Ct));
        Assert.Equal(0, ecosystem.GetArrayLength());
        var icon = await app.CreateClient().GetAsync(new Uri(one[0].Str("icon")).PathAndQuery, Ct);
        Assert.Equal("image/svg+xml", icon.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task DeleteIntegration_ByAuthType_RemovesConnection_Idempotently()
    {
        var account = await app.CreateLinkedAccountAsync();
        await ApiAssert.OkAsync(await SaveAsync(account, "stripe", new { api_key = FakeProvider.StripeKey }));
        var json = await ApiAssert.OkAsync(await app.ClientFor().DeleteAsync($"/api/v2/public/linked-account/integration/stripe?linked_account_id={account}&auth_type=keybased", Ct));
        Assert.Empty(json.GetProperty("integrations").EnumerateArray());
        Assert.False((await AppAsync(account, "stripe")).GetProperty("connected").GetBoolean());
        await ApiAssert.OkAsync(await app.ClientFor().DeleteAsync($"/api/v2/public/linked-account/integration/stripe?linked_account_id={account}&auth_type=keybased", Ct));
        Assert.Equal(0, await ConnectionCountAsync(account));
    }

    [Fact]
    public async Task FrontendSdkRoutes_WithSessionToken_ConnectListAndDisconnect()
    {
        var account = await app.CreateLinkedAccountAsync();
        var sdk = app.SessionClient(await app.CreateSessionTokenAsync(account));

        var saved = await ApiAssert.OkAsync(await sdk.PostAsJsonAsync("/api/v2/app/stripe/save", new { api_key = FakeProvider.StripeKey }, Ct));
        Assert.True(saved.GetProperty("success").GetBoolean());
        var stripe = await ApiAssert.OkAsync(await sdk.GetAsync("/api/v2/f-sdk/application/stripe", Ct));
        Assert.True(stripe.GetProperty("connected").GetBoolean());
        var list = await ApiAssert.OkAsync(await sdk.GetAsync("/api/v2/f-sdk/application", Ct));
        Assert.Contains(list.EnumerateArray(), a => a.Str("slug") == "stripe" && a.GetProperty("connected").GetBoolean());

        var basics = await ApiAssert.OkAsync(await sdk.GetAsync("/api/v3/org/basics", Ct));
        Assert.Equal(account, basics.GetProperty("linked_account").Str("account_id"));
        Assert.Equal("test", basics.GetProperty("org").Str("environment"));

        await ApiAssert.OkAsync(await sdk.DeleteAsync("/api/v1/linked-acc/integration/stripe", Ct));
        Assert.False((await ApiAssert.OkAsync(await sdk.GetAsync("/api/v2/f-sdk/application/stripe", Ct))).GetProperty("connected").GetBoolean());
    }

    [Fact]
    public async Task MigrateToken_NestedOrFlatAuthObject_ConnectsTheApp_CustomAppsRefused()
    {
        var account = await app.CreateLinkedAccountAsync();
        var nested = await ApiAssert.OkAsync(await app.ClientFor(linkedAccountId: account).PutAsJsonAsync("/api/v2/public/migrate-token",
            new { slug = "hubspot", auth_object = new { oauth2 = new { access_token = FakeProvider.HubSpotToken, refresh_token = "r", expires_in = 1800 } } }, Ct));
        RefoldOpenApi.AssertResponse("PUT", "/api/v2/public/migrate-token", 200, nested);
        Assert.Equal("Token migrated successfully", nested.Str("message"));
        var hubspot = await AppAsync(account, "hubspot");
        Assert.Equal("oauth2", Assert.Single(hubspot.GetProperty("connected_accounts").EnumerateArray()).Str("auth_type"));
        Assert.Equal("4242", hubspot.GetProperty("connected_accounts")[0].Str("identifier"));

        // Flat auth_object: the app's default auth type; linked_account_id in the body, as the Node SDK sends it.
        var other = await app.CreateLinkedAccountAsync();
        await ApiAssert.OkAsync(await app.ClientFor().PutAsJsonAsync("/api/v2/public/migrate-token",
            new { slug = "stripe", linked_account_id = other, auth_object = new { api_key = FakeProvider.StripeKey } }, Ct));
        Assert.True((await AppAsync(other, "stripe")).GetProperty("connected").GetBoolean());

        var custom = await ApiAssert.OkAsync(await app.ClientFor(linkedAccountId: account).PutAsJsonAsync("/api/v2/public/migrate-token",
            new { slug = "default-organization", auth_object = new { api_key = "k" } }, Ct));
        Assert.Equal("Custom apps are not supported for this endpoint.", custom.Str("error"));

        await ApiAssert.ErrorAsync(await app.ClientFor(linkedAccountId: account).PutAsJsonAsync("/api/v2/public/migrate-token",
            new { slug = "hubspot", auth_object = new { oauth2 = new { access_token = "bad" } } }, Ct),
            500, "INTERNAL_SERVER_ERROR", "SERVER_ERROR", "Failed to verify credentials: Request failed with status code 401");
        await ApiAssert.ErrorAsync(await app.ClientFor(linkedAccountId: account).PutAsJsonAsync("/api/v2/public/migrate-token",
            new { slug = "stripe", auth_object = new { api_key = new { nested = 1 } } }, Ct),
            400, "BAD_REQUEST", "VALIDATION_ERROR", "auth_object values must be valid strings");
    }

    [Fact]
    public async Task AuthStructure_NoAuth_DescribesFields()
    {
        var json = await ApiAssert.OkAsync(await app.CreateClient().GetAsync("/api/v2/public/auth-structure/netsuite", Ct));
        RefoldOpenApi.AssertResponse("GET", "/api/v2/public/auth-structure/{slug}", 200, json);
        Assert.Equal("string", json.GetProperty("keybased").Str("token_secret"));
        var hubspot = await ApiAssert.OkAsync(await app.CreateClient().GetAsync("/api/v2/public/auth-structure/hubspot", Ct));
        Assert.False(hubspot.GetProperty("oauth2").GetProperty("refresh_token").GetProperty("required").GetBoolean());
        Assert.Equal("{}", (await ApiAssert.OkAsync(await app.CreateClient().GetAsync("/api/v2/public/auth-structure/default-organization", Ct))).GetRawText());
        await ApiAssert.ErrorAsync(await app.CreateClient().GetAsync("/api/v2/public/auth-structure/test-app", Ct), 404, "NOT_FOUND", "SERVER_ERROR",
            "Schema not found for integration type: test-app");
    }

    [Fact]
    public async Task Recheck_ProviderRevokesKey_ConnectionExpires_TransientFailureDoesNot()
    {
        // A node of its own: this test moves its clock by hours, which other tests' signatures must not see.
        await using var node = app.CreateNode();
        await node.InitializeAsync();
        var account = await node.CreateLinkedAccountAsync();
        await ApiAssert.OkAsync(await node.ClientFor(linkedAccountId: account).PutAsJsonAsync($"{Save}/stripe", new { api_key = FakeProvider.StripeKey }, Ct));
        var worker = node.Services.GetRequiredService<ConnectionCheckWorker>();
        try
        {
            node.Time.Advance(TimeSpan.FromHours(7));
            Provider.StripeDown = true;
            await worker.RunOnceAsync(Ct);
            Assert.Equal("active", (await AppAsync(account, "stripe")).GetProperty("connected_accounts")[0].Str("status"));

            Provider.StripeDown = false;
            Provider.StripeKeyRevoked = true;
            node.Time.Advance(TimeSpan.FromHours(1));
            await worker.RunOnceAsync(Ct);
            var stripe = await AppAsync(account, "stripe");
            Assert.Equal("expired", stripe.GetProperty("connected_accounts")[0].Str("status"));
            Assert.True(stripe.GetProperty("reauth_required").GetBoolean());
            Assert.True((await ApiAssert.OkAsync(await app.ClientFor().GetAsync($"/api/v2/public/linked-account/{account}", Ct)))
                .GetProperty("integrations")[0].GetProperty("reauth_required").GetBoolean());

            // Reconnecting with working credentials makes it active again.
            Provider.StripeKeyRevoked = false;
            await ApiAssert.OkAsync(await SaveAsync(account, "stripe", new { api_key = FakeProvider.StripeKey }));
            Assert.Equal("active", (await AppAsync(account, "stripe")).GetProperty("connected_accounts")[0].Str("status"));
        }
        finally
        {
            Provider.StripeDown = false;
            Provider.StripeKeyRevoked = false;
        }
    }

    [Fact]
    public async Task Credentials_AreSealed_AndBoundToTheirConnection()
    {
        var account = await app.CreateLinkedAccountAsync();
        await ApiAssert.OkAsync(await SaveAsync(account, "stripe", new { api_key = FakeProvider.StripeKey }));
        var row = (await app.Db.QueryAsync<(string IntegrationId, string SealedCredentials)>("""
            select c.integration_id, c.sealed_credentials from connections c join integrations i on i.id = c.integration_id
            join linked_accounts la on la.id = i.linked_account_id where la.account_id = @account
            """, new { account }, Ct)).Single();
        Assert.DoesNotContain(FakeProvider.StripeKey, row.SealedCredentials, StringComparison.Ordinal);
        var vault = app.Services.GetRequiredService<Patchbay.Vault.Vault>();
        Assert.Contains(FakeProvider.StripeKey, (await vault.OpenAsync(row.SealedCredentials, ConnectionStore.SealContext(row.IntegrationId, "keybased"), Ct)).Value, StringComparison.Ordinal);
        await Assert.ThrowsAsync<Patchbay.Vault.VaultException>(async () =>
            await vault.OpenAsync(row.SealedCredentials, ConnectionStore.SealContext(row.IntegrationId, "oauth2"), Ct));
    }
}

public sealed class SqliteConnectionsTests(SqliteApp<FakeProviderOptions> app) : ConnectionsTests(app), IClassFixture<SqliteApp<FakeProviderOptions>>;
public sealed class PostgresConnectionsTests(PostgresApp<FakeProviderOptions> app) : ConnectionsTests(app), IClassFixture<PostgresApp<FakeProviderOptions>>;

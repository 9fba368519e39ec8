using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.WebUtilities;
using Patchbay.Tests.Infrastructure;
using Xunit;

namespace Patchbay.Tests.Http;

// Response headers on the wire: the hosted pages cannot be framed and leak no referrer, nothing is sniffed, and the
// admin API answers no cross-origin request.
public abstract partial class SecurityHeadersTests(PatchbayApp app)
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    const string Origin = "https://evil.example";

    static string Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) || response.Content.Headers.TryGetValues(name, out values)
            ? string.Join(", ", values) : "";

    static void AssertPageHeaders(HttpResponseMessage page)
    {
        var csp = Header(page, "Content-Security-Policy");
        Assert.Contains("frame-ancestors 'none'", csp, StringComparison.Ordinal);
        Assert.Contains("default-src", csp, StringComparison.Ordinal);
        Assert.Contains("base-uri 'none'", csp, StringComparison.Ordinal);
        Assert.Contains("object-src 'none'", csp, StringComparison.Ordinal);
        Assert.Equal("DENY", Header(page, "X-Frame-Options"));
        Assert.Equal("no-referrer", Header(page, "Referrer-Policy"));
        Assert.Equal("nosniff", Header(page, "X-Content-Type-Options"));
        Assert.Equal("no-store", Header(page, "Cache-Control"));
    }

    [Fact]
    public async Task HostedPages_CannotBeFramed_SendNoReferrer()
    {
        var client = app.CreateClient();
        using var link = await client.GetAsync("/connect/some.session.token", Ct);
        Assert.Equal(HttpStatusCode.OK, link.StatusCode);
        AssertPageHeaders(link);
        using var code = await client.GetAsync("/connect?code=abc", Ct);
        Assert.Equal(HttpStatusCode.OK, code.StatusCode);
        AssertPageHeaders(code);
        using var callback = await client.GetAsync("/api/v1/asana/callback?code=abc&state=forged.state", Ct);
        Assert.Equal(HttpStatusCode.BadRequest, callback.StatusCode);
        Assert.StartsWith("text/html", callback.Content.Headers.ContentType!.ToString(), StringComparison.Ordinal);
        AssertPageHeaders(callback);
    }

    [Theory]
    [InlineData("/docs")]
    [InlineData("/openapi/v1.json")]
    [InlineData("/healthz")]
    [InlineData("/api/v2/public/linked-account")]         // 401
    [InlineData("/api/v2/public/no-such-thing")]          // 404
    [InlineData("/connect/assets/connect.js")]
    [InlineData("/connect/assets/nothing.js")]            // 404
    [InlineData("/admin/v1/orgs")]                        // 401
    public async Task EveryAnswer_IsNosniff(string path)
    {
        using var response = await app.CreateClient().GetAsync(path, Ct);
        Assert.Equal("nosniff", Header(response, "X-Content-Type-Options"));
    }

    [Fact]
    public async Task ApiAnswersAndErrors_AreNosniff()
    {
        using var ok = await app.ClientFor().GetAsync("/api/v2/public/linked-account", Ct);
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal("nosniff", Header(ok, "X-Content-Type-Options"));
        using var wrongMethod = await app.ClientFor().PatchAsync("/api/v2/public/linked-account", JsonContent.Create(new { }), Ct);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, wrongMethod.StatusCode);
        Assert.Equal("nosniff", Header(wrongMethod, "X-Content-Type-Options"));
        using var admin = await app.AdminClient().GetAsync("/admin/v1/orgs", Ct);
        Assert.Equal(HttpStatusCode.OK, admin.StatusCode);
        Assert.Equal("nosniff", Header(admin, "X-Content-Type-Options"));
    }

    [Fact]
    public async Task AdminApi_AnswersNoCors_PublicApiKeepsIt()
    {
        var client = app.CreateClient();
        foreach (var path in (string[])["/admin/v1/orgs", "/admin/v1/orgs/some-org/api-keys/test/regenerate"])
        {
            using var preflight = new HttpRequestMessage(HttpMethod.Options, path);
            preflight.Headers.Add("Origin", Origin);
            preflight.Headers.Add("Access-Control-Request-Method", "POST");
            preflight.Headers.Add("Access-Control-Request-Headers", "authorization, content-type");
            using var answer = await client.SendAsync(preflight, Ct);
            Assert.Equal("", Header(answer, "Access-Control-Allow-Origin"));
            Assert.Equal("", Header(answer, "Access-Control-Allow-Methods"));
            Assert.Equal("", Header(answer, "Access-Control-Allow-Headers"));
        }
        using var get = new HttpRequestMessage(HttpMethod.Get, "/admin/v1/orgs");
        get.Headers.Add("Origin", Origin);
        get.Headers.Authorization = new("Bearer", PatchbayApp.AdminToken);
        using var got = await client.SendAsync(get, Ct);
        Assert.Equal(HttpStatusCode.OK, got.StatusCode);
        Assert.Equal("", Header(got, "Access-Control-Allow-Origin"));

        using var publicPreflight = new HttpRequestMessage(HttpMethod.Options, "/api/v2/public/linked-account");
        publicPreflight.Headers.Add("Origin", Origin);
        publicPreflight.Headers.Add("Access-Control-Request-Method", "GET");
        using var publicAnswer = await client.SendAsync(publicPreflight, Ct);
        Assert.Equal("*", Header(publicAnswer, "Access-Control-Allow-Origin"));
        using var publicGet = new HttpRequestMessage(HttpMethod.Get, "/api/v2/public/linked-account");
        publicGet.Headers.Add("Origin", Origin);
        publicGet.Headers.Add("x-api-key", app.TestApiKey);
        using var publicGot = await client.SendAsync(publicGet, Ct);
        Assert.Equal("*", Header(publicGot, "Access-Control-Allow-Origin"));
    }

    // The callback page tells its opener the outcome only at the origin that started the flow (the page that called
    // integrate), else at Patchbay's own origin; never at "*".
    [Fact]
    public async Task OAuthCallback_PostsToTheOpenersOrigin()
    {
        var (orgId, key, _) = await app.CreateOrgAsync("Headers OAuth Org");
        await ApiAssert.OkAsync(await app.AdminClient().PutAsJsonAsync($"/admin/v1/orgs/{orgId}/oauth/asana",
            new { client_id = "client-id", client_secret = "client-secret" }, Ct));
        var account = await app.CreateLinkedAccountAsync(apiKey: key);

        async Task<string> CallbackScriptAsync(string? origin)
        {
            using var integrate = new HttpRequestMessage(HttpMethod.Post, "/api/v1/asana/integrate") { Content = JsonContent.Create(new { }) };
            integrate.Headers.Add("x-api-key", key);
            integrate.Headers.Add("linked_account_id", account);
            if (origin is not null) integrate.Headers.Add("Origin", origin);
            var url = new Uri((await ApiAssert.OkAsync(await app.CreateClient().SendAsync(integrate, Ct))).Str("auth_url"));
            var state = QueryHelpers.ParseQuery(url.Query)["state"].ToString();
            using var page = await app.CreateClient().GetAsync($"/api/v1/asana/callback?error=access_denied&state={Uri.EscapeDataString(state)}", Ct);
            Assert.Equal(HttpStatusCode.BadRequest, page.StatusCode);
            AssertPageHeaders(page);
            var html = await page.Content.ReadAsStringAsync(Ct);
            Assert.Contains("postMessage", html, StringComparison.Ordinal);
            Assert.DoesNotContain("\"*\"", html, StringComparison.Ordinal);
            return PostMessageTarget().Match(html).Groups[1].Value;
        }

        Assert.Equal("https://app.customer.example", await CallbackScriptAsync("https://app.customer.example"));
        Assert.Equal("http://localhost", await CallbackScriptAsync(null));
        Assert.Equal("http://localhost", await CallbackScriptAsync("null")); // an opaque origin is no origin
    }

    [GeneratedRegex("""postMessage\(.*, "([^"]*)"\)""")]
    private static partial Regex PostMessageTarget();
}

public sealed class SqliteSecurityHeadersTests(SqliteApp app) : SecurityHeadersTests(app), IClassFixture<SqliteApp>;
public sealed class PostgresSecurityHeadersTests(PostgresApp app) : SecurityHeadersTests(app), IClassFixture<PostgresApp>;

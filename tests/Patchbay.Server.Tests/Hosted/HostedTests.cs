using System.Net;
using System.Net.Http.Json;
using Patchbay.Tests.Contract;
using Patchbay.Tests.Infrastructure;
using Xunit;

namespace Patchbay.Tests.Hosted;

// The hosted Connect page's API (refold-api.md HC1, HC2, ST3) and the page itself as served.
public abstract class HostedTests(PatchbayApp app)
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ConnectUrl_StoresPropertiesVerbatim_AndLinksThePageWithTheSession()
    {
        var account = await app.CreateLinkedAccountAsync();
        var token = await app.CreateSessionTokenAsync(account);
        var session = app.SessionClient(token);

        var properties = new { color = "#000000", bgColor = "#00FF23", name = "Acme", nested = new { plan = "enterprise" } };
        var url = await ApiAssert.OkAsync(await session.PostAsJsonAsync("/api/v2/public/connect-url", properties, Ct));
        RefoldOpenApi.AssertResponse("POST", "/api/v2/public/connect-url", 200, url);
        Assert.Equal($"http://localhost/connect/{token}", url.Str("hosted_url"));

        var stored = await ApiAssert.OkAsync(await session.GetAsync("/api/v2/public/hosted-properties", Ct));
        Assert.Equal("""{"color":"#000000","bgColor":"#00FF23","name":"Acme","nested":{"plan":"enterprise"}}""", stored.GetRawText());

        var withConfig = await ApiAssert.OkAsync(await session.PostAsJsonAsync("/api/v2/public/connect-url?config_id=cfg 1", new { }, Ct));
        Assert.Equal($"http://localhost/connect/{token}?config_id=cfg%201", withConfig.Str("hosted_url"));
        Assert.Equal("{}", (await ApiAssert.OkAsync(await session.GetAsync("/api/v2/public/hosted-properties", Ct))).GetRawText());
    }

    [Fact]
    public async Task ConnectUrl_WithoutASessionOrWithABadBody_IsRefused()
    {
        var account = await app.CreateLinkedAccountAsync();
        // HC1: API keys are refused; only a session token opens the page.
        var withKey = await app.ClientFor(linkedAccountId: account).PostAsJsonAsync("/api/v2/public/connect-url", new { }, Ct);
        Assert.Equal(HttpStatusCode.Unauthorized, withKey.StatusCode);
        await ApiAssert.ErrorAsync(await app.CreateClient().PostAsJsonAsync("/api/v2/public/connect-url", new { }, Ct), 401, "UNAUTHORIZED", "INVALID_TOKEN");
        var session = app.SessionClient(await app.CreateSessionTokenAsync(account));
        await ApiAssert.ErrorAsync(await session.PostAsync("/api/v2/public/connect-url",
            new StringContent("[1,2]", System.Text.Encoding.UTF8, "application/json"), Ct), 400, "BAD_REQUEST", "VALIDATION_ERROR");
        var big = new { name = new string('x', 17_000) };
        await ApiAssert.ErrorAsync(await session.PostAsJsonAsync("/api/v2/public/connect-url", big, Ct), 400, "BAD_REQUEST", "VALIDATION_ERROR",
            "Hosted properties are limited to 16 KB");
    }

    [Fact]
    public async Task SingleUseCode_ExchangesOnce_ForAWorkingSessionToken()
    {
        var account = await app.CreateLinkedAccountAsync();
        var token = await app.CreateSessionTokenAsync(account);
        var url = new Uri((await ApiAssert.OkAsync(await app.SessionClient(token).PostAsJsonAsync("/api/v2/public/connect-url?single_use=true",
            new { name = "Acme" }, Ct))).Str("hosted_url"));
        Assert.Equal("/connect", url.AbsolutePath);
        Assert.DoesNotContain(token, url.ToString(), StringComparison.Ordinal);
        var code = System.Web.HttpUtility.ParseQueryString(url.Query)["code"]!;

        // Stored only as a hash.
        Assert.Equal(0, await app.Db.QueryFirstOrDefaultAsync<int>("select count(*) from connect_codes where code_hash = @code", new { code }, Ct));

        var anonymous = app.CreateClient();
        var exchanged = await ApiAssert.OkAsync(await anonymous.PostAsJsonAsync("/api/v2/public/connect-code/exchange", new { code }, Ct));
        Assert.True(exchanged.GetProperty("expires_in").GetInt64() > 0);
        var fromCode = app.SessionClient(exchanged.Str("token"));
        Assert.Equal("Acme", (await ApiAssert.OkAsync(await fromCode.GetAsync("/api/v2/public/hosted-properties", Ct))).Str("name"));
        await ApiAssert.OkAsync(await fromCode.GetAsync("/api/v2/f-sdk/application", Ct));

        await ApiAssert.ErrorAsync(await anonymous.PostAsJsonAsync("/api/v2/public/connect-code/exchange", new { code }, Ct), 401, "UNAUTHORIZED", "INVALID_TOKEN",
            "Invalid or expired code");
        await ApiAssert.ErrorAsync(await anonymous.PostAsJsonAsync("/api/v2/public/connect-code/exchange", new { code = "made-up" }, Ct), 401, "UNAUTHORIZED", "INVALID_TOKEN");
        await ApiAssert.ErrorAsync(await anonymous.PostAsJsonAsync("/api/v2/public/connect-code/exchange", new { }, Ct), 400, "BAD_REQUEST", "VALIDATION_ERROR");

        // Expired after 15 minutes.
        var late = new Uri((await ApiAssert.OkAsync(await app.SessionClient(token).PostAsJsonAsync("/api/v2/public/connect-url?single_use=true", new { }, Ct))).Str("hosted_url"));
        app.Time.Advance(TimeSpan.FromMinutes(16));
        await ApiAssert.ErrorAsync(await anonymous.PostAsJsonAsync("/api/v2/public/connect-code/exchange",
            new { code = System.Web.HttpUtility.ParseQueryString(late.Query)["code"] }, Ct), 401, "UNAUTHORIZED", "INVALID_TOKEN");
    }

    [Fact]
    public async Task RevokedSession_CodeNoLongerOpensThePage()
    {
        var account = await app.CreateLinkedAccountAsync();
        var token = await app.CreateSessionTokenAsync(account, forceRefresh: true);
        var url = new Uri((await ApiAssert.OkAsync(await app.SessionClient(token).PostAsJsonAsync("/api/v2/public/connect-url?single_use=true", new { }, Ct))).Str("hosted_url"));
        await ApiAssert.OkAsync(await app.SessionClient(token).PostAsync("/api/v2/public/session-token/revoke", null, Ct));
        await ApiAssert.ErrorAsync(await app.CreateClient().PostAsJsonAsync("/api/v2/public/connect-code/exchange",
            new { code = System.Web.HttpUtility.ParseQueryString(url.Query)["code"] }, Ct), 401, "UNAUTHORIZED", "INVALID_TOKEN");
    }

    [Fact]
    public async Task Page_IsServedWithItsAssets_NoCdn_StrictHeaders()
    {
        var client = app.CreateClient();
        using var page = await client.GetAsync("/connect/some.session.token", Ct);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html; charset=utf-8", page.Content.Headers.ContentType!.ToString());
        var html = await page.Content.ReadAsStringAsync(Ct);
        Assert.DoesNotMatch("(src|href)=\"(https?:)?//", html); // everything from this server: the page works offline
        Assert.Contains("<meta name=\"viewport\"", html);
        Assert.Equal("no-store", page.Headers.CacheControl!.ToString());
        Assert.Equal("no-referrer", page.Headers.GetValues("Referrer-Policy").Single());
        Assert.Contains("script-src 'self'", page.Headers.GetValues("Content-Security-Policy").Single());

        foreach (var (file, type) in new[] { ("connect.js", "text/javascript"), ("connect.css", "text/css") })
        {
            using var asset = await client.GetAsync($"/connect/assets/{file}", Ct);
            Assert.Equal(HttpStatusCode.OK, asset.StatusCode);
            Assert.StartsWith(type, asset.Content.Headers.ContentType!.ToString());
            Assert.DoesNotMatch("https?://", await asset.Content.ReadAsStringAsync(Ct));
        }
        await ApiAssert.ErrorAsync(await client.GetAsync("/connect/assets/connect.html", Ct), 404, "NOT_FOUND", "ROUTE_NOT_FOUND");
        await ApiAssert.ErrorAsync(await client.GetAsync("/connect/assets/..%2Fappsettings.json", Ct), 404, "NOT_FOUND", "ROUTE_NOT_FOUND");
    }
}

public sealed class SqliteHostedTests(SqliteApp app) : HostedTests(app), IClassFixture<SqliteApp>;
public sealed class PostgresHostedTests(PostgresApp app) : HostedTests(app), IClassFixture<PostgresApp>;

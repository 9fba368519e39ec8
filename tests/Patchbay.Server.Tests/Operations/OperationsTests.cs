using System.Net;
using Patchbay.Tests.Infrastructure;
using Xunit;

namespace Patchbay.Tests.Operations;

public abstract class OperationsTests(PatchbayApp app)
{
    [Fact]
    public async Task Healthz_Always_ReturnsOk()
    {
        var json = await ApiAssert.OkAsync(await app.CreateClient().GetAsync("/healthz", TestContext.Current.CancellationToken));
        Assert.Equal("ok", json.Str("status"));
    }

    [Fact]
    public async Task Readyz_DatabaseUp_ReportsProvider()
    {
        var json = await ApiAssert.OkAsync(await app.CreateClient().GetAsync("/readyz", TestContext.Current.CancellationToken));
        Assert.Equal("ready", json.Str("status"));
        Assert.Equal(app.Provider.ToString().ToLowerInvariant(), json.Str("database"));
    }

    [Fact]
    public async Task Root_InABrowser_IsALandingPageLinkingTheDocsAndHealth()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/");
        request.Headers.Accept.ParseAdd("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8");
        using var response = await app.CreateClient().SendAsync(request, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        var html = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.Contains("<title>Patchbay</title>", html, StringComparison.Ordinal);
        Assert.Contains("href=\"/docs\"", html, StringComparison.Ordinal);
        Assert.Contains("href=\"/healthz\"", html, StringComparison.Ordinal);
        Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
    }

    [Fact]
    public async Task Root_ForAProgram_IsAJsonIndex()
    {
        var json = await ApiAssert.OkAsync(await app.CreateClient().GetAsync("/", TestContext.Current.CancellationToken));
        Assert.Equal("Patchbay", json.Str("name"));
        Assert.Equal("/docs", json.Str("docs"));
        Assert.Equal("/openapi/v1.json", json.Str("openapi"));
        Assert.Equal("/api/v2/public", json.Str("api"));
    }

    [Fact]
    public async Task OpenApi_Served_DescribesPublicRoutesAndAuth()
    {
        var json = await ApiAssert.OkAsync(await app.CreateClient().GetAsync("/openapi/v1.json", TestContext.Current.CancellationToken));
        var paths = json.GetProperty("paths");
        Assert.True(paths.TryGetProperty("/api/v2/public/linked-account", out _));
        Assert.True(paths.TryGetProperty("/api/v2/public/session-token", out _));
        Assert.True(json.GetProperty("components").GetProperty("securitySchemes").TryGetProperty("OrgApiKey", out _));
    }

    [Fact]
    public async Task Docs_Served_IsHtmlWithoutExternalScripts()
    {
        var response = await app.CreateClient().GetAsync("/docs", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var html = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.Contains("<html", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("cdn.jsdelivr.net", html, StringComparison.OrdinalIgnoreCase);
    }
}

public sealed class SqliteOperationsTests(SqliteApp app) : OperationsTests(app), IClassFixture<SqliteApp>;
public sealed class PostgresOperationsTests(PostgresApp app) : OperationsTests(app), IClassFixture<PostgresApp>;

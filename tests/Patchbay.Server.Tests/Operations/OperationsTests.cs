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
    public async Task OpenApi_Served_DescribesPublicRoutesAndAuth()
    {
        var json = await ApiAssert.OkAsync(await app.CreateClient().GetAsync("/openapi/v1.json", TestContext.Current.CancellationToken));
        var paths = json.GetProperty("paths");
        Assert.True(paths.TryGetProperty("/api/v2/public/linked-account", out _));
        Assert.True(paths.TryGetProperty("/api/v2/public/session-token", out _));
        Assert.True(json.GetProperty("components").GetProperty("securitySchemes").TryGetProperty("Org API Key", out _));
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

using System.Net.Http.Json;
using System.Text.Json;
using ModelContextProtocol.Protocol;
using Patchbay.Tests.Infrastructure;
using Xunit;

namespace Patchbay.Tests.Mcp;

// Tool calls of one account share a bucket (2 at once, then one per 1000 s): the third call is refused as a tool
// error and logged; another account's calls are not affected.
public sealed class McpRateLimitOptions : IAppOptions
{
    public void Configure(AppSetup setup)
    {
        ArgumentNullException.ThrowIfNull(setup);
        setup.Settings["Patchbay:Mcp:ToolCallsPerSecond"] = "0.001";
        setup.Settings["Patchbay:Mcp:ToolCallBurst"] = "2";
    }
}

public abstract class McpRateLimitTests(PatchbayApp app)
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Tool_Calls_Are_Limited_Per_Account()
    {
        var x = await McpEndpointTests.SetupAsync(app);
        var y = await McpEndpointTests.SetupAsync(app, "Other");
        var token = (await ApiAssert.JsonAsync(await x.Client.PostAsJsonAsync($"/api/patchbay/v1/mcp-servers/{x.ServerId}/tokens", new { }, Ct), 201)).Str("token");
        await using var mcp = await McpEndpointTests.ConnectAsync(app, $"/mcp/v1/{x.ServerId}", token);
        var args = new Dictionary<string, object?> { ["name"] = "A" };
        Assert.NotEqual(true, (await mcp.CallToolAsync(x.ToolName, args, cancellationToken: Ct)).IsError);
        Assert.NotEqual(true, (await mcp.CallToolAsync(x.ToolName, args, cancellationToken: Ct)).IsError);
        var limited = await mcp.CallToolAsync(x.ToolName, args, cancellationToken: Ct);
        Assert.True(limited.IsError);
        Assert.StartsWith("Rate limit exceeded", JsonDocument.Parse(((TextContentBlock)limited.Content[0]).Text).RootElement.Str("error"));

        await using var other = await McpEndpointTests.ConnectAsync(app, $"/mcp/v1/{y.ServerId}", await app.CreateSessionTokenAsync(y.Account));
        Assert.NotEqual(true, (await other.CallToolAsync(y.ToolName, args, cancellationToken: Ct)).IsError);

        var log = await ApiAssert.OkAsync(await x.Client.GetAsync($"/api/patchbay/v1/mcp-servers/{x.ServerId}/tool-calls", Ct));
        Assert.Equal(["rate_limited", "success", "success"], log.GetProperty("docs").EnumerateArray().Select(d => d.Str("status")).Order());
    }
}

public sealed class SqliteMcpRateLimitTests(SqliteApp<McpRateLimitOptions> app) : McpRateLimitTests(app), IClassFixture<SqliteApp<McpRateLimitOptions>>;
public sealed class PostgresMcpRateLimitTests(PostgresApp<McpRateLimitOptions> app) : McpRateLimitTests(app), IClassFixture<PostgresApp<McpRateLimitOptions>>;

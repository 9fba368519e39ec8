using System.Net.Http.Json;
using System.Text;
using Patchbay.Tests.Infrastructure;
using Xunit;

namespace Patchbay.Tests.Mcp;

// When a token cannot be checked (here: its table is out of reach), the endpoint refuses with 503 rather than let the
// request through; once the store answers again, the same token opens the server.
public abstract class McpFailClosedTests(PatchbayApp app)
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Unverifiable_Token_Is_Refused_With_503()
    {
        var s = await McpEndpointTests.SetupAsync(app);
        var token = (await ApiAssert.JsonAsync(await s.Client.PostAsJsonAsync($"/api/patchbay/v1/mcp-servers/{s.ServerId}/tokens", new { }, Ct), 201)).Str("token");

        await app.Db.ExecuteAsync("alter table mcp_tokens rename to mcp_tokens_away", null, Ct);
        try
        {
            await ApiAssert.ErrorAsync(await ListAsync(s.ServerId, token), 503, "SERVICE_UNAVAILABLE", "SERVICE_UNAVAILABLE",
                "MCP token validation is unavailable; try again later");
        }
        finally
        {
            await app.Db.ExecuteAsync("alter table mcp_tokens_away rename to mcp_tokens", null, Ct);
        }
        await using var mcp = await McpEndpointTests.ConnectAsync(app, $"/mcp/v1/{token}/{s.ServerId}", bearer: null);
        Assert.Equal(s.ToolName, Assert.Single(await mcp.ListToolsAsync(cancellationToken: Ct)).Name);
    }

    Task<HttpResponseMessage> ListAsync(string serverId, string token)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/mcp/v1/{token}/{serverId}")
        {
            Content = new StringContent("""{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{}}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Accept.ParseAdd("application/json");
        request.Headers.Accept.ParseAdd("text/event-stream");
        return app.CreateClient().SendAsync(request, Ct);
    }
}

public sealed class SqliteMcpFailClosedTests(SqliteApp app) : McpFailClosedTests(app), IClassFixture<SqliteApp>;
public sealed class PostgresMcpFailClosedTests(PostgresApp app) : McpFailClosedTests(app), IClassFixture<PostgresApp>;

using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using ModelContextProtocol;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using Patchbay.Tests.Infrastructure;
using Xunit;
using static Patchbay.Tests.Workflows.WorkflowApi;

namespace Patchbay.Tests.Mcp;

// The MCP endpoint (MC6) through the official C# SDK client over Streamable HTTP: session tokens and dedicated MCP
// tokens, both URL forms, both protocol revisions, workflow tools run for the caller's account only, and the gate's
// 401/403/404 answers.
public abstract class McpEndpointTests(PatchbayApp app)
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    // A linked account with a private workflow (echoes payload.name) and a server exposing it.
    internal sealed record Setup(string Account, HttpClient Client, string ServerId, string Workflow, string ToolName);

    internal static async Task<Setup> SetupAsync(PatchbayApp app, string workflowName = "Greet someone")
    {
        var account = await app.CreateLinkedAccountAsync();
        var client = app.ClientFor(linkedAccountId: account);
        var graph = Graph(
            [Node("start", "start"), Node("reply", "response", new { body = new { greeting = "hello {{payload.name}}" } })],
            [Edge("start", "reply")]);
        var (draft, _) = await PublishAsync(client, graph, workflowName);
        var serverId = await McpServersTests.CreateServerAsync(client, "Agent tools");
        await McpServersTests.UpdateAsync(client, serverId, new { associated_apps = new[] { new { slug = "custom", workflows = new[] { draft } } } });
        return new Setup(account, client, serverId, draft, "custom_" + workflowName.ToLowerInvariant().Replace(' ', '_') + "_workflow");
    }

    internal static async Task<McpClient> ConnectAsync(PatchbayApp app, string path, string? bearer, string? protocol = null)
    {
        var http = app.CreateClient();
        var options = new HttpClientTransportOptions { Endpoint = new Uri(http.BaseAddress!, path), TransportMode = HttpTransportMode.StreamableHttp };
        if (bearer is not null) options.AdditionalHeaders = new Dictionary<string, string> { ["Authorization"] = "Bearer " + bearer };
        var transport = new HttpClientTransport(options, http, ownsHttpClient: true);
        return await McpClient.CreateAsync(transport, new McpClientOptions { ProtocolVersion = protocol }, cancellationToken: Ct);
    }

    static JsonElement Structured(CallToolResult result) =>
        result.StructuredContent ?? JsonDocument.Parse(((TextContentBlock)result.Content[0]).Text).RootElement;

    [Theory]
    [InlineData("2025-11-25")]
    [InlineData("2026-07-28")]
    public async Task Session_Token_Lists_And_Calls_A_Workflow_Tool(string protocol)
    {
        var s = await SetupAsync(app);
        var token = await app.CreateSessionTokenAsync(s.Account);
        await using var mcp = await ConnectAsync(app, $"/mcp/v1/{s.ServerId}", token, protocol);

        var tools = await mcp.ListToolsAsync(cancellationToken: Ct);
        var tool = Assert.Single(tools);
        Assert.Equal(s.ToolName, tool.Name);
        Assert.Equal("object", tool.JsonSchema.GetProperty("type").GetString());

        var result = await mcp.CallToolAsync(s.ToolName, new Dictionary<string, object?> { ["name"] = "Ada" }, cancellationToken: Ct);
        Assert.NotEqual(true, result.IsError);
        var json = Structured(result);
        Assert.True(json.GetProperty("success").GetBoolean());
        Assert.Equal("hello Ada", json.GetProperty("data").Str("greeting"));

        // Unknown tools are a protocol error, not a crash.
        var unknown = await Assert.ThrowsAsync<McpProtocolException>(() => mcp.CallToolAsync("custom_nope_workflow", cancellationToken: Ct).AsTask());
        Assert.Contains("Unknown tool", unknown.Message);

        // Every call is in the log: tool, status, duration, no arguments.
        var log = await ApiAssert.OkAsync(await s.Client.GetAsync($"/api/patchbay/v1/mcp-servers/{s.ServerId}/tool-calls", Ct));
        var entry = Assert.Single(log.GetProperty("docs").EnumerateArray());
        Assert.Equal(s.ToolName, entry.Str("tool"));
        Assert.Equal("success", entry.Str("status"));
        Assert.Equal(s.Account, entry.Str("linked_account_id"));
        Assert.True(entry.GetProperty("duration_ms").GetInt64() >= 0);
        Assert.DoesNotContain("Ada", log.GetRawText());
    }

    [Fact]
    public async Task Mcp_Token_In_Header_Or_Path_Opens_Its_Server_Only()
    {
        var s = await SetupAsync(app);
        var minted = await ApiAssert.JsonAsync(await s.Client.PostAsJsonAsync($"/api/patchbay/v1/mcp-servers/{s.ServerId}/tokens", new { name = "agent" }, Ct), 201);
        var token = minted.Str("token");

        await using (var byHeader = await ConnectAsync(app, $"/mcp/v1/{s.ServerId}", token))
            Assert.Equal(s.ToolName, Assert.Single(await byHeader.ListToolsAsync(cancellationToken: Ct)).Name);
        await using (var byPath = await ConnectAsync(app, $"/mcp/v1/{token}/{s.ServerId}", bearer: null))
        {
            var result = await byPath.CallToolAsync(s.ToolName, new Dictionary<string, object?> { ["name"] = "Bob" }, cancellationToken: Ct);
            Assert.Equal("hello Bob", Structured(result).GetProperty("data").Str("greeting"));
        }

        // Account Y: its own server and tokens; X's token never opens Y's server, Y's session token never sees X's.
        var y = await SetupAsync(app, "Other flow");
        var yToken = await app.CreateSessionTokenAsync(y.Account);
        await ExpectAsync(HttpMethod.Post, $"/mcp/v1/{y.ServerId}", token, 403, "This token does not open this MCP server");
        await ExpectAsync(HttpMethod.Post, $"/mcp/v1/{s.ServerId}", yToken, 404, "MCP server not found");
        await using (var yClient = await ConnectAsync(app, $"/mcp/v1/{y.ServerId}", yToken))
        {
            var names = (await yClient.ListToolsAsync(cancellationToken: Ct)).Select(t => t.Name).ToList();
            Assert.Equal([y.ToolName], names);
            // X's tool name called on Y's server is unknown there.
            await Assert.ThrowsAsync<McpProtocolException>(() => yClient.CallToolAsync(s.ToolName, cancellationToken: Ct).AsTask());
        }
    }

    [Fact]
    public async Task Gate_Answers_401_403_404()
    {
        var s = await SetupAsync(app);
        var tokens = $"/api/patchbay/v1/mcp-servers/{s.ServerId}/tokens";
        var token = (await ApiAssert.JsonAsync(await s.Client.PostAsJsonAsync(tokens, new { expires_in = 60 }, Ct), 201)).Str("token");
        var revoked = await ApiAssert.JsonAsync(await s.Client.PostAsJsonAsync(tokens, new { }, Ct), 201);
        Assert.Equal(204, (int)(await s.Client.DeleteAsync($"{tokens}/{revoked.Str("id")}", Ct)).StatusCode);

        await ExpectAsync(HttpMethod.Post, $"/mcp/v1/{s.ServerId}", bearer: null, 401, null);
        await ExpectAsync(HttpMethod.Post, "/mcp/v1", token, 401, null);
        await ExpectAsync(HttpMethod.Post, $"/mcp/v1/{s.ServerId}", "pbmcp_made-up", 403, "Invalid token");
        await ExpectAsync(HttpMethod.Post, $"/mcp/v1/{s.ServerId}", "not-a-jwt", 403, "Invalid token");
        await ExpectAsync(HttpMethod.Post, $"/mcp/v1/{s.ServerId}", revoked.Str("token"), 403, "Token revoked");
        await ExpectAsync(HttpMethod.Post, $"/mcp/v1/{revoked.Str("token")}/{s.ServerId}", null, 403, "Token revoked");
        await ExpectAsync(HttpMethod.Post, "/mcp/v1/000000000000000000000000", await app.CreateSessionTokenAsync(s.Account), 404, "MCP server not found");

        // A disabled server answers 404; enabled again, it opens.
        await McpServersTests.UpdateAsync(s.Client, s.ServerId, new { enabled = false });
        await ExpectAsync(HttpMethod.Post, $"/mcp/v1/{s.ServerId}", token, 404, "MCP server is disabled");
        await McpServersTests.UpdateAsync(s.Client, s.ServerId, new { enabled = true });
        await using (var mcp = await ConnectAsync(app, $"/mcp/v1/{s.ServerId}", token))
            Assert.Single(await mcp.ListToolsAsync(cancellationToken: Ct));

        // Expired: the token's lifetime (60 s) passes on the server's clock.
        app.Time.Advance(TimeSpan.FromSeconds(61));
        await ExpectAsync(HttpMethod.Post, $"/mcp/v1/{s.ServerId}", token, 403, "Token expired");
    }

    async Task ExpectAsync(HttpMethod method, string path, string? bearer, int status, string? message)
    {
        using var request = new HttpRequestMessage(method, path)
        {
            Content = new StringContent("""{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{}}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Accept.ParseAdd("application/json");
        request.Headers.Accept.ParseAdd("text/event-stream");
        if (bearer is not null) request.Headers.Authorization = new("Bearer", bearer);
        var response = await app.CreateClient().SendAsync(request, Ct);
        var json = await ApiAssert.JsonAsync(response, status);
        if (message is not null) Assert.Equal(message, json.Str("message"));
    }
}

public sealed class SqliteMcpEndpointTests(SqliteApp app) : McpEndpointTests(app), IClassFixture<SqliteApp>;
public sealed class PostgresMcpEndpointTests(PostgresApp app) : McpEndpointTests(app), IClassFixture<PostgresApp>;

using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using Patchbay.Mcp;
using Patchbay.Tests.Actions;
using Patchbay.Tests.Infrastructure;
using Xunit;

namespace Patchbay.Tests.Mcp;

// Action tools through the C# SDK client: schemas from the actions' parameters, calls reaching the (recording) provider
// with the calling account's own credentials, parameter errors as tool errors; and safe mode: a write call is held
// behind a human task, runs exactly once when approved there, never when rejected or left to expire.
public abstract partial class McpActionToolsTests(PatchbayApp app)
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;
    static RecordingProvider Provider => RecordingProvider.Shared;
    string Prefix => app.RecordingPrefix();

    async Task<(string Account, HttpClient Client, string ServerId, string Token)> AccountAsync(string secret, bool safeMode = false)
    {
        var account = await app.CreateLinkedAccountAsync();
        await app.ConnectAsync(account, "hubspot", "keybased", new Dictionary<string, string> { ["access_token"] = secret });
        var client = app.ClientFor(linkedAccountId: account);
        var serverId = await McpServersTests.CreateServerAsync(client, "CRM");
        await McpServersTests.UpdateAsync(client, serverId, new
        {
            safe_mode = safeMode,
            associated_apps = new[] { new { slug = "hubspot", actions = new[] { "get_contact", "create_contact" } } },
        });
        return (account, client, serverId, await app.CreateSessionTokenAsync(account));
    }

    static JsonElement Result(CallToolResult result) => JsonDocument.Parse(((TextContentBlock)result.Content[0]).Text).RootElement.Clone();

    [Fact]
    public async Task Action_Tools_Run_With_The_Callers_Own_Connection()
    {
        var x = await AccountAsync("pat-x");
        var y = await AccountAsync("pat-y");
        Provider.Take(Prefix);

        await using var mcp = await McpEndpointTests.ConnectAsync(app, $"/mcp/v1/{x.ServerId}", x.Token);
        var tools = (await mcp.ListToolsAsync(cancellationToken: Ct)).ToDictionary(t => t.Name);
        Assert.Equal(["hubspot_create_contact_action", "hubspot_get_contact_action"], tools.Keys.Order());
        var create = tools["hubspot_create_contact_action"].JsonSchema;
        Assert.Equal(["email"], create.GetProperty("required").EnumerateArray().Select(r => r.GetString()));
        Assert.Equal("string", create.GetProperty("properties").GetProperty("email").Str("type"));

        var got = await mcp.CallToolAsync("hubspot_get_contact_action", new Dictionary<string, object?> { ["contact_id"] = "501" }, cancellationToken: Ct);
        Assert.NotEqual(true, got.IsError);
        var json = Result(got);
        Assert.True(json.GetProperty("success").GetBoolean());
        Assert.Equal("fake_1", json.GetProperty("data").Str("id"));
        var sent = Assert.Single(Provider.Take(Prefix));
        Assert.Equal("GET", sent.Method);
        Assert.Equal($"/{Prefix}/hubspot/crm/v3/objects/contacts/501", sent.Path);
        Assert.Equal("Bearer pat-x", sent.Headers["Authorization"]);

        // A missing parameter is the tool's error, and nothing reaches the provider.
        var missing = await mcp.CallToolAsync("hubspot_create_contact_action", new Dictionary<string, object?> { ["firstname"] = "Jane" }, cancellationToken: Ct);
        Assert.True(missing.IsError);
        Assert.Equal("Required parameter 'email' is missing", Result(missing).Str("error"));
        Assert.Empty(Provider.Take(Prefix));

        // Y's token calls the same tool with Y's credentials, never X's.
        await using var mcpY = await McpEndpointTests.ConnectAsync(app, $"/mcp/v1/{y.ServerId}", y.Token);
        await mcpY.CallToolAsync("hubspot_get_contact_action", new Dictionary<string, object?> { ["contact_id"] = "7" }, cancellationToken: Ct);
        Assert.Equal("Bearer pat-y", Assert.Single(Provider.Take(Prefix)).Headers["Authorization"]);

        // A provider error is a tool error with the provider's status, never a crash.
        Provider.Answer(Prefix, new(404, """{"message":"not found"}"""));
        try
        {
            var failed = await mcp.CallToolAsync("hubspot_get_contact_action", new Dictionary<string, object?> { ["contact_id"] = "404" }, cancellationToken: Ct);
            Assert.True(failed.IsError);
            Assert.Equal(404, Result(failed).GetProperty("data").GetProperty("http_status").GetInt32());
        }
        finally
        {
            Provider.Answer(Prefix, null);
            Provider.Take(Prefix);
        }
    }

    [Fact]
    public async Task Safe_Mode_Holds_Writes_Until_Approved_Then_Runs_Once()
    {
        var x = await AccountAsync("pat-safe", safeMode: true);
        Provider.Take(Prefix);
        await using var mcp = await McpEndpointTests.ConnectAsync(app, $"/mcp/v1/{x.ServerId}", x.Token);
        var worker = app.Services.GetRequiredService<McpApprovalWorker>();

        // Reads are not held.
        await mcp.CallToolAsync("hubspot_get_contact_action", new Dictionary<string, object?> { ["contact_id"] = "1" }, cancellationToken: Ct);
        Assert.Single(Provider.Take(Prefix));

        // A write is held: nothing is sent; the result points at the approval form.
        async Task<string> HoldAsync(string email)
        {
            var held = await mcp.CallToolAsync("hubspot_create_contact_action", new Dictionary<string, object?> { ["email"] = email }, cancellationToken: Ct);
            Assert.NotEqual(true, held.IsError);
            var data = Result(held).GetProperty("data");
            Assert.Equal("pending_approval", data.Str("status"));
            var url = data.Str("approval_url");
            Assert.Matches("/human-tasks/[0-9a-f]{32}$", url);
            await worker.RunOnceAsync(Ct);
            Assert.Empty(Provider.Take(Prefix));
            return url[(url.LastIndexOf('/') + 1)..];
        }

        var rejected = await HoldAsync("no@example.com");
        var form = await ApiAssert.OkAsync(await app.CreateClient().GetAsync($"/api/v2/public/human-tasks/{rejected}", Ct));
        Assert.Equal("WAITING", form.Str("status"));
        Assert.Equal("hubspot_create_contact_action", form.GetProperty("data").Str("tool"));
        Assert.Contains("no@example.com", form.GetProperty("data").Str("arguments"));
        await ApiAssert.OkAsync(await app.CreateClient().PostAsJsonAsync($"/api/v2/public/human-tasks/{rejected}", new { data = new { decision = "reject" } }, Ct));
        await worker.RunOnceAsync(Ct);
        Assert.Empty(Provider.Take(Prefix));

        var approved = await HoldAsync("yes@example.com");
        await ApiAssert.JsonAsync(await app.CreateClient().PostAsJsonAsync($"/api/v2/public/human-tasks/{approved}", new { data = new { decision = "maybe" } }, Ct), 400);
        await ApiAssert.OkAsync(await app.CreateClient().PostAsJsonAsync($"/api/v2/public/human-tasks/{approved}", new { data = new { decision = "approve" } }, Ct));
        await worker.RunOnceAsync(Ct);
        await worker.RunOnceAsync(Ct);
        var sent = Assert.Single(Provider.Take(Prefix));
        Assert.Equal("POST", sent.Method);
        Assert.Equal("Bearer pat-safe", sent.Headers["Authorization"]);
        Assert.Contains("yes@example.com", sent.Body);
        // A second submission is refused; the call never runs again.
        await ApiAssert.JsonAsync(await app.CreateClient().PostAsJsonAsync($"/api/v2/public/human-tasks/{approved}", new { data = new { decision = "approve" } }, Ct), 400);
        await worker.RunOnceAsync(Ct);
        Assert.Empty(Provider.Take(Prefix));

        // Left to expire, a held call never runs.
        var expired = await HoldAsync("late@example.com");
        app.Time.Advance(TimeSpan.FromHours(25));
        await worker.RunOnceAsync(Ct);
        await ApiAssert.JsonAsync(await app.CreateClient().PostAsJsonAsync($"/api/v2/public/human-tasks/{expired}", new { data = new { decision = "approve" } }, Ct), 400);
        await worker.RunOnceAsync(Ct);
        Assert.Empty(Provider.Take(Prefix));

        // The log: the read, three holds, the rejection, the approved run and the expiry; no arguments.
        var log = await ApiAssert.OkAsync(await x.Client.GetAsync($"/api/patchbay/v1/mcp-servers/{x.ServerId}/tool-calls?limit=20", Ct));
        var statuses = log.GetProperty("docs").EnumerateArray().Select(d => d.Str("status")).Order().ToList();
        Assert.Equal(["approved", "held", "held", "held", "rejected", "rejected", "success"], statuses);
        Assert.DoesNotContain("example.com", log.GetRawText());
    }
}

public abstract partial class McpActionToolsTests
{
    [Fact]
    public async Task Safe_Mode_With_Url_Elicitation_Retry_Gets_The_Approved_Outcome_Once()
    {
        var x = await AccountAsync("pat-elicit", safeMode: true);
        Provider.Take(Prefix);
        var http = app.CreateClient();
        var transport = new HttpClientTransport(new HttpClientTransportOptions
        {
            Endpoint = new Uri(http.BaseAddress!, $"/mcp/v1/{x.ServerId}"), TransportMode = HttpTransportMode.StreamableHttp,
            AdditionalHeaders = new Dictionary<string, string> { ["Authorization"] = "Bearer " + x.Token },
        }, http, ownsHttpClient: true);
        await using var mcp = await McpClient.CreateAsync(transport, new McpClientOptions
        {
            ProtocolVersion = "2026-07-28",
            Capabilities = new ClientCapabilities { Elicitation = new ElicitationCapability { Url = new UrlElicitationCapability() } },
            Handlers = new McpClientHandlers { ElicitationHandler = (_, _) => ValueTask.FromResult(new ElicitResult { Action = "decline" }) },
        }, cancellationToken: Ct);
        var worker = app.Services.GetRequiredService<McpApprovalWorker>();
        var args = new Dictionary<string, object?> { ["email"] = "elicit@example.com" };

        async Task<string> ElicitedAsync()
        {
            var e = await Assert.ThrowsAnyAsync<ModelContextProtocol.McpProtocolException>(() => mcp.CallToolAsync("hubspot_create_contact_action", args, cancellationToken: Ct).AsTask());
            Assert.Equal(ModelContextProtocol.McpErrorCode.UrlElicitationRequired, e.ErrorCode);
            var elicitation = Assert.Single(Assert.IsType<ModelContextProtocol.UrlElicitationRequiredException>(e).Elicitations);
            Assert.Equal("url", elicitation.Mode);
            return elicitation.Url!;
        }

        var url = await ElicitedAsync();
        Assert.Matches("/human-tasks/[0-9a-f]{32}$", url);
        Assert.Equal(url, await ElicitedAsync()); // a retry before the answer is the same approval, not a new one
        await worker.RunOnceAsync(Ct);
        Assert.Empty(Provider.Take(Prefix));

        await ApiAssert.OkAsync(await app.CreateClient().PostAsJsonAsync($"/api/v2/public/human-tasks/{url[(url.LastIndexOf('/') + 1)..]}",
            new { data = new { decision = "approve" } }, Ct));
        await worker.RunOnceAsync(Ct);
        Assert.Contains("elicit@example.com", Assert.Single(Provider.Take(Prefix)).Body);

        // The retry after the approval gets the run's outcome (it does not run again); the next identical call is new.
        var result = await mcp.CallToolAsync("hubspot_create_contact_action", args, cancellationToken: Ct);
        Assert.NotEqual(true, result.IsError);
        Assert.Equal("fake_1", Result(result).GetProperty("data").Str("id"));
        Assert.Empty(Provider.Take(Prefix));
        Assert.NotEqual(url, await ElicitedAsync());
        Assert.Empty(Provider.Take(Prefix));

        var log = await ApiAssert.OkAsync(await x.Client.GetAsync($"/api/patchbay/v1/mcp-servers/{x.ServerId}/tool-calls?limit=20", Ct));
        Assert.Equal(["approved", "delivered", "held", "held", "held"], log.GetProperty("docs").EnumerateArray().Select(d => d.Str("status")).Order());
    }
}

public sealed class SqliteMcpActionToolsTests(SqliteApp<RecordingProviderOptions> app) : McpActionToolsTests(app), IClassFixture<SqliteApp<RecordingProviderOptions>>;
public sealed class PostgresMcpActionToolsTests(PostgresApp<RecordingProviderOptions> app) : McpActionToolsTests(app), IClassFixture<PostgresApp<RecordingProviderOptions>>;

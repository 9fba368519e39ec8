using System.Diagnostics;
using System.Net.Http.Json;
using Patchbay.Tests.Actions;
using Patchbay.Tests.Infrastructure;
using Xunit;
using static Patchbay.Tests.Workflows.WorkflowApi;

namespace Patchbay.Tests.Mcp;

// Node talks to a real socket; actions reach the recording provider.
public sealed class McpNodeOptions : IAppOptions
{
    public void Configure(AppSetup setup)
    {
        ArgumentNullException.ThrowIfNull(setup);
        new RecordingProviderOptions().Configure(setup);
        setup.Kestrel = true;
    }
}

// The official MCP TypeScript client, @modelcontextprotocol/sdk from npm, unmodified, in Node against a live Patchbay:
// connect with a session token, list tools, call an action (reaching the provider with the account's credentials) and
// a workflow, and be refused another account's server, a revoked token and no token. tests/mcp holds the package
// (test.sh runs `npm ci` there) and the script.
public abstract class McpTypeScriptClientTests(PatchbayApp app)
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Official_TypeScript_Client_Lists_And_Calls_Tools()
    {
        var folder = Path.Combine(Apps.SdkCompatibilityTests.RepositoryRoot(), "tests", "mcp");
        Assert.True(Directory.Exists(Path.Combine(folder, "node_modules", "@modelcontextprotocol", "sdk")),
            $"The MCP SDK is not installed: run `npm ci` in {folder} (./test.sh does).");

        var account = await app.CreateLinkedAccountAsync();
        await app.ConnectAsync(account, "hubspot", "keybased", new Dictionary<string, string> { ["access_token"] = "pat-ts" });
        var client = app.ClientFor(linkedAccountId: account);
        var (draft, _) = await PublishAsync(client, Graph(
            [Node("start", "start"), Node("reply", "response", new { body = new { greeting = "hello {{payload.name}}" } })], [Edge("start", "reply")]), "Greet");
        var serverId = await McpServersTests.CreateServerAsync(client, "TS");
        await McpServersTests.UpdateAsync(client, serverId, new
        {
            associated_apps = new object[]
            {
                new { slug = "hubspot", actions = new[] { "get_contact" } },
                new { slug = "custom", workflows = new[] { draft } },
            },
        });
        var token = await app.CreateSessionTokenAsync(account);
        var tokens = $"/api/patchbay/v1/mcp-servers/{serverId}/tokens";
        var revoked = await ApiAssert.JsonAsync(await client.PostAsJsonAsync(tokens, new { }, Ct), 201);
        Assert.Equal(204, (int)(await client.DeleteAsync($"{tokens}/{revoked.Str("id")}", Ct)).StatusCode);
        var other = await app.CreateLinkedAccountAsync();
        var otherServer = await McpServersTests.CreateServerAsync(app.ClientFor(linkedAccountId: other), "Not yours");
        RecordingProvider.Shared.Take(app.RecordingPrefix());

        var info = new ProcessStartInfo("node") { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true };
        string[] args = ["mcp-client.mjs", app.BaseAddress, serverId, token, "hubspot_get_contact_action", "custom_greet_workflow", otherServer, revoked.Str("token")];
        foreach (var arg in args) info.ArgumentList.Add(arg);
        using var node = Process.Start(info)!;
        var output = node.StandardOutput.ReadToEndAsync(Ct);
        var errors = node.StandardError.ReadToEndAsync(Ct);
        await node.WaitForExitAsync(Ct);
        var text = await output + await errors;

        Assert.True(node.ExitCode == 0, text);
        Assert.Equal(8, text.Split('\n').Count(l => l.StartsWith("ok ", StringComparison.Ordinal)));
        var sent = Assert.Single(RecordingProvider.Shared.Take(app.RecordingPrefix()));
        Assert.Equal($"/{app.RecordingPrefix()}/hubspot/crm/v3/objects/contacts/ts-42", sent.Path);
        Assert.Equal("Bearer pat-ts", sent.Headers["Authorization"]);
    }
}

public sealed class SqliteMcpTypeScriptClientTests(SqliteApp<McpNodeOptions> app) : McpTypeScriptClientTests(app), IClassFixture<SqliteApp<McpNodeOptions>>;
public sealed class PostgresMcpTypeScriptClientTests(PostgresApp<McpNodeOptions> app) : McpTypeScriptClientTests(app), IClassFixture<PostgresApp<McpNodeOptions>>;

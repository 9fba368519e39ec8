using System.Net.Http.Json;
using Patchbay.Tests.Apps;
using Patchbay.Tests.Hosted;
using Patchbay.Tests.Infrastructure;
using Patchbay.Tests.Mcp;
using Xunit;
using static Patchbay.Tests.Workflows.WorkflowApi;

namespace Patchbay.Tests.Dashboard;

// The dashboard in Debian's headless Chromium (tests/browser/dashboard.mjs, playwright-core), against a real
// socket: the org's data is made through the API with `<script>` / `"onerror=` strings in names, payloads and node
// outputs; an execution fails on a code node that needs an environment variable, which is then set, so a rerun
// from the dashboard completes; another waits on a delay, to be stopped. The execution worker runs while the browser works (the test servers' workers are
// off). The server's own view is checked afterwards.
public abstract class DashboardBrowserTests(PatchbayApp app)
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    const string Hostile = "\"onerror=alert(2) <script>alert(3)</script>";
    const string McpName = "Agent <img src=x onerror=alert(5)>";

    [Fact]
    public async Task Dashboard_SignIn_FailedExecution_Rerun_EditAndPublish_AllAsText()
    {
        BrowserScript.AssertInstalled();

        var (_, key, _) = await app.CreateOrgAsync("Acme <b>Org</b>");
        var accountId = PatchbayApp.NewAccountId();
        using var org = app.ClientFor(key);
        await ApiAssert.OkAsync(await org.PostAsJsonAsync("/api/v2/public/linked-account",
            new { account_id = accountId, name = "Acme <script>alert(1)</script>" }, Ct));
        var client = app.ClientFor(key, accountId);
        var gate = await ApiAssert.JsonAsync(await org.PostAsJsonAsync("/api/patchbay/v1/env/definitions",
            new { name = "GATE", scope = "org", var_format = "string" }, Ct), 201);

        // Fails while GATE has no value; echoes the payload's hostile note once it has.
        var (draft, version) = await PublishAsync(client, Graph(
            [
                Node("start", "start"),
                Node("gate", "code", new { code = "if (!input.env.GATE) throw new Error(\"GATE is not set <script>x</script>\"); return { ok: true, echo: payload.note };" }),
                Node("done", "response", new { body = new { note = "{{nodes.gate.output.echo}}" } }),
            ],
            [Edge("start", "gate"), Edge("gate", "done")]), name: "Sync <img src=x onerror=alert(1)>");
        var failed = await StartAsync(client, version, new { note = Hostile });
        await DrainAsync(app);
        Assert.Equal("ERRORED", (await ExecutionAsync(client, failed)).Str("status"));
        await ApiAssert.OkAsync(await org.PostAsJsonAsync("/api/v2/public/env/values",
            new { variable_definition_id = gate.GetProperty("definition").Str("_id"), value = "open" }, Ct));

        // One that waits (a delay), for Stop.
        var (_, waitVersion) = await PublishAsync(client, Graph(
            [Node("start", "start"), Node("wait", "delay", new { seconds = 3600 }), Node("after", "response", new { body = "late" })],
            [Edge("start", "wait"), Edge("wait", "after")]), name: "Wait an hour");
        var waiting = await StartAsync(client, waitVersion, new { });
        await DrainAsync(app);
        Assert.Equal("RUNNING", (await ExecutionAsync(client, waiting)).Str("status"));

        // A little of everything else, for the pages and their screenshots.
        await ApiAssert.OkAsync(await org.PostAsJsonAsync("/api/v2/public/application/event",
            new { name = "order <script>created</script>", response = new { id = 1, note = Hostile } }, Ct));
        var table = await ApiAssert.OkAsync(await client.PostAsJsonAsync("/api/v2/public/tables",
            new { table_name = "orders", columns = new[] { new { column_name = "customer" }, new { column_name = "note" } } }, Ct));
        await ApiAssert.OkAsync(await client.PatchAsJsonAsync($"/api/v2/public/tables/{table.Str("table_id")}",
            new { data = new[] { new { customer = "Ann", note = Hostile }, new { customer = "Bo", note = "<img src=x onerror=alert(4)>" } } }, Ct));

        // An MCP server with a markup name, exposing a workflow of the account's own, called once by the official
        // MCP client so the tool-call log has an entry.
        var (greet, _) = await PublishAsync(client, Graph(
            [Node("start", "start"), Node("reply", "response", new { body = new { greeting = "hello {{payload.name}}" } })],
            [Edge("start", "reply")]), name: "Greet");
        var server = await McpServersTests.CreateServerAsync(client, McpName, "Tools for <b>the</b> agent");
        await McpServersTests.UpdateAsync(client, server, new { associated_apps = new[] { new { slug = "custom", workflows = new[] { greet } } } });
        await using (var mcp = await McpEndpointTests.ConnectAsync(app, $"/mcp/v1/{server}", await app.CreateSessionTokenAsync(accountId, key)))
        {
            var called = await mcp.CallToolAsync("custom_greet_workflow", new Dictionary<string, object?> { ["name"] = "Ada" }, cancellationToken: Ct);
            Assert.NotEqual(true, called.IsError);
        }

        // The worker runs what the browser starts (the rerun) until the script ends.
        await BrowserScript.RunAsync("dashboard.mjs", [app.BaseAddress, key, PatchbayApp.AdminToken, accountId, failed, draft, waiting, server,
            BrowserScript.Screenshots(app)], okSteps: 16, TimeSpan.FromMinutes(5), Ct,
            whileRunning: () => DrainAsync(app));

        // What the browser did is what the server holds: the account kept (its deletion declined), a completed rerun
        // of the failed execution with the payload unchanged, the waiting one stopped, a second published version
        // with the node added.
        await ApiAssert.OkAsync(await org.GetAsync($"/api/v2/public/linked-account/{accountId}", Ct));
        var completed = await ApiAssert.OkAsync(await client.GetAsync($"/api/v2/public/execution?status=COMPLETED&workflow_id={draft}", Ct));
        var rerun = Assert.Single(completed.GetProperty("docs").EnumerateArray());
        Assert.StartsWith("Retry for workflow", rerun.Str("name"));
        var detail = await ExecutionAsync(client, rerun.Str("_id"));
        Assert.Equal(Hostile, detail.GetProperty("payload").Str("note"));
        Assert.Equal(Hostile, detail.GetProperty("return_value").Str("note"));
        Assert.Equal("STOPPED", (await ExecutionAsync(client, waiting)).Str("status"));
        var versions = await ApiAssert.OkAsync(await client.GetAsync($"/api/v2/public/workflow/versions/{draft}", Ct));
        Assert.Equal(2, versions.GetProperty("totalDocs").GetInt32());
        var live = await ApiAssert.OkAsync(await client.GetAsync($"/api/v2/public/workflow/{draft}", Ct));
        Assert.Contains("note", live.GetProperty("nodes").EnumerateArray().Select(n => n.Str("id")));

        // The MCP server: safe mode switched on, the token minted in the browser revoked, the scratch server deleted.
        var servers = await ApiAssert.OkAsync(await client.GetAsync("/api/v2/public/mcp-servers", Ct));
        var kept = Assert.Single(servers.GetProperty("docs").EnumerateArray());
        Assert.Equal(McpName, kept.Str("name"));
        Assert.True(kept.GetProperty("safe_mode").GetBoolean());
        var offered = Assert.Single(kept.GetProperty("associated_apps").EnumerateArray());
        Assert.Equal("custom", offered.Str("slug"));
        Assert.Equal(greet, Assert.Single(offered.GetProperty("workflows").EnumerateArray()).GetString());
        var tokens = await ApiAssert.OkAsync(await client.GetAsync($"/api/patchbay/v1/mcp-servers/{server}/tokens", Ct));
        var token = Assert.Single(tokens.GetProperty("tokens").EnumerateArray());
        Assert.Equal("agent <b>one</b>", token.Str("name"));
        Assert.Equal("revoked", token.Str("status"));
    }
}

public sealed class SqliteDashboardBrowserTests(SqliteApp<BrowserOptions> app) : DashboardBrowserTests(app), IClassFixture<SqliteApp<BrowserOptions>>;
public sealed class PostgresDashboardBrowserTests(PostgresApp<BrowserOptions> app) : DashboardBrowserTests(app), IClassFixture<PostgresApp<BrowserOptions>>;

using System.Net.Http.Json;
using System.Text.Json;
using Patchbay.Tests.Contract;
using Patchbay.Tests.Infrastructure;
using Xunit;

namespace Patchbay.Tests.Mcp;

// MCP servers, refold-api.md §3.18 (MC1–MC5), on the wire, every 2xx checked against refold-openapi.yaml; and the
// MCP tokens and tool-call log routes Patchbay adds under /api/patchbay/v1.
public abstract class McpServersTests(PatchbayApp app)
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;
    public const string Base = "/api/v2/public/mcp-servers";

    public static async Task<string> CreateServerAsync(HttpClient client, string name, string description = "Tools for the agent")
    {
        ArgumentNullException.ThrowIfNull(client);
        var response = await client.PostAsJsonAsync(Base, new { name, description }, Ct);
        var json = await ApiAssert.JsonAsync(response, 201);
        RefoldOpenApi.AssertResponse("POST", Base, 201, json);
        Assert.Equal(name, json.Str("name"));
        Assert.Equal(description, json.Str("description"));
        Assert.Equal(3, json.EnumerateObject().Count());
        return json.Str("_id");
    }

    public static async Task<JsonElement> UpdateAsync(HttpClient client, string id, object body)
    {
        ArgumentNullException.ThrowIfNull(client);
        var json = await ApiAssert.OkAsync(await client.PutAsJsonAsync($"{Base}/{id}", body, Ct));
        RefoldOpenApi.AssertResponse("PUT", $"{Base}/{{mcp_server_id}}", 200, json);
        return json;
    }

    [Fact]
    public async Task Create_Get_List_Update_Delete()
    {
        var account = await app.CreateLinkedAccountAsync();
        var client = app.ClientFor(linkedAccountId: account);
        var id = await CreateServerAsync(client, "Support desk");
        Assert.Matches("^[0-9a-f]{24}$", id);

        var entry = await ApiAssert.OkAsync(await client.GetAsync($"{Base}/{id}", Ct));
        RefoldOpenApi.AssertResponse("GET", $"{Base}/{{mcp_server_id}}", 200, entry);
        Assert.Equal("Support desk", entry.Str("name"));
        Assert.False(entry.GetProperty("safe_mode").GetBoolean());
        Assert.True(entry.GetProperty("enabled").GetBoolean());
        Assert.Equal("test", entry.Str("environment"));
        Assert.Equal(account, entry.Str("linked_account_id"));
        foreach (var field in (string[])["associated_apps", "chains", "suggestions", "notebooks", "resources"])
            Assert.Equal(0, entry.GetProperty(field).GetArrayLength());
        Assert.False(entry.TryGetProperty("agent_name", out _)); // never set: absent, not null

        // Patch semantics: only what is sent changes; both forms of associated actions/workflows are accepted and
        // answered as id strings.
        var updated = await UpdateAsync(client, id, new
        {
            agent_name = "Ada",
            safe_mode = true,
            associated_apps = new object[]
            {
                new { slug = "hubspot", actions = new object[] { "create_contact", new { id = "get_contact", name = "Get contact", description = "…" } } },
                new { slug = "custom", workflows = new object[] { new { id = "wf1", name = "One" }, "wf2" } },
            },
            suggestions = new[] { new { name = "Contacts", prompt = "Find my contacts" } },
            chains = new[] { new { name = "chain", goals = "g" } },
        });
        Assert.Equal("Support desk", updated.Str("name"));
        Assert.Equal("Tools for the agent", updated.Str("description"));
        Assert.Equal("Ada", updated.Str("agent_name"));
        Assert.True(updated.GetProperty("safe_mode").GetBoolean());
        var apps = updated.GetProperty("associated_apps");
        Assert.Equal(["create_contact", "get_contact"], apps[0].GetProperty("actions").EnumerateArray().Select(a => a.GetString()));
        Assert.Equal(0, apps[0].GetProperty("workflows").GetArrayLength());
        Assert.Equal(["wf1", "wf2"], apps[1].GetProperty("workflows").EnumerateArray().Select(a => a.GetString()));
        Assert.Equal("Find my contacts", updated.GetProperty("suggestions")[0].Str("prompt"));
        Assert.Equal("chain", updated.GetProperty("chains")[0].Str("name"));

        var renamed = await UpdateAsync(client, id, new { name = "Help desk" });
        Assert.Equal("Help desk", renamed.Str("name"));
        Assert.Equal("Ada", renamed.Str("agent_name"));
        Assert.Equal(2, renamed.GetProperty("associated_apps").GetArrayLength());

        var second = await CreateServerAsync(client, "Sales");
        var list = await ApiAssert.OkAsync(await client.GetAsync(Base, Ct));
        RefoldOpenApi.AssertResponse("GET", Base, 200, list);
        Assert.Equal(2, list.GetProperty("totalDocs").GetInt32());
        Assert.Equal([second, id], list.GetProperty("docs").EnumerateArray().Select(d => d.Str("_id"))); // newest first
        var page = await ApiAssert.OkAsync(await client.GetAsync($"{Base}?limit=1&page=2", Ct));
        Assert.Equal(id, Assert.Single(page.GetProperty("docs").EnumerateArray()).Str("_id"));

        var deleted = await client.DeleteAsync($"{Base}/{id}", Ct);
        Assert.Equal(204, (int)deleted.StatusCode);
        Assert.Empty(await deleted.Content.ReadAsByteArrayAsync(Ct));
        await ApiAssert.ErrorAsync(await client.GetAsync($"{Base}/{id}", Ct), 404, "NOT_FOUND", "SERVER_ERROR", "MCPEntry not found");
        await ApiAssert.ErrorAsync(await client.DeleteAsync($"{Base}/{id}", Ct), 404, "NOT_FOUND", "SERVER_ERROR", "MCPEntry not found");
        await ApiAssert.ErrorAsync(await client.PutAsJsonAsync($"{Base}/{id}", new { name = "x" }, Ct), 404, "NOT_FOUND", "SERVER_ERROR", "MCPEntry not found");
    }

    [Fact]
    public async Task Documented_Errors()
    {
        var account = await app.CreateLinkedAccountAsync();
        var client = app.ClientFor(linkedAccountId: account);

        // The org key without a linked account: 404 MISSING_REQUIRED_FIELD on every MCP route.
        var orgOnly = app.ClientFor();
        const string needsAccount = "Linked account id is required with API Key, for this resource";
        await ApiAssert.ErrorAsync(await orgOnly.GetAsync(Base, Ct), 404, "NOT_FOUND", "MISSING_REQUIRED_FIELD", needsAccount);
        await ApiAssert.ErrorAsync(await orgOnly.PostAsJsonAsync(Base, new { name = "a", description = "b" }, Ct), 404, "NOT_FOUND", "MISSING_REQUIRED_FIELD", needsAccount);
        await ApiAssert.ErrorAsync(await orgOnly.GetAsync($"{Base}/000000000000000000000000", Ct), 404, "NOT_FOUND", "MISSING_REQUIRED_FIELD", needsAccount);

        // Both fields are required, as strings.
        foreach (var body in (object[])[new { name = "a" }, new { description = "b" }, new { name = "", description = "b" }, new { name = 5, description = "b" }, new { }])
        {
            await ApiAssert.ErrorAsync(await client.PostAsJsonAsync(Base, body, Ct), 400, "BAD_REQUEST", "VALIDATION_ERROR", "name and description are required");
        }

        var id = await CreateServerAsync(client, "Ops");
        await ApiAssert.ErrorAsync(await client.PostAsJsonAsync(Base, new { name = "Ops", description = "again" }, Ct),
            409, "CONFLICT", "CONFLICT", "MCP Server with this name already exists");
        await CreateServerAsync(client, "Ops 2");
        await ApiAssert.ErrorAsync(await client.PutAsJsonAsync($"{Base}/{id}", new { name = "Ops 2" }, Ct),
            409, "CONFLICT", "CONFLICT", "MCP Server with this name already exists");

        // Malformed fields: 400 VALIDATION_ERROR "Invalid request body…", and nothing is written.
        foreach (var body in (object[])[
            new { safe_mode = "yes" }, new { associated_apps = "hubspot" }, new { associated_apps = new[] { new { actions = new[] { "a" } } } },
            new { associated_apps = new[] { new { slug = "x", actions = new[] { 1 } } } }, new { suggestions = new[] { 1 } }, new { chains = new[] { "c" } },
            new { name = "" }, new { agent_name = 3 }])
        {
            var error = await ApiAssert.ErrorAsync(await client.PutAsJsonAsync($"{Base}/{id}", body, Ct), 400, "BAD_REQUEST", "VALIDATION_ERROR");
            Assert.StartsWith("Invalid request body", error.Str("message"));
        }
        await ApiAssert.ErrorAsync(await client.PutAsync($"{Base}/{id}", new StringContent("[1]", System.Text.Encoding.UTF8, "application/json"), Ct),
            400, "BAD_REQUEST", "VALIDATION_ERROR", "Invalid request body");
        var unchanged = await ApiAssert.OkAsync(await client.GetAsync($"{Base}/{id}", Ct));
        Assert.Equal("Ops", unchanged.Str("name"));
        Assert.False(unchanged.GetProperty("safe_mode").GetBoolean());
        await ApiAssert.ErrorAsync(await client.GetAsync($"{Base}/not-an-id", Ct), 404, "NOT_FOUND", "SERVER_ERROR", "MCPEntry not found");
    }

    [Fact]
    public async Task Tenancy_Another_Account_Org_Or_Environment_Sees_Nothing()
    {
        var a = await app.CreateLinkedAccountAsync();
        var b = await app.CreateLinkedAccountAsync();
        var id = await CreateServerAsync(app.ClientFor(linkedAccountId: a), "Mine");

        // Account B (by key and by session token) neither sees, changes nor deletes A's server; the same name is free for B.
        var sessionB = app.SessionClient(await app.CreateSessionTokenAsync(b));
        foreach (var other in (HttpClient[])[app.ClientFor(linkedAccountId: b), sessionB])
        {
            await ApiAssert.ErrorAsync(await other.GetAsync($"{Base}/{id}", Ct), 404, "NOT_FOUND", "SERVER_ERROR", "MCPEntry not found");
            await ApiAssert.ErrorAsync(await other.PutAsJsonAsync($"{Base}/{id}", new { name = "stolen" }, Ct), 404, "NOT_FOUND", "SERVER_ERROR", "MCPEntry not found");
            await ApiAssert.ErrorAsync(await other.DeleteAsync($"{Base}/{id}", Ct), 404, "NOT_FOUND", "SERVER_ERROR", "MCPEntry not found");
            var list = await ApiAssert.OkAsync(await other.GetAsync(Base, Ct));
            Assert.DoesNotContain(list.GetProperty("docs").EnumerateArray(), d => d.Str("_id") == id);
        }
        await CreateServerAsync(sessionB, "Mine");

        // A's session token sees it; another org's key or the production key with A's id finds no such account.
        var sessionA = app.SessionClient(await app.CreateSessionTokenAsync(a));
        Assert.Equal("Mine", (await ApiAssert.OkAsync(await sessionA.GetAsync($"{Base}/{id}", Ct))).Str("name"));
        var (_, otherKey, _) = await app.CreateOrgAsync("MCP Other Org");
        foreach (var key in (string[])[otherKey, app.ProductionApiKey])
        {
            var stranger = app.ClientFor(key, a);
            var error = await ApiAssert.ErrorAsync(await stranger.GetAsync($"{Base}/{id}", Ct), 404, "NOT_FOUND", "SERVER_ERROR");
            Assert.StartsWith($"Linked Account with account id {a}", error.Str("message"));
        }
        Assert.Equal("Mine", (await ApiAssert.OkAsync(await sessionA.GetAsync($"{Base}/{id}", Ct))).Str("name"));
    }

    [Fact]
    public async Task Tokens_Are_Minted_Listed_Without_Secret_And_Revoked()
    {
        var account = await app.CreateLinkedAccountAsync();
        var client = app.ClientFor(linkedAccountId: account);
        var id = await CreateServerAsync(client, "Tokens");
        var tokens = $"/api/patchbay/v1/mcp-servers/{id}/tokens";

        var minted = await ApiAssert.JsonAsync(await client.PostAsJsonAsync(tokens, new { name = "claude", expires_in = 3600 }, Ct), 201);
        var token = minted.Str("token");
        Assert.StartsWith("pbmcp_", token);
        Assert.EndsWith($"/mcp/v1/{id}", minted.Str("url"));
        Assert.Equal(token[^4..], minted.Str("hint")[^4..]);

        var listed = await ApiAssert.OkAsync(await client.GetAsync(tokens, Ct));
        var entry = Assert.Single(listed.GetProperty("tokens").EnumerateArray());
        Assert.Equal(minted.Str("id"), entry.Str("id"));
        Assert.Equal("active", entry.Str("status"));
        Assert.Equal("claude", entry.Str("name"));
        Assert.DoesNotContain(token, listed.GetRawText());

        Assert.Equal(204, (int)(await client.DeleteAsync($"{tokens}/{minted.Str("id")}", Ct)).StatusCode);
        listed = await ApiAssert.OkAsync(await client.GetAsync(tokens, Ct));
        Assert.Equal("revoked", listed.GetProperty("tokens")[0].Str("status"));
        await ApiAssert.ErrorAsync(await client.DeleteAsync($"{tokens}/000000000000000000000000", Ct), 404, "NOT_FOUND", "RESOURCE_NOT_FOUND");

        await ApiAssert.ErrorAsync(await client.PostAsJsonAsync(tokens, new { expires_in = 0 }, Ct), 400, "BAD_REQUEST", "VALIDATION_ERROR");
        await ApiAssert.ErrorAsync(await client.PostAsJsonAsync(tokens, new { expires_in = "soon" }, Ct), 400, "BAD_REQUEST", "VALIDATION_ERROR");
        // Another account cannot mint or list tokens for this server.
        var other = app.ClientFor(linkedAccountId: await app.CreateLinkedAccountAsync());
        await ApiAssert.ErrorAsync(await other.PostAsJsonAsync(tokens, new { }, Ct), 404, "NOT_FOUND", "SERVER_ERROR", "MCPEntry not found");
        await ApiAssert.ErrorAsync(await other.GetAsync(tokens, Ct), 404, "NOT_FOUND", "SERVER_ERROR", "MCPEntry not found");
        await ApiAssert.ErrorAsync(await other.GetAsync($"/api/patchbay/v1/mcp-servers/{id}/tool-calls", Ct), 404, "NOT_FOUND", "SERVER_ERROR", "MCPEntry not found");
    }
}

public sealed class SqliteMcpServersTests(SqliteApp app) : McpServersTests(app), IClassFixture<SqliteApp>;
public sealed class PostgresMcpServersTests(PostgresApp app) : McpServersTests(app), IClassFixture<PostgresApp>;

using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Patchbay.Tests.Contract;
using Patchbay.Tests.Infrastructure;
using Xunit;

namespace Patchbay.Tests.Tables;

// Persistent tables, refold-api.md §3.16 (TB1–TB12), on the wire, every 2xx checked against refold-openapi.yaml.
public abstract class TablesTests(PatchbayApp app)
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;
    const string Base = "/api/v2/public/tables";

    async Task<(HttpClient Client, string Account)> AccountAsync()
    {
        var account = await app.CreateLinkedAccountAsync();
        return (app.ClientFor(linkedAccountId: account), account);
    }

    static async Task<string> CreateTableAsync(HttpClient client, string name, params string[] columns)
    {
        var json = await ApiAssert.OkAsync(await client.PostAsJsonAsync(Base,
            new { table_name = name, columns = columns.Select(c => new { column_name = c }) }, Ct));
        RefoldOpenApi.AssertResponse("POST", Base, 200, json);
        Assert.False(json.GetProperty("already_exists").GetBoolean());
        return json.Str("table_id");
    }

    static async Task<JsonElement> AddAsync(HttpClient client, string tableId, object data)
    {
        var json = await ApiAssert.OkAsync(await client.PatchAsJsonAsync($"{Base}/{tableId}", new { data }, Ct));
        RefoldOpenApi.AssertResponse("PATCH", $"{Base}/{{table_id}}", 200, json);
        return json;
    }

    static async Task<JsonElement> SearchAsync(HttpClient client, string tableId, object body)
    {
        var json = await ApiAssert.OkAsync(await client.PostAsJsonAsync($"{Base}/{tableId}/search", body, Ct));
        RefoldOpenApi.AssertResponse("POST", $"{Base}/{{table_id}}/search", 200, json);
        return json;
    }

    [Fact]
    public async Task Create_List_Add_Read_RoundTrip()
    {
        var (client, account) = await AccountAsync();
        var id = await CreateTableAsync(client, "leads", "email", "stage");
        Assert.Matches("^[0-9a-f]{24}$", id);

        // The same name answers with the same id.
        var again = await ApiAssert.OkAsync(await client.PostAsJsonAsync(Base, new { table_name = "leads", columns = new[] { new { column_name = "x" } } }, Ct));
        Assert.Equal(id, again.Str("table_id"));
        Assert.True(again.GetProperty("already_exists").GetBoolean());

        var added = await AddAsync(client, id, new object[] { new { email = "a@x.io", stage = "new", junk = 1 }, new { email = "b@x.io", stage = 2 } });
        var results = added.GetProperty("add_record_result").EnumerateArray().ToList();
        Assert.Equal(2, results.Count);
        Assert.Matches("^[0-9a-f]{8}-[0-9a-f]{4}-[47][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$", results[0].Str("record_id"));
        Assert.False(results[0].TryGetProperty("junk", out _)); // unknown columns are stripped
        Assert.Equal(2, results[1].GetProperty("stage").GetInt32());
        Assert.Equal(JsonValueKind.Array, added.GetProperty("transformed_add_data").ValueKind);
        Assert.False(added.GetProperty("transformed_add_data")[0].TryGetProperty("junk", out _));

        var one = await AddAsync(client, id, new { email = "c@x.io" });
        Assert.Equal(JsonValueKind.Object, one.GetProperty("transformed_add_data").ValueKind);

        var page = await ApiAssert.OkAsync(await client.GetAsync($"{Base}/{id}?limit=2", Ct));
        RefoldOpenApi.AssertResponse("GET", $"{Base}/{{table_id}}", 200, page);
        Assert.Equal("leads", page.Str("name"));
        Assert.Equal(["email", "stage"], page.GetProperty("columns").EnumerateArray().Select(c => c.GetString()));
        Assert.Equal(3, page.GetProperty("totalDocs").GetInt32());
        Assert.Equal(2, page.GetProperty("totalPages").GetInt32());
        Assert.True(page.GetProperty("hasNextPage").GetBoolean());
        Assert.Equal(["a@x.io", "b@x.io"], page.GetProperty("docs").EnumerateArray().Select(d => d.Str("email")));
        var page2 = await ApiAssert.OkAsync(await client.GetAsync($"{Base}/{id}?limit=2&page=2", Ct));
        Assert.Equal("c@x.io", Assert.Single(page2.GetProperty("docs").EnumerateArray()).Str("email"));
        Assert.False(page2.GetProperty("hasNextPage").GetBoolean());

        var list = await ApiAssert.OkAsync(await client.GetAsync(Base, Ct));
        RefoldOpenApi.AssertResponse("GET", Base, 200, list);
        var table = Assert.Single(list.GetProperty("docs").EnumerateArray());
        Assert.Equal(id, table.Str("_id"));
        Assert.Equal(account, table.Str("linked_account_id"));
        Assert.Equal("persistent", table.Str("table_type"));
        Assert.Equal(3, table.GetProperty("record_count").GetInt32());
        Assert.False(table.GetProperty("is_deleted").GetBoolean());
        Assert.Equal("test", table.Str("environment"));
    }

    [Fact]
    public async Task List_FiltersByNameRegex()
    {
        var (client, _) = await AccountAsync();
        await CreateTableAsync(client, "Leads 2024", "a");
        await CreateTableAsync(client, "deals", "a");
        var json = await ApiAssert.OkAsync(await client.GetAsync($"{Base}?name=^lead", Ct));
        Assert.Equal(["Leads 2024"], json.GetProperty("docs").EnumerateArray().Select(d => d.Str("name")));
        Assert.Equal(1, json.GetProperty("totalDocs").GetInt32());
    }

    [Fact]
    public async Task Create_MissingFields_Returns400()
    {
        var (client, _) = await AccountAsync();
        await ApiAssert.ErrorAsync(await client.PostAsJsonAsync(Base, new { table_name = "x" }, Ct), 400, "BAD_REQUEST", "SERVER_ERROR",
            "table_name and columns are required");
        var tooMany = Enumerable.Range(1, 21).Select(i => new { column_name = $"c{i}" });
        await ApiAssert.ErrorAsync(await client.PostAsJsonAsync(Base, new { table_name = "wide", columns = tooMany }, Ct), 400, "BAD_REQUEST", "VALIDATION_ERROR",
            "A table can have at most 20 columns; 21 were given");
        await ApiAssert.ErrorAsync(await client.PatchAsJsonAsync($"{Base}/{await CreateTableAsync(client, "t", "a")}", new { }, Ct), 400, "BAD_REQUEST", "SERVER_ERROR",
            "data is required");
    }

    [Fact]
    public async Task Search_IsCaseInsensitiveRegex_AndOfColumns()
    {
        var (client, _) = await AccountAsync();
        var id = await CreateTableAsync(client, "people", "email", "stage", "score");
        await AddAsync(client, id, new object[]
        {
            new { email = "Ann@Acme.io", stage = "won", score = 10 },
            new { email = "bob@acme.io", stage = "lost", score = 7 },
            new { email = "cy@other.io", stage = "won", score = 3 },
        });
        Assert.Equal(["Ann@Acme.io", "bob@acme.io"], (await SearchAsync(client, id, new { email = "acme" })).EnumerateArray().Select(r => r.Str("email")));
        Assert.Equal(["Ann@Acme.io"], (await SearchAsync(client, id, new { email = "^ann" })).EnumerateArray().Select(r => r.Str("email")));
        Assert.Equal(["Ann@Acme.io"], (await SearchAsync(client, id, new { email = "acme", stage = "^WON$" })).EnumerateArray().Select(r => r.Str("email")));
        Assert.Equal(["bob@acme.io"], (await SearchAsync(client, id, new { score = 7 })).EnumerateArray().Select(r => r.Str("email")));
        Assert.Equal(["Ann@Acme.io", "cy@other.io"], (await SearchAsync(client, id, new { stage = "w.n|xyz" })).EnumerateArray().Select(r => r.Str("email")));
        Assert.Empty((await SearchAsync(client, id, new { nosuch = "x" })).EnumerateArray());
        Assert.Equal(3, (await SearchAsync(client, id, new { })).GetArrayLength());
        await ApiAssert.ErrorAsync(await client.PostAsJsonAsync($"{Base}/{id}/search", new { email = "(" }, Ct), 400, "BAD_REQUEST", "VALIDATION_ERROR");
    }

    [Fact]
    public async Task UpdateAndDeleteRecord()
    {
        var (client, _) = await AccountAsync();
        var id = await CreateTableAsync(client, "t", "email", "stage");
        var added = await AddAsync(client, id, new { email = "a@x.io", stage = "new" });
        var recordId = added.GetProperty("add_record_result")[0].Str("record_id");

        var updated = await ApiAssert.OkAsync(await client.PatchAsJsonAsync($"{Base}/{id}/records/{recordId}", new { stage = "won", other = 1 }, Ct));
        Assert.Equal(recordId, updated.Str("record_id"));
        Assert.Equal("won", updated.Str("stage"));
        Assert.Equal("a@x.io", updated.Str("email"));
        Assert.False(updated.TryGetProperty("other", out _));
        Assert.Single((await SearchAsync(client, id, new { stage = "^won$" })).EnumerateArray());
        Assert.Empty((await SearchAsync(client, id, new { stage = "^new$" })).EnumerateArray());

        var deleted = await ApiAssert.OkAsync(await client.DeleteAsync($"{Base}/{id}/{recordId}", Ct));
        RefoldOpenApi.AssertResponse("DELETE", $"{Base}/{{table_id}}/{{record_id}}", 200, deleted);
        Assert.Equal("won", deleted.Str("stage"));
        await ApiAssert.ErrorAsync(await client.DeleteAsync($"{Base}/{id}/{recordId}", Ct), 404, "NOT_FOUND", "SERVER_ERROR", "Record not found");
        var page = await ApiAssert.OkAsync(await client.GetAsync($"{Base}/{id}", Ct));
        Assert.Equal(0, page.GetProperty("totalDocs").GetInt32());
    }

    [Fact]
    public async Task Columns_AddRemoveRename_Chained()
    {
        var (client, _) = await AccountAsync();
        var id = await CreateTableAsync(client, "t", "a", "b");
        await AddAsync(client, id, new { a = "one", b = "two" });

        var add = await ApiAssert.OkAsync(await client.PatchAsJsonAsync($"{Base}/{id}/columns/add", new { columns = new[] { "c" } }, Ct));
        RefoldOpenApi.AssertResponse("PATCH", $"{Base}/{{table_id}}/columns/add", 200, add);
        Assert.Equal(["a", "b", "c"], add.GetProperty("columns").EnumerateArray().Select(c => c.GetString()));
        await ApiAssert.ErrorAsync(await client.PatchAsJsonAsync($"{Base}/{id}/columns/add", new { columns = new[] { "a" } }, Ct), 400, "BAD_REQUEST", "VALIDATION_ERROR",
            "Column 'a' already exists");

        // a→b is refused while b exists; b→x then a→b is a chain.
        await ApiAssert.ErrorAsync(await client.PatchAsJsonAsync($"{Base}/{id}/columns/rename",
            new { renames = new[] { new { old_name = "a", new_name = "b" } } }, Ct), 400, "BAD_REQUEST", "VALIDATION_ERROR", "Column 'b' already exists");
        var rename = await ApiAssert.OkAsync(await client.PatchAsJsonAsync($"{Base}/{id}/columns/rename",
            new { renames = new[] { new { old_name = "b", new_name = "x" }, new { old_name = "a", new_name = "b" } } }, Ct));
        RefoldOpenApi.AssertResponse("PATCH", $"{Base}/{{table_id}}/columns/rename", 200, rename);
        Assert.Equal(["b", "x", "c"], rename.GetProperty("columns").EnumerateArray().Select(c => c.GetString()));
        var doc = (await ApiAssert.OkAsync(await client.GetAsync($"{Base}/{id}", Ct))).GetProperty("docs")[0];
        Assert.Equal("one", doc.Str("b"));
        Assert.Equal("two", doc.Str("x"));
        Assert.Single((await SearchAsync(client, id, new { b = "^one$" })).EnumerateArray());

        using var remove = new HttpRequestMessage(HttpMethod.Delete, $"{Base}/{id}/columns/remove") { Content = JsonContent.Create(new { columns = new[] { "x", "c" } }) };
        var removed = await ApiAssert.OkAsync(await client.SendAsync(remove, Ct));
        RefoldOpenApi.AssertResponse("DELETE", $"{Base}/{{table_id}}/columns/remove", 200, removed);
        Assert.Equal(["b"], removed.GetProperty("columns").EnumerateArray().Select(c => c.GetString()));
        using var removeLast = new HttpRequestMessage(HttpMethod.Delete, $"{Base}/{id}/columns/remove") { Content = JsonContent.Create(new { columns = new[] { "b" } }) };
        await ApiAssert.ErrorAsync(await client.SendAsync(removeLast, Ct), 400, "BAD_REQUEST", "VALIDATION_ERROR", "A table must keep at least one column");

        // A re-added column of a removed name starts empty: the old values stay under a slot no column names.
        await ApiAssert.OkAsync(await client.PatchAsJsonAsync($"{Base}/{id}/columns/add", new { columns = new[] { "x" } }, Ct));
        var after = (await ApiAssert.OkAsync(await client.GetAsync($"{Base}/{id}", Ct))).GetProperty("docs")[0];
        Assert.False(after.TryGetProperty("x", out _));
        Assert.Empty((await SearchAsync(client, id, new { x = "two" })).EnumerateArray());
    }

    [Fact]
    public async Task SoftDelete_ReturnsBareTrue_AndFreesTheName()
    {
        var (client, _) = await AccountAsync();
        var id = await CreateTableAsync(client, "gone", "a");
        var response = await client.DeleteAsync($"{Base}/{id}", Ct);
        Assert.Equal("true", await response.Content.ReadAsStringAsync(Ct));
        RefoldOpenApi.AssertResponse("DELETE", $"{Base}/{{table_id}}", 200, JsonDocument.Parse("true").RootElement);
        await ApiAssert.ErrorAsync(await client.GetAsync($"{Base}/{id}", Ct), 404, "NOT_FOUND", "SERVER_ERROR", "Table not found");
        await ApiAssert.ErrorAsync(await client.DeleteAsync($"{Base}/{id}", Ct), 404, "NOT_FOUND", "SERVER_ERROR", "Table not found");
        Assert.Empty((await ApiAssert.OkAsync(await client.GetAsync(Base, Ct))).GetProperty("docs").EnumerateArray());
        Assert.NotEqual(id, await CreateTableAsync(client, "gone", "a"));
    }

    [Fact]
    public async Task GroupEdit_Returns204_AndWinsOverTheRecordRoute()
    {
        var (client, _) = await AccountAsync();
        var id = await CreateTableAsync(client, "t", "a");
        var response = await client.PutAsJsonAsync($"{Base}/group/edit", new { tableIds = new[] { id }, group = "crm-tables" }, Ct);
        Assert.Equal(System.Net.HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal("crm-tables", (await ApiAssert.OkAsync(await client.GetAsync(Base, Ct))).GetProperty("docs")[0].Str("group"));
        Assert.Equal(System.Net.HttpStatusCode.NoContent, (await client.PutAsJsonAsync($"{Base}/group/edit", new { tableIds = new[] { id }, group = "" }, Ct)).StatusCode);
        Assert.False((await ApiAssert.OkAsync(await client.GetAsync(Base, Ct))).GetProperty("docs")[0].TryGetProperty("group", out _));
        await ApiAssert.ErrorAsync(await client.PutAsJsonAsync($"{Base}/group/edit", new { group = "x" }, Ct), 400, "BAD_REQUEST", "SERVER_ERROR", "tableIds is required");
    }

    [Fact]
    public async Task Tenancy_OtherOrg_OtherEnvironment_OtherAccountsToken_SeeNothing()
    {
        var (client, account) = await AccountAsync();
        var id = await CreateTableAsync(client, "private", "secret");
        var recordId = (await AddAsync(client, id, new { secret = "s3cr3t" })).GetProperty("add_record_result")[0].Str("record_id");

        var (_, otherKey, _) = await app.CreateOrgAsync();
        var other = await app.CreateLinkedAccountAsync();
        var outsiders = new List<HttpClient>
        {
            app.ClientFor(otherKey, account),                      // another org, same account id
            app.ClientFor(app.ProductionApiKey, account),          // the production environment
            app.SessionClient(await app.CreateSessionTokenAsync(other)), // another account's session token
            app.ClientFor(linkedAccountId: other),                 // the org key, another account
        };
        foreach (var outsider in outsiders)
        {
            var list = await outsider.GetAsync(Base, Ct);
            if (list.IsSuccessStatusCode) Assert.Empty((await ApiAssert.OkAsync(list)).GetProperty("docs").EnumerateArray());
            else Assert.Equal(404, (int)list.StatusCode);
            foreach (var response in new[]
            {
                await outsider.GetAsync($"{Base}/{id}", Ct),
                await outsider.PatchAsJsonAsync($"{Base}/{id}", new { data = new { secret = "x" } }, Ct),
                await outsider.PostAsJsonAsync($"{Base}/{id}/search", new { secret = "s" }, Ct),
                await outsider.DeleteAsync($"{Base}/{id}/{recordId}", Ct),
                await outsider.PatchAsJsonAsync($"{Base}/{id}/records/{recordId}", new { secret = "x" }, Ct),
                await outsider.PatchAsJsonAsync($"{Base}/{id}/columns/add", new { columns = new[] { "z" } }, Ct),
                await outsider.DeleteAsync($"{Base}/{id}", Ct),
            })
            {
                Assert.Equal(404, (int)response.StatusCode);
                Assert.DoesNotContain("s3cr3t", await response.Content.ReadAsStringAsync(Ct));
            }
            await outsider.PutAsJsonAsync($"{Base}/group/edit", new { tableIds = new[] { id }, group = "stolen" }, Ct);
        }

        // The owner's session token sees its own table; nothing above changed it.
        var own = app.SessionClient(await app.CreateSessionTokenAsync(account));
        var page = await ApiAssert.OkAsync(await own.GetAsync($"{Base}/{id}", Ct));
        Assert.Equal("s3cr3t", Assert.Single(page.GetProperty("docs").EnumerateArray()).Str("secret"));
        Assert.Equal(["secret"], page.GetProperty("columns").EnumerateArray().Select(c => c.GetString()));
        Assert.False((await ApiAssert.OkAsync(await own.GetAsync(Base, Ct))).GetProperty("docs")[0].TryGetProperty("group", out _));
    }
}

public sealed class SqliteTablesTests(SqliteApp app) : TablesTests(app), IClassFixture<SqliteApp>;
public sealed class PostgresTablesTests(PostgresApp app) : TablesTests(app), IClassFixture<PostgresApp>;

using System.Net.Http.Json;
using System.Text.Json;
using Patchbay.Tests.Infrastructure;
using Xunit;

namespace Patchbay.Tests.Tables;

// Patchbay's table routes: typed filters, sort, cursor pagination, upsert by key, JSON-lines export.
public abstract class TablesExtensionTests(PatchbayApp app)
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;
    const string Public = "/api/v2/public/tables";
    const string Ext = "/api/patchbay/v1/tables";

    async Task<(HttpClient Client, string TableId)> TableAsync()
    {
        var client = app.ClientFor(linkedAccountId: await app.CreateLinkedAccountAsync());
        var id = (await ApiAssert.OkAsync(await client.PostAsJsonAsync(Public,
            new { table_name = "deals", columns = new[] { new { column_name = "name" }, new { column_name = "amount" }, new { column_name = "stage" } } }, Ct))).Str("table_id");
        await ApiAssert.OkAsync(await client.PatchAsJsonAsync($"{Public}/{id}", new
        {
            data = new object[]
            {
                new { name = "Acme", amount = 500, stage = "won" },
                new { name = "Beta", amount = 1500, stage = "open" },
                new { name = "acme eu", amount = "90", stage = "won" },
                new { name = "Gamma", amount = 1500, stage = "lost" },
                new { name = "Delta", stage = "open" },
            },
        }, Ct));
        return (client, id);
    }

    static async Task<(List<string> Names, string? Cursor)> QueryAsync(HttpClient client, string id, object body)
    {
        var json = await ApiAssert.OkAsync(await client.PostAsJsonAsync($"{Ext}/{id}/query", body, Ct));
        var cursor = json.GetProperty("next_cursor");
        return (json.GetProperty("records").EnumerateArray().Select(r => r.Str("name")).ToList(), cursor.ValueKind == JsonValueKind.Null ? null : cursor.GetString());
    }

    [Fact]
    public async Task TypedFilters_AreAnded_AndTyped()
    {
        var (client, id) = await TableAsync();
        Assert.Equal(["Beta", "Gamma"], (await QueryAsync(client, id, new { filters = new[] { new { column = "amount", op = "eq", value = 1500 } } })).Names);
        Assert.Equal(["Beta", "Gamma"], (await QueryAsync(client, id, new { filters = new[] { new { column = "amount", op = "gt", value = 500 } } })).Names);
        Assert.Equal(["Acme", "acme eu"], (await QueryAsync(client, id, new { filters = new[] { new { column = "amount", op = "lte", value = 500 } } })).Names);
        Assert.Equal(["Acme", "acme eu"], (await QueryAsync(client, id, new { filters = new[] { new { column = "name", op = "like", value = "acme%" } } })).Names);
        Assert.Equal(["acme eu"], (await QueryAsync(client, id, new { filters = new object[]
        {
            new { column = "stage", op = "eq", value = "won" }, new { column = "amount", op = "lt", value = 100 },
        } })).Names);
        Assert.Equal(["Beta", "Gamma", "Delta"], (await QueryAsync(client, id, new { filters = new[] { new { column = "stage", op = "neq", value = "won" } } })).Names);
        Assert.Equal(["Acme", "acme eu", "Gamma"], (await QueryAsync(client, id, new { filters = new[] { new { column = "stage", op = "in", value = new[] { "won", "lost" } } } })).Names);
        Assert.Empty((await QueryAsync(client, id, new { filters = new[] { new { column = "stage", op = "eq", value = "WON" } } })).Names);
        await ApiAssert.ErrorAsync(await client.PostAsJsonAsync($"{Ext}/{id}/query", new { filters = new[] { new { column = "stage", op = "regex", value = "x" } } }, Ct),
            400, "BAD_REQUEST", "VALIDATION_ERROR", "'op' must be one of eq, neq, gt, gte, lt, lte, like, in");
        await ApiAssert.ErrorAsync(await client.PostAsJsonAsync($"{Ext}/{id}/query", new { filters = new[] { new { column = "nope", op = "eq", value = 1 } } }, Ct),
            400, "BAD_REQUEST", "VALIDATION_ERROR", "Column 'nope' does not exist");
    }

    [Fact]
    public async Task Sort_And_CursorPagination()
    {
        var (client, id) = await TableAsync();
        var (page1, cursor) = await QueryAsync(client, id, new { sort = new { column = "amount", direction = "desc" }, limit = 2 });
        Assert.Equal(["Beta", "Gamma"], page1);
        var (page2, cursor2) = await QueryAsync(client, id, new { sort = new { column = "amount", direction = "desc" }, limit = 2, cursor });
        Assert.Equal(["Acme", "acme eu"], page2);
        var (page3, end) = await QueryAsync(client, id, new { sort = new { column = "amount", direction = "desc" }, limit = 2, cursor = cursor2 });
        Assert.Equal(["Delta"], page3); // no amount: last
        Assert.Null(end);

        var all = new List<string>();
        string? next = null;
        do
        {
            (var names, next) = await QueryAsync(client, id, new { limit = 2, cursor = next });
            all.AddRange(names);
        } while (next is not null);
        Assert.Equal(["Acme", "Beta", "acme eu", "Gamma", "Delta"], all);
        await ApiAssert.ErrorAsync(await client.PostAsJsonAsync($"{Ext}/{id}/query", new { cursor = "garbage!" }, Ct), 400, "BAD_REQUEST", "VALIDATION_ERROR");
    }

    [Fact]
    public async Task UpsertByKey_AndExportAsJsonLines()
    {
        var (client, id) = await TableAsync();
        var upsert = await ApiAssert.OkAsync(await client.PutAsJsonAsync($"{Ext}/{id}/records", new
        {
            key = "name",
            records = new object[] { new { name = "Beta", stage = "won" }, new { name = "Omega", amount = 1 }, new { name = "Omega", amount = 2 } },
        }, Ct));
        Assert.Equal(1, upsert.GetProperty("inserted").GetInt32());
        Assert.Equal(1, upsert.GetProperty("updated").GetInt32());
        await ApiAssert.ErrorAsync(await client.PutAsJsonAsync($"{Ext}/{id}/records", new { key = "name", records = new[] { new { stage = "x" } } }, Ct),
            400, "BAD_REQUEST", "VALIDATION_ERROR", "Record 1 has no value for the key column 'name'");

        var response = await client.GetAsync($"{Ext}/{id}/export", Ct);
        Assert.Equal("application/x-ndjson", response.Content.Headers.ContentType?.MediaType);
        var lines = (await response.Content.ReadAsStringAsync(Ct)).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(["Acme", "Beta", "acme eu", "Gamma", "Delta", "Omega"], lines.Select(l => l.Str("name")));
        Assert.Equal("won", lines[1].Str("stage"));
        Assert.Equal(1500, lines[1].GetProperty("amount").GetInt32()); // upsert merges
        Assert.Equal(2, lines[5].GetProperty("amount").GetInt32());   // the last of one key in a batch wins
        Assert.True(lines.All(l => l.TryGetProperty("record_id", out _)));

        var outsider = app.ClientFor(linkedAccountId: await app.CreateLinkedAccountAsync());
        Assert.Equal(404, (int)(await outsider.GetAsync($"{Ext}/{id}/export", Ct)).StatusCode);
        Assert.Equal(404, (int)(await outsider.PostAsJsonAsync($"{Ext}/{id}/query", new { }, Ct)).StatusCode);
        Assert.Equal(404, (int)(await outsider.PutAsJsonAsync($"{Ext}/{id}/records", new { key = "name", records = new[] { new { name = "x" } } }, Ct)).StatusCode);
    }
}

public sealed class SqliteTablesExtensionTests(SqliteApp app) : TablesExtensionTests(app), IClassFixture<SqliteApp>;
public sealed class PostgresTablesExtensionTests(PostgresApp app) : TablesExtensionTests(app), IClassFixture<PostgresApp>;

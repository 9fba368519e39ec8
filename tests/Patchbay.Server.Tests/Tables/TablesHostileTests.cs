using System.Diagnostics;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Patchbay.Tests.Infrastructure;
using Xunit;

namespace Patchbay.Tests.Tables;

// Hostile input to tables: catastrophic regexes, huge records, batches over the limits, column names with quotes,
// SQL and unicode. Each answer comes within a second, and nothing stored changes.
public abstract class TablesHostileTests(PatchbayApp app)
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;
    const string Base = "/api/v2/public/tables";

    async Task<(HttpClient Client, string TableId)> TableAsync(params string[] columns)
    {
        var client = app.ClientFor(linkedAccountId: await app.CreateLinkedAccountAsync());
        var json = await ApiAssert.OkAsync(await client.PostAsJsonAsync(Base,
            new { table_name = "t" + Guid.NewGuid().ToString("N")[..6], columns = columns.Select(c => new { column_name = c }) }, Ct));
        return (client, json.Str("table_id"));
    }

    static async Task<string> SnapshotAsync(HttpClient client, string tableId)
    {
        var json = await ApiAssert.OkAsync(await client.GetAsync($"{Base}/{tableId}?limit=1000", Ct));
        return json.GetRawText();
    }

    static async Task<HttpResponseMessage> TimedAsync(Func<Task<HttpResponseMessage>> call)
    {
        var clock = Stopwatch.StartNew();
        var response = await call();
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), $"took {clock.ElapsedMilliseconds} ms");
        return response;
    }

    [Fact]
    public async Task CatastrophicRegexes_AnswerWithinASecond()
    {
        var (client, id) = await TableAsync("v");
        var evil = new string('a', 5000) + "!";
        await ApiAssert.OkAsync(await client.PatchAsJsonAsync($"{Base}/{id}", new { data = Enumerable.Range(0, 200).Select(_ => new { v = evil }) }, Ct));
        var before = await SnapshotAsync(client, id);
        foreach (var pattern in (string[])["(a+)+$", "(a|aa)+$", "^(([a-z])+.)+[A-Z]([a-z])+$", "(a*)*b", "(.*a){20}"])
        {
            var response = await TimedAsync(() => client.PostAsJsonAsync($"{Base}/{id}/search", new { v = pattern }, Ct));
            var json = await ApiAssert.OkAsync(response);
            Assert.Equal(JsonValueKind.Array, json.ValueKind);
        }
        // Constructs that need backtracking, and over-long patterns, are refused outright.
        await ApiAssert.ErrorAsync(await TimedAsync(() => client.PostAsJsonAsync($"{Base}/{id}/search", new { v = @"(a+)\1" }, Ct)),
            400, "BAD_REQUEST", "VALIDATION_ERROR");
        await ApiAssert.ErrorAsync(await TimedAsync(() => client.PostAsJsonAsync($"{Base}/{id}/search", new { v = "(?=a)a" }, Ct)),
            400, "BAD_REQUEST", "VALIDATION_ERROR");
        await ApiAssert.ErrorAsync(await TimedAsync(() => client.PostAsJsonAsync($"{Base}/{id}/search", new { v = new string('a', 501) }, Ct)),
            400, "BAD_REQUEST", "VALIDATION_ERROR", "The search pattern for 'v' is longer than 500 characters");
        await ApiAssert.ErrorAsync(await TimedAsync(() => client.GetAsync($"{Base}?name=" + Uri.EscapeDataString("(a+)\\1"), Ct)),
            400, "BAD_REQUEST", "VALIDATION_ERROR");
        Assert.Equal(before, await SnapshotAsync(client, id));
    }

    [Fact]
    public async Task HugeRecords_Are413_AndNothingIsWritten()
    {
        var (client, id) = await TableAsync("v", "w");
        await ApiAssert.OkAsync(await client.PatchAsJsonAsync($"{Base}/{id}", new { data = new { v = "kept" } }, Ct));
        var before = await SnapshotAsync(client, id);

        using var tenMegabytes = new StringContent("{\"data\":{\"v\":\"" + new string('x', 10 << 20) + "\"}}", Encoding.UTF8, "application/json");
        await ApiAssert.ErrorAsync(await TimedAsync(() => client.PatchAsync($"{Base}/{id}", tenMegabytes, Ct)), 413, "PAYLOAD_TOO_LARGE", "PAYLOAD_TOO_LARGE");

        // Within the request limit but over the record limit: the whole batch is refused, the good record too.
        var batch = new object[] { new { v = "fine" }, new { v = new string('y', 70_000) } };
        await ApiAssert.ErrorAsync(await TimedAsync(() => client.PatchAsJsonAsync($"{Base}/{id}", new { data = batch }, Ct)), 413, "PAYLOAD_TOO_LARGE", "PAYLOAD_TOO_LARGE",
            "Record 2 is 70008 bytes; a record may be at most 65536 bytes");
        Assert.Equal(before, await SnapshotAsync(client, id));
    }

    [Fact]
    public async Task BatchesOverTheLimits_Are400_AndNothingIsWritten()
    {
        var (client, id) = await TableAsync("v");
        await ApiAssert.OkAsync(await client.PatchAsJsonAsync($"{Base}/{id}", new { data = new { v = 0 } }, Ct));
        var before = await SnapshotAsync(client, id);

        var full = Enumerable.Range(1, 10_000).Select(i => new { v = i }).ToList();
        await ApiAssert.ErrorAsync(await TimedAsync(() => client.PatchAsJsonAsync($"{Base}/{id}", new { data = full }, Ct)), 400, "BAD_REQUEST", "VALIDATION_ERROR",
            "A table can hold at most 10000 records; it has 1 and 10000 more were sent");
        full.Add(new { v = 10_001 });
        await ApiAssert.ErrorAsync(await TimedAsync(() => client.PatchAsJsonAsync($"{Base}/{id}", new { data = full }, Ct)), 400, "BAD_REQUEST", "VALIDATION_ERROR",
            "At most 10000 records can be added in one request; this one has 10001");
        await ApiAssert.ErrorAsync(await client.PatchAsJsonAsync($"{Base}/{id}", new { data = new object[] { new { v = 1 }, 5 } }, Ct), 400, "BAD_REQUEST", "VALIDATION_ERROR",
            "Each record in 'data' must be an object");
        Assert.Equal(before, await SnapshotAsync(client, id));
    }

    [Fact]
    public async Task NulCharacters_AreStoredAndSearched_OrRefused_NeverA500()
    {
        var (client, id) = await TableAsync("v");
        var added = await ApiAssert.OkAsync(await client.PatchAsJsonAsync($"{Base}/{id}", new { data = new { v = "a\u0000b" } }, Ct));
        Assert.Equal("a\u0000b", added.GetProperty("add_record_result")[0].Str("v"));
        Assert.Single((await ApiAssert.OkAsync(await client.PostAsJsonAsync($"{Base}/{id}/search", new { v = "^a\u0000b$" }, Ct))).EnumerateArray());
        Assert.Single((await ApiAssert.OkAsync(await client.PostAsJsonAsync($"/api/patchbay/v1/tables/{id}/query",
            new { filters = new[] { new { column = "v", op = "eq", value = "a\u0000b" } } }, Ct))).GetProperty("records").EnumerateArray());
        await ApiAssert.ErrorAsync(await client.PutAsJsonAsync($"{Base}/group/edit", new { tableIds = new[] { id }, group = "g\u0000" }, Ct), 400, "BAD_REQUEST", "VALIDATION_ERROR");
        await ApiAssert.ErrorAsync(await client.PostAsJsonAsync(Base, new { table_name = "t\u0000", columns = new[] { new { column_name = "a" } } }, Ct), 400, "BAD_REQUEST", "VALIDATION_ERROR");
        await ApiAssert.ErrorAsync(await client.PostAsJsonAsync("/api/v2/public/dataref", new { refName = "r\u0000" }, Ct), 400, "BAD_REQUEST", "VALIDATION_ERROR");
        var datastore = await client.GetAsync("/api/v2/public/datastore/config/custom?config_id=%00", Ct);
        Assert.Equal(404, (int)datastore.StatusCode);
    }

    [Fact]
    public async Task ColumnNames_WithQuotesOrSql_AreRefused_UnicodeIsKept()
    {
        var (client, id) = await TableAsync("v");
        var before = await SnapshotAsync(client, id);
        foreach (var name in (string[])["a\"b", "x'; drop table data_tables;--", "$where", "a.b", "tab\tname", " lead", new string('c', 65), "", "record_id"])
        {
            var create = await TimedAsync(() => client.PostAsJsonAsync(Base, new { table_name = "bad", columns = new[] { new { column_name = name } } }, Ct));
            await ApiAssert.ErrorAsync(create, 400, "BAD_REQUEST", "VALIDATION_ERROR");
            var add = await TimedAsync(() => client.PatchAsJsonAsync($"{Base}/{id}/columns/add", new { columns = new[] { name } }, Ct));
            await ApiAssert.ErrorAsync(add, 400, "BAD_REQUEST", "VALIDATION_ERROR");
            var rename = await client.PatchAsJsonAsync($"{Base}/{id}/columns/rename", new { renames = new[] { new { old_name = "v", new_name = name } } }, Ct);
            await ApiAssert.ErrorAsync(rename, 400, "BAD_REQUEST", "VALIDATION_ERROR");
        }
        Assert.Equal(before, await SnapshotAsync(client, id));
        Assert.Empty((await ApiAssert.OkAsync(await client.GetAsync($"{Base}?name=bad", Ct))).GetProperty("docs").EnumerateArray());

        var added = await ApiAssert.OkAsync(await client.PatchAsJsonAsync($"{Base}/{id}/columns/add", new { columns = new[] { "prénom", "名前" } }, Ct));
        Assert.Equal(["v", "prénom", "名前"], added.GetProperty("columns").EnumerateArray().Select(c => c.GetString()));
        await ApiAssert.OkAsync(await client.PatchAsJsonAsync($"{Base}/{id}", new { data = new Dictionary<string, string> { ["prénom"] = "Zoë", ["名前"] = "太郎" } }, Ct));
        var found = await ApiAssert.OkAsync(await client.PostAsJsonAsync($"{Base}/{id}/search", new Dictionary<string, string> { ["prénom"] = "^zoË$" }, Ct));
        Assert.Equal("太郎", Assert.Single(found.EnumerateArray()).Str("名前"));
    }
}

public sealed class SqliteTablesHostileTests(SqliteApp app) : TablesHostileTests(app), IClassFixture<SqliteApp>;
public sealed class PostgresTablesHostileTests(PostgresApp app) : TablesHostileTests(app), IClassFixture<PostgresApp>;

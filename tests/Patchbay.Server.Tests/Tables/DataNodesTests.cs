using System.Text.Json;
using Patchbay.Tests.Contract;
using Patchbay.Tests.Infrastructure;
using Xunit;
using static Patchbay.Tests.Configs.ConfigApi;
using static Patchbay.Tests.Workflows.WorkflowApi;

namespace Patchbay.Tests.Tables;

// A workflow fills a table, a dataref and a datastore through nodes; the API reads back exactly what was written,
// and a second run upserts without duplicates.
public abstract class DataNodesTests(PatchbayApp app)
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    static readonly System.Text.Json.Nodes.JsonObject SyncFlow = Graph(
        [
            Node("start", "start"),
            Node("save", "table", new { operation = "upsert", table = "leads", columns = new[] { "email", "stage" }, key = "email", records = "{{payload.leads}}" }),
            Node("log", "dataref", new { operation = "append", name = "sync-log", record_id = "{{payload.batch}}", rows = "{{payload.leads}}" }),
            Node("keep", "datastore", new { operation = "set", name = "last_batch", records = "{{payload.leads}}" }),
            Node("find", "table", new { operation = "search", table = "leads", filter = new { stage = "^won$" } }),
            Node("out", "response", new { body = new { won = "{{nodes.find.output.count}}", inserted = "{{nodes.save.output.inserted}}", updated = "{{nodes.save.output.updated}}" } }),
        ],
        [Edge("start", "save"), Edge("save", "log"), Edge("log", "keep"), Edge("keep", "find"), Edge("find", "out")]);

    async Task<JsonElement> RunAsync(HttpClient client, string version, object payload)
    {
        var id = await StartAsync(client, version, payload);
        await DrainAsync(app);
        var execution = await ExecutionAsync(client, id);
        Assert.True(execution.Str("status") == "COMPLETED", execution.GetRawText());
        return execution.TryGetProperty("return_value", out var value) ? value : default;
    }

    [Fact]
    public async Task Workflow_FillsTableDatarefDatastore_AndUpsertsWithoutDuplicates()
    {
        var (key, account) = await OrgAsync(app);
        var client = app.ClientFor(key, account);
        await ConfigAsync(client, new { slug = "custom" });
        var (_, version) = await PublishAsync(client, SyncFlow.DeepClone().AsObject(), "Sync leads");

        var first = await RunAsync(client, version, new
        {
            batch = "b1",
            leads = new object[] { new { email = "ann@x.io", stage = "new" }, new { email = "bob@x.io", stage = "won" } },
        });
        Assert.Equal("""{"won":1,"inserted":2,"updated":0}""", first.GetRawText());

        var second = await RunAsync(client, version, new
        {
            batch = "b2",
            leads = new object[] { new { email = "ann@x.io", stage = "won" }, new { email = "cy@x.io", stage = "new" } },
        });
        Assert.Equal("""{"won":2,"inserted":1,"updated":1}""", second.GetRawText());

        // The table: three leads, Ann updated in place (first position kept), no duplicate.
        var tables = await ApiAssert.OkAsync(await client.GetAsync("/api/v2/public/tables?name=^leads$", Ct));
        var tableId = Assert.Single(tables.GetProperty("docs").EnumerateArray()).Str("_id");
        var records = await ApiAssert.OkAsync(await client.GetAsync($"/api/v2/public/tables/{tableId}", Ct));
        RefoldOpenApi.AssertResponse("GET", "/api/v2/public/tables/{table_id}", 200, records);
        Assert.Equal(["ann@x.io:won", "bob@x.io:won", "cy@x.io:new"],
            records.GetProperty("docs").EnumerateArray().Select(d => d.Str("email") + ":" + d.Str("stage")));

        // The dataref: one record per batch, its rows as written.
        var dataref = await ApiAssert.OkAsync(await client.GetAsync("/api/v2/public/dataref/sync-log", Ct));
        RefoldOpenApi.AssertResponse("GET", "/api/v2/public/dataref/{refName}", 200, dataref);
        Assert.Equal(["record_id", "email", "stage"], dataref.GetProperty("headers").EnumerateArray().Select(h => h.GetString()));
        Assert.Equal(2, dataref.GetProperty("totalDocs").GetInt32());
        Assert.Equal(["b1:ann@x.io:new", "b1:bob@x.io:won", "b2:ann@x.io:won", "b2:cy@x.io:new"],
            dataref.GetProperty("rows").EnumerateArray().Select(r => r.Str("record_id") + ":" + r.Str("email") + ":" + r.Str("stage")));

        // The datastore of the running config: the last batch, set (not appended).
        var names = await ApiAssert.OkAsync(await client.GetAsync("/api/v2/public/datastore/config/custom", Ct));
        RefoldOpenApi.AssertResponse("GET", "/api/v2/public/datastore/config/{slug}", 200, names);
        Assert.Equal(["last_batch"], names.EnumerateArray().Select(n => n.GetString()));
        var stored = await ApiAssert.OkAsync(await client.GetAsync("/api/v2/public/datastore/config/custom/last_batch/records", Ct));
        RefoldOpenApi.AssertResponse("GET", "/api/v2/public/datastore/config/{slug}/{datastore_name}/records", 200, stored);
        Assert.Equal("""[{"email":"ann@x.io","stage":"won"},{"email":"cy@x.io","stage":"new"}]""", stored.GetRawText());
        var found = await ApiAssert.OkAsync(await client.PostAsync("/api/v2/public/datastore/config/custom/last_batch/search", Body(new { email = "^CY" }), Ct));
        RefoldOpenApi.AssertResponse("POST", "/api/v2/public/datastore/config/{slug}/{datastore_name}/search", 200, found);
        Assert.Equal("""[{"email":"cy@x.io","stage":"new"}]""", found.GetRawText());
    }

    [Fact]
    public async Task Datarefs_ListClearGroupDelete_AndDatastoreErrors()
    {
        var (key, account) = await OrgAsync(app);
        var client = app.ClientFor(key, account);
        await ConfigAsync(client, new { slug = "custom" });
        var created = await ApiAssert.OkAsync(await client.PostAsync("/api/v2/public/dataref", Body(new { refName = "contacts" }), Ct));
        RefoldOpenApi.AssertResponse("POST", "/api/v2/public/dataref", 200, created);
        Assert.Equal("contacts", created.Str("name"));
        Assert.Equal(account, created.Str("linked_account_id"));
        Assert.Equal("{}", created.GetProperty("data").GetRawText());
        await ApiAssert.ErrorAsync(await client.PostAsync("/api/v2/public/dataref", Body(new { }), Ct), 400, "BAD_REQUEST", "SERVER_ERROR", "refName is required");

        var (_, version) = await PublishAsync(client, Graph(
            [Node("start", "start"), Node("log", "dataref", new { operation = "put", name = "contacts", record_id = "c1", row = new { email = "a@x.io" } })],
            [Edge("start", "log")]), "Log");
        await RunAsync(client, version, new { });
        var table = await ApiAssert.OkAsync(await client.GetAsync("/api/v2/public/dataref/contacts", Ct));
        Assert.Equal("""[{"record_id":"c1","email":"a@x.io"}]""", table.GetProperty("rows").GetRawText());

        var list = await ApiAssert.OkAsync(await app.ClientFor(key).GetAsync($"/api/v2/public/dataref?linked_account_id={account}", Ct));
        RefoldOpenApi.AssertResponse("GET", "/api/v2/public/dataref", 200, list);
        var doc = Assert.Single(list.GetProperty("docs").EnumerateArray());
        Assert.False(doc.TryGetProperty("data", out _));
        // Another account's dataref of the same name: two in the org list, one with unique=true.
        var second = await app.CreateLinkedAccountAsync(apiKey: key);
        await ApiAssert.OkAsync(await app.ClientFor(key, second).PostAsync("/api/v2/public/dataref", Body(new { refName = "contacts" }), Ct));
        Assert.Equal(2, (await ApiAssert.OkAsync(await app.ClientFor(key).GetAsync("/api/v2/public/dataref", Ct))).GetProperty("totalDocs").GetInt32());
        var unique = await ApiAssert.OkAsync(await app.ClientFor(key).GetAsync("/api/v2/public/dataref?unique=true", Ct));
        Assert.Equal(account, Assert.Single(unique.GetProperty("docs").EnumerateArray()).Str("linked_account_id"));

        Assert.Equal(System.Net.HttpStatusCode.NoContent,
            (await client.PutAsync("/api/v2/public/datarefs/group", Body(new { refNames = new[] { "contacts" }, group = "crm-data" }), Ct)).StatusCode);
        Assert.Equal("crm-data", (await ApiAssert.OkAsync(await app.ClientFor(key).GetAsync($"/api/v2/public/dataref?linked_account_id={account}", Ct))).GetProperty("docs")[0].Str("group"));
        await ApiAssert.ErrorAsync(await client.PutAsync("/api/v2/public/datarefs/group", Body(new { group = "x" }), Ct), 400, "BAD_REQUEST", "SERVER_ERROR", "refNames is required");

        var cleared = await ApiAssert.OkAsync(await client.PutAsync("/api/v2/public/dataref/contacts/clear-records", null, Ct));
        RefoldOpenApi.AssertResponse("PUT", "/api/v2/public/dataref/{refName}/clear-records", 200, cleared);
        Assert.Equal("{}", cleared.GetProperty("data").GetRawText());
        Assert.Equal("""["record_id"]""", (await ApiAssert.OkAsync(await client.GetAsync("/api/v2/public/dataref/contacts", Ct))).GetProperty("headers").GetRawText());
        await ApiAssert.ErrorAsync(await client.PutAsync("/api/v2/public/dataref/nope/clear-records", null, Ct), 404, "NOT_FOUND", "SERVER_ERROR", "Dataref not found");

        var deleted = await ApiAssert.OkAsync(await client.DeleteAsync("/api/v2/public/dataref/contacts", Ct));
        RefoldOpenApi.AssertResponse("DELETE", "/api/v2/public/dataref/{refName}", 200, deleted);
        Assert.Equal("""{"acknowledged":true,"deletedCount":1}""", deleted.GetRawText());
        Assert.Equal(0, (await ApiAssert.OkAsync(await client.DeleteAsync("/api/v2/public/dataref/contacts", Ct))).GetProperty("deletedCount").GetInt32());

        var missing = await client.GetAsync("/api/v2/public/datastore/config/custom?config_id=nope", Ct);
        Assert.Equal(404, (int)missing.StatusCode);
        Assert.Equal("""{"message":"Server Error","error":"Config not found"}""", await missing.Content.ReadAsStringAsync(Ct));
        Assert.Equal("[]", (await ApiAssert.OkAsync(await client.GetAsync("/api/v2/public/datastore/config/custom/none/records", Ct))).GetRawText());
    }

    [Fact]
    public async Task Tenancy_DatarefsAndDatastores_AreTheAccountsOwn()
    {
        var (_, key, productionKey) = await app.CreateOrgAsync("Data Org");
        var account = await app.CreateLinkedAccountAsync(apiKey: key);
        var client = app.ClientFor(key, account);
        await ConfigAsync(client, new { slug = "custom" });
        var (_, version) = await PublishAsync(client, SyncFlow.DeepClone().AsObject(), "Sync leads");
        await RunAsync(client, version, new { batch = "b1", leads = new object[] { new { email = "secret@x.io", stage = "won" } } });

        var (_, otherKey, _) = await app.CreateOrgAsync();
        var other = await app.CreateLinkedAccountAsync(apiKey: key);
        foreach (var outsider in new[] { app.ClientFor(otherKey, account), app.ClientFor(key, other), app.ClientFor(productionKey, account) })
        {
            var text = await (await outsider.GetAsync("/api/v2/public/dataref/sync-log", Ct)).Content.ReadAsStringAsync(Ct);
            Assert.DoesNotContain("secret@x.io", text);
            foreach (var path in new[] { "/api/v2/public/datastore/config/custom", "/api/v2/public/datastore/config/custom/last_batch/records" })
            {
                var response = await outsider.GetAsync(path, Ct);
                var body = await response.Content.ReadAsStringAsync(Ct);
                Assert.DoesNotContain("secret@x.io", body);
                Assert.DoesNotContain("last_batch", body);
            }
            var list = await outsider.GetAsync("/api/v2/public/dataref", Ct);
            Assert.DoesNotContain("sync-log", await list.Content.ReadAsStringAsync(Ct));
        }
        // Another account's session token is refused outright (datarefs and datastores take the API key).
        var session = app.SessionClient(await app.CreateSessionTokenAsync(other, apiKey: key));
        Assert.Equal(403, (int)(await session.GetAsync("/api/v2/public/dataref/sync-log", Ct)).StatusCode);
        Assert.Equal(403, (int)(await session.GetAsync("/api/v2/public/datastore/config/custom/last_batch/records", Ct)).StatusCode);
    }
}

public sealed class SqliteDataNodesTests(SqliteApp app) : DataNodesTests(app), IClassFixture<SqliteApp>;
public sealed class PostgresDataNodesTests(PostgresApp app) : DataNodesTests(app), IClassFixture<PostgresApp>;

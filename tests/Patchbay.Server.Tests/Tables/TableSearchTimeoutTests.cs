using System.Diagnostics;
using System.Net.Http.Json;
using Patchbay.Tests.Infrastructure;
using Xunit;

namespace Patchbay.Tests.Tables;

// A 50 ms search deadline, large records and bodies: a search that must read every record is stopped at its
// deadline and answered with a 400 that says so, not left running.
public sealed class TableSearchTimeoutOptions : IAppOptions
{
    public void Configure(AppSetup setup)
    {
        ArgumentNullException.ThrowIfNull(setup);
        setup.Settings["Patchbay:Tables:SearchTimeout"] = "00:00:00.050";
        setup.Settings["Patchbay:Tables:MaxRecordBytes"] = "131072";
        setup.Settings["Patchbay:Http:MaxRequestBodySize"] = "100000000";
    }
}

public abstract class TableSearchTimeoutTests(PatchbayApp app)
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;
    const string Base = "/api/v2/public/tables";

    [Fact]
    public async Task ASearchPastItsDeadline_Is400_QuicklyAndClearly()
    {
        var client = app.ClientFor(linkedAccountId: await app.CreateLinkedAccountAsync());
        var id = (await ApiAssert.OkAsync(await client.PostAsJsonAsync(Base, new { table_name = "big", columns = new[] { new { column_name = "v" } } }, Ct))).Str("table_id");
        var value = string.Concat(Enumerable.Repeat("abcdefghij", 6_000)); // 60 KB
        await ApiAssert.OkAsync(await client.PatchAsJsonAsync($"{Base}/{id}", new { data = Enumerable.Range(0, 1500).Select(_ => new { v = value }) }, Ct));

        var clock = Stopwatch.StartNew();
        var response = await client.PostAsJsonAsync($"{Base}/{id}/search", new { v = "[0-9]zz" }, Ct);
        await ApiAssert.ErrorAsync(response, 400, "BAD_REQUEST", "VALIDATION_ERROR",
            "The search did not finish within 50 ms; use a narrower pattern (e.g. anchored with ^) or fewer records");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"took {clock.ElapsedMilliseconds} ms");

        // An index-driven search on the same table still answers.
        var found = await ApiAssert.OkAsync(await client.PostAsJsonAsync($"{Base}/{id}/search", new { v = "^zzz" }, Ct));
        Assert.Empty(found.EnumerateArray());
    }
}

public sealed class SqliteTableSearchTimeoutTests(SqliteApp<TableSearchTimeoutOptions> app)
    : TableSearchTimeoutTests(app), IClassFixture<SqliteApp<TableSearchTimeoutOptions>>;
public sealed class PostgresTableSearchTimeoutTests(PostgresApp<TableSearchTimeoutOptions> app)
    : TableSearchTimeoutTests(app), IClassFixture<PostgresApp<TableSearchTimeoutOptions>>;

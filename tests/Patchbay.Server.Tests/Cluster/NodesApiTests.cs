using System.Net.Http.Json;
using Patchbay.Tests.Infrastructure;
using Xunit;

namespace Patchbay.Tests.Cluster;

// GET /admin/v1/nodes: every node of the deployment with its heartbeat, behind the admin token. On SQLite the one
// server is the whole cluster; on PostgreSQL a second server over the same database shows up beside it.
public abstract class NodesApiTests(PatchbayApp app)
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Nodes_ListsThisServerAsLive_WithVersionStartAndHeartbeat()
    {
        var json = await ApiAssert.OkAsync(await app.AdminClient().GetAsync("/admin/v1/nodes", Ct));
        var self = Assert.Single(json.GetProperty("nodes").EnumerateArray(), n => n.GetProperty("self").GetBoolean());
        Assert.Equal("live", self.Str("status"));
        Assert.Matches("^[^/]+/[0-9]+/[0-9a-f]{12}$", self.Str("id"));
        Assert.False(string.IsNullOrEmpty(self.Str("version")));
        Assert.True(self.GetProperty("last_seen_at").GetDateTimeOffset() >= self.GetProperty("started_at").GetDateTimeOffset());
        Assert.Equal(0, self.GetProperty("work_in_flight").GetInt32());
        Assert.True(json.GetProperty("live").GetInt32() >= 1);
    }

    [Fact]
    public async Task Nodes_WithoutTheAdminToken_IsRefused()
    {
        await ApiAssert.ErrorAsync(await app.ClientFor().GetAsync("/admin/v1/nodes", Ct), 401, "UNAUTHORIZED", "INVALID_ADMIN_TOKEN", "Invalid admin token");
        using var anonymous = app.CreateClient();
        await ApiAssert.ErrorAsync(await anonymous.GetAsync("/admin/v1/nodes", Ct), 401, "UNAUTHORIZED", "INVALID_ADMIN_TOKEN", "Invalid admin token");
    }

    [Fact]
    public async Task Readyz_WhileTheServerRuns_IsReady()
    {
        using var anonymous = app.CreateClient();
        var ready = await ApiAssert.OkAsync(await anonymous.GetAsync("/readyz", Ct));
        Assert.Equal("ready", ready.Str("status"));
    }
}

public sealed class SqliteNodesApiTests(SqliteApp app) : NodesApiTests(app), IClassFixture<SqliteApp>;
public sealed class PostgresNodesApiTests(PostgresApp app) : NodesApiTests(app), IClassFixture<PostgresApp>;

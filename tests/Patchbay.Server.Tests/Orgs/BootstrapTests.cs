using Patchbay.Tests.Infrastructure;
using Xunit;

namespace Patchbay.Tests.Orgs;

// First start on an empty database. Each test starts its own servers.
public abstract class BootstrapTests
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    protected abstract PatchbayApp NewApp();

    [Fact]
    public async Task FirstStart_WithoutBootstrapKeys_CreatesDefaultOrgWithGeneratedHashedKeys()
    {
        await using var app = NewApp();
        app.Settings["Patchbay:Bootstrap:TestApiKey"] = "";
        app.Settings["Patchbay:Bootstrap:ProductionApiKey"] = "";
        await app.InitializeAsync();

        var orgId = await app.Db.ExecuteScalarAsync<string>("select value from server_state where name = 'default_org'", null, Ct);
        Assert.Equal(1, await app.Db.ExecuteScalarAsync<long>("select count(*) from orgs", null, Ct));
        var sources = await app.Db.QueryAsync<string>("select environment || ':' || source from api_keys where org_id = @orgId and revoked_at is null order by environment",
            new { orgId }, Ct);
        Assert.Equal(["production:generated", "test:generated"], sources);
        Assert.Equal(1, await app.Db.ExecuteScalarAsync<long>("select count(*) from custom_apps where org_id = @orgId and is_default = @yes", new { orgId, yes = true }, Ct));
    }

    [Theory]
    [InlineData("Patchbay:Workflows:CodeTimeout", "00:00:00", "Patchbay:Workflows:CodeTimeout must be between 00:00:00.010 and 00:10:00")]
    [InlineData("Patchbay:Workflows:Concurrency", "0", "Patchbay:Workflows:Concurrency must be between 1 and 100000")]
    [InlineData("Patchbay:RateLimits:Burst", "0", "Patchbay:RateLimits:Burst must be between 1 and 1000000000")]
    [InlineData("Patchbay:OAuth:RefreshLease", "00:00:00", "Patchbay:OAuth:RefreshLease must be between 00:00:01 and 01:00:00")]
    [InlineData("Patchbay:Http:MaxRequestBodySize", "10", "Patchbay:Http:MaxRequestBodySize must be between 1024 and 1073741824")]
    [InlineData("Patchbay:Bootstrap:TestApiKey", "tk-short", "Patchbay:Bootstrap:TestApiKey must be at least 20 characters")]
    [InlineData("Patchbay:Bootstrap:ProductionApiKey", " pk-short ", "Patchbay:Bootstrap:ProductionApiKey must be at least 20 characters")]
    [InlineData("Logging:Console:FormatterName", "xml", "Logging:Console:FormatterName must be simple, json or systemd")]
    public async Task BadSetting_StopsTheStart_WithAMessageNamingIt(string setting, string value, string message)
    {
        await using var app = NewApp();
        app.Settings[setting] = value;
        var error = await Assert.ThrowsAnyAsync<Exception>(async () => await app.InitializeAsync());
        Assert.True(error.ToString().Contains(message, StringComparison.Ordinal), error.ToString());
    }

    [Fact]
    public async Task TwoNodesStartingTogether_CreateOneDefaultOrg()
    {
        await using var first = NewApp();
        await first.InitializeAsync();
        // A second database, started by two nodes at the same moment.
        await using var a = NewApp();
        await a.InitializeAsync();
        await using var b = a.CreateNode();
        await using var c = a.CreateNode();
        await Task.WhenAll(b.InitializeAsync().AsTask(), c.InitializeAsync().AsTask());
        Assert.Equal(1, await a.Db.ExecuteScalarAsync<long>("select count(*) from orgs", null, Ct));
        await ApiAssert.OkAsync(await b.ClientFor().GetAsync("/api/v2/public/linked-account", Ct));
        await ApiAssert.OkAsync(await c.ClientFor().GetAsync("/api/v2/public/linked-account", Ct));
    }

    [Fact]
    public async Task RegeneratedBootstrapKey_StaysRevokedAfterRestart()
    {
        await using var app = NewApp();
        await app.InitializeAsync();
        var orgId = await app.Db.ExecuteScalarAsync<string>("select value from server_state where name = 'default_org'", null, Ct);
        var json = await ApiAssert.OkAsync(await app.AdminClient().PostAsync($"/admin/v1/orgs/{orgId}/api-keys/test/regenerate", null, Ct));

        await using var restarted = app.CreateNode(); // same configuration, bootstrap keys included
        await restarted.InitializeAsync();
        await ApiAssert.ErrorAsync(await restarted.ClientFor(app.TestApiKey).GetAsync("/api/v2/public/linked-account", Ct), 401, "UNAUTHORIZED", "SERVER_ERROR");
        await ApiAssert.OkAsync(await restarted.ClientFor(json.Str("api_key")).GetAsync("/api/v2/public/linked-account", Ct));
    }

    [Fact]
    public async Task ChangedBootstrapKey_ReplacesTheActiveKeyOnRestart()
    {
        await using var app = NewApp();
        await app.InitializeAsync();
        var replacement = "tk" + Guid.NewGuid();
        await using var restarted = app.CreateNode(new Dictionary<string, string?> { ["Patchbay:Bootstrap:TestApiKey"] = replacement });
        await restarted.InitializeAsync();
        await ApiAssert.OkAsync(await restarted.ClientFor(replacement).GetAsync("/api/v2/public/linked-account", Ct));
        await ApiAssert.ErrorAsync(await restarted.ClientFor(app.TestApiKey).GetAsync("/api/v2/public/linked-account", Ct), 401, "UNAUTHORIZED", "SERVER_ERROR");
    }
}

public sealed class SqliteBootstrapTests : BootstrapTests
{
    protected override PatchbayApp NewApp() => new SqliteApp();
}

public sealed class PostgresBootstrapTests(PostgresServer server) : BootstrapTests
{
    protected override PatchbayApp NewApp() => new PostgresApp(server);
}

using System.Net;
using Patchbay.Tests.Infrastructure;
using Xunit;

namespace Patchbay.Tests.Orgs;

// `Patchbay.Server keys regenerate`, run as the built server's command against the database of a running server:
// the recovery for lost first-start keys on a machine without the admin API.
public abstract class KeysCommandTests
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    protected abstract PatchbayApp NewApp();

    static Dictionary<string, string> SettingsOf(PatchbayApp app) => new()
    {
        ["Patchbay__DataDirectory"] = app.DataDirectory,
        ["Patchbay__Database__Provider"] = app.Provider.ToString(),
        ["Patchbay__Database__ConnectionString"] = app.ConnectionString,
        ["Patchbay__Vault__MasterKey"] = app.MasterKey,
    };

    static async Task<string> RegenerateAsync(PatchbayApp app, params string[] args)
    {
        var result = await ServerProcess.RunAsync(["keys", "regenerate", .. args], SettingsOf(app));
        Assert.True(result.ExitCode == 0, $"exit code {result.ExitCode}:\n{result.Output}");
        var line = Assert.Single(result.Stdout.Split('\n'), l => l.Contains("x-api-key: ", StringComparison.Ordinal));
        return line[(line.IndexOf("x-api-key: ", StringComparison.Ordinal) + "x-api-key: ".Length)..].Trim();
    }

    static async Task<HttpStatusCode> StatusWithAsync(PatchbayApp app, string key) =>
        (await app.ClientFor(key).GetAsync("/api/v2/public/linked-account", Ct)).StatusCode;

    // The running server forgets the revoked key through AuthSync: at once by NOTIFY on PostgreSQL, at its next
    // re-read of revocations on SQLite (the test's clock is moved past the interval).
    static async Task AssertRefusedAsync(PatchbayApp app, string key)
    {
        var deadline = DateTime.UtcNow.AddSeconds(90); // bounds a failing test; a busy machine may notify late
        while (await StatusWithAsync(app, key) != HttpStatusCode.Unauthorized)
        {
            Assert.True(DateTime.UtcNow < deadline, "the running server still accepts the revoked key");
            app.Time.Advance(TimeSpan.FromSeconds(31));
            await Task.Delay(100, Ct);
        }
    }

    [Fact]
    public async Task RegenerateDefaultTestKey_PrintsAWorkingKey_AndEveryServerRefusesTheOldOne()
    {
        await using var app = NewApp();
        await app.InitializeAsync();
        Assert.Equal(HttpStatusCode.OK, await StatusWithAsync(app, app.TestApiKey)); // known to the running server

        var key = await RegenerateAsync(app, "--org", "default", "--environment", "test");

        Assert.StartsWith("tk", key, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, await StatusWithAsync(app, key));
        await AssertRefusedAsync(app, app.TestApiKey);
        Assert.Equal(HttpStatusCode.OK, await StatusWithAsync(app, app.ProductionApiKey)); // the other environment is untouched
        var stored = await app.Db.QueryAsync<string>("select key_hash from api_keys where revoked_at is null", null, Ct);
        Assert.DoesNotContain(key, stored); // stored as a hash only

        await using var restarted = app.CreateNode(); // the configured bootstrap key stays revoked after a restart
        await restarted.InitializeAsync();
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusWithAsync(restarted, app.TestApiKey));
        Assert.Equal(HttpStatusCode.OK, await StatusWithAsync(restarted, key));
    }

    [Fact]
    public async Task RegenerateProductionKeyOfAnOrgById_ReplacesThatKeyOnly()
    {
        await using var app = NewApp();
        await app.InitializeAsync();
        var (orgId, testKey, productionKey) = await app.CreateOrgAsync();
        Assert.Equal(HttpStatusCode.OK, await StatusWithAsync(app, productionKey));

        var key = await RegenerateAsync(app, "--org", orgId, "--environment=production");

        Assert.StartsWith("pk", key, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, await StatusWithAsync(app, key));
        await AssertRefusedAsync(app, productionKey);
        Assert.Equal(HttpStatusCode.OK, await StatusWithAsync(app, testKey));
        Assert.Equal(HttpStatusCode.OK, await StatusWithAsync(app, app.ProductionApiKey)); // the default org's key
    }

    [Fact]
    public async Task RegenerateForAnUnknownOrg_FailsWithOneLine_AndChangesNothing()
    {
        await using var app = NewApp();
        await app.InitializeAsync();
        var result = await ServerProcess.RunAsync(["keys", "regenerate", "--org", "000000000000000000000000", "--environment", "test"], SettingsOf(app));
        Assert.Equal(1, result.ExitCode);
        Assert.Equal("keys: Organization 000000000000000000000000 not found.", result.Stderr.Trim());
        Assert.Equal(HttpStatusCode.OK, await StatusWithAsync(app, app.TestApiKey));
    }

    [Fact]
    public async Task RegenerateWithoutEnvironment_PrintsUsage()
    {
        var result = await ServerProcess.RunAsync(["keys", "regenerate", "--org", "default"], new Dictionary<string, string>());
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("usage: Patchbay.Server keys regenerate", result.Stderr, StringComparison.Ordinal);
    }
}

public sealed class SqliteKeysCommandTests : KeysCommandTests
{
    protected override PatchbayApp NewApp() => new SqliteApp();

    [Fact]
    public async Task RegenerateWithoutADatabase_FailsAndCreatesNothing()
    {
        var data = Path.Combine(Path.GetTempPath(), "patchbay-keys", Guid.NewGuid().ToString("N"));
        var result = await ServerProcess.RunAsync(["keys", "regenerate", "--environment", "test"],
            new Dictionary<string, string> { ["Patchbay__DataDirectory"] = data, ["Patchbay__Database__Provider"] = "Sqlite" });
        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("keys: No Patchbay database", result.Stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(data));
    }
}

public sealed class PostgresKeysCommandTests(PostgresServer server) : KeysCommandTests
{
    protected override PatchbayApp NewApp() => new PostgresApp(server);
}

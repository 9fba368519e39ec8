using System.Net.Http.Json;
using Patchbay.Tests.Infrastructure;
using Xunit;

namespace Patchbay.Tests.Orgs;

public abstract class AdminTests(PatchbayApp app)
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task CreateOrg_Returns201WithWorkingKeysShownOnce()
    {
        var response = await app.AdminClient().PostAsJsonAsync("/admin/v1/orgs", new { name = "Acme Corp" }, Ct);
        var json = await ApiAssert.JsonAsync(response, 201);
        var org = json.GetProperty("org");
        Assert.Equal("Acme Corp", org.Str("name"));
        Assert.Equal("acme-corp", org.GetProperty("default_app").Str("slug"));
        var test = json.GetProperty("api_keys").Str("test");
        var production = json.GetProperty("api_keys").Str("production");
        Assert.Matches("^tk[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$", test);
        Assert.Matches("^pk[0-9a-f]{8}-", production);

        var prodAccount = await ApiAssert.OkAsync(await app.ClientFor(production).PostAsJsonAsync("/api/v2/public/linked-account", new { linked_account_id = "p1" }, Ct));
        Assert.Equal("production", prodAccount.Str("environment"));
        Assert.Equal(org.Str("id"), prodAccount.Str("associated_org"));

        // Reads show hints only.
        var read = await ApiAssert.OkAsync(await app.AdminClient().GetAsync($"/admin/v1/orgs/{org.Str("id")}", Ct));
        Assert.DoesNotContain(test, read.GetRawText(), StringComparison.Ordinal);
        Assert.Equal(2, read.GetProperty("api_keys").GetArrayLength());
        Assert.Equal("tk…" + test[^4..], read.GetProperty("api_keys").EnumerateArray().Single(k => k.Str("environment") == "test").Str("hint"));
    }

    [Fact]
    public async Task ListOrgs_Paginates_AndIncludesNewOrg()
    {
        var (orgId, _, _) = await app.CreateOrgAsync("Listed Org");
        var json = await ApiAssert.OkAsync(await app.AdminClient().GetAsync("/admin/v1/orgs?limit=1000", Ct));
        Assert.Contains(json.GetProperty("docs").EnumerateArray(), o => o.Str("id") == orgId);
        Assert.True(json.GetProperty("totalDocs").GetInt32() >= 2);
    }

    [Fact]
    public async Task WrongAdminToken_Returns401()
    {
        var client = app.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", "not-the-token");
        await ApiAssert.ErrorAsync(await client.GetAsync("/admin/v1/orgs", Ct), 401, "UNAUTHORIZED", "INVALID_ADMIN_TOKEN", "Invalid admin token");
        await ApiAssert.ErrorAsync(await app.CreateClient().GetAsync("/admin/v1/orgs", Ct), 401, "UNAUTHORIZED", "INVALID_ADMIN_TOKEN", "Invalid admin token");
        // An org API key is not an admin token either.
        await ApiAssert.ErrorAsync(await app.ClientFor().GetAsync("/admin/v1/orgs", Ct), 401, "UNAUTHORIZED", "INVALID_ADMIN_TOKEN", "Invalid admin token");
    }

    [Fact]
    public async Task AdminApi_NoTokenConfigured_IsDisabled()
    {
        await using var node = app.CreateNode(new Dictionary<string, string?> { ["Patchbay:Admin:Token"] = "" });
        await node.InitializeAsync();
        await ApiAssert.ErrorAsync(await node.AdminClient().GetAsync("/admin/v1/orgs", Ct), 403, "FORBIDDEN", "ADMIN_API_DISABLED",
            "The admin API is disabled: set Patchbay:Admin:Token to enable it");
    }

    [Fact]
    public async Task CreateOrg_InvalidBody_Returns400()
    {
        await ApiAssert.ErrorAsync(await app.AdminClient().PostAsJsonAsync("/admin/v1/orgs", new { }, Ct), 400, "BAD_REQUEST", "VALIDATION_ERROR", "'name' is required");
        await ApiAssert.ErrorAsync(await app.AdminClient().PostAsJsonAsync("/admin/v1/orgs", new { name = 5 }, Ct), 400, "BAD_REQUEST", "VALIDATION_ERROR", "'name' must be a string");
    }

    [Fact]
    public async Task Regenerate_UnknownOrgOrEnvironment_IsRefused()
    {
        var (orgId, _, _) = await app.CreateOrgAsync();
        await ApiAssert.ErrorAsync(await app.AdminClient().PostAsync($"/admin/v1/orgs/{orgId}/api-keys/staging/regenerate", null, Ct),
            400, "BAD_REQUEST", "VALIDATION_ERROR", "Unknown environment 'staging': use 'test' or 'production'");
        await ApiAssert.ErrorAsync(await app.AdminClient().PostAsync("/admin/v1/orgs/000000000000000000000000/api-keys/test/regenerate", null, Ct),
            404, "NOT_FOUND", "RESOURCE_NOT_FOUND", "Organization 000000000000000000000000 not found");
        await ApiAssert.ErrorAsync(await app.AdminClient().GetAsync("/admin/v1/orgs/000000000000000000000000", Ct),
            404, "NOT_FOUND", "RESOURCE_NOT_FOUND");
    }

    [Fact]
    public async Task Regenerate_ProductionKey_LeavesTestKeyWorking()
    {
        var (orgId, testKey, productionKey) = await app.CreateOrgAsync();
        var json = await ApiAssert.OkAsync(await app.AdminClient().PostAsync($"/admin/v1/orgs/{orgId}/api-keys/production/regenerate", null, Ct));
        Assert.StartsWith("pk", json.Str("api_key"), StringComparison.Ordinal);
        await ApiAssert.OkAsync(await app.ClientFor(testKey).GetAsync("/api/v2/public/linked-account", Ct));
        await ApiAssert.ErrorAsync(await app.ClientFor(productionKey).GetAsync("/api/v2/public/linked-account", Ct), 401, "UNAUTHORIZED", "SERVER_ERROR");
        await ApiAssert.OkAsync(await app.ClientFor(json.Str("api_key")).GetAsync("/api/v2/public/linked-account", Ct));
    }
}

public sealed class SqliteAdminTests(SqliteApp app) : AdminTests(app), IClassFixture<SqliteApp>;
public sealed class PostgresAdminTests(PostgresApp app) : AdminTests(app), IClassFixture<PostgresApp>;

using System.Net.Http.Json;
using System.Text.Json;
using Patchbay.Tests.Contract;
using Patchbay.Tests.Infrastructure;
using Xunit;

namespace Patchbay.Tests.LinkedAccounts;

// refold-api.md §3.1, LA1–LA7, with every response checked against refold-openapi.yaml.
public abstract class LinkedAccountsTests(PatchbayApp app)
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;
    const string Base = "/api/v2/public/linked-account";

    [Fact]
    public async Task Create_ReturnsAccountWithEmptyIntegrations()
    {
        var id = PatchbayApp.NewAccountId();
        var json = await ApiAssert.OkAsync(await app.ClientFor().PostAsJsonAsync(Base,
            new { linked_account_id = id, name = "Acme Inc.", udf = new { plan = "enterprise", seats = 12 } }, Ct));
        RefoldOpenApi.AssertResponse("POST", Base, 200, json);

        Assert.Matches("^[0-9a-f]{24}$", json.Str("_id"));
        Assert.Equal(id, json.Str("account_id"));
        Assert.Equal("Acme Inc.", json.Str("name"));
        Assert.Equal("test", json.Str("environment"));
        Assert.Matches("^[0-9a-f]{24}$", json.Str("associated_org"));
        Assert.Equal(JsonValueKind.Array, json.GetProperty("integrations").ValueKind);
        Assert.Empty(json.GetProperty("integrations").EnumerateArray());
        Assert.Equal(0, json.GetProperty("__v").GetInt32());
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", json.Str("createdAt"));

        var udf = json.GetProperty("udf").EnumerateArray().ToList();
        Assert.Equal(2, udf.Count);
        Assert.Equal("plan", udf[0].Str("key_name"));
        Assert.Equal("enterprise", udf[0].Str("key_value"));
        Assert.Equal("12", udf[1].Str("key_value"));
        Assert.Matches("^[0-9a-f]{24}$", udf[0].Str("_id"));
        Assert.True(udf[0].TryGetProperty("createdAt", out _));
    }

    [Fact]
    public async Task Create_AccountIdAlias_IsAccepted()
    {
        var id = PatchbayApp.NewAccountId();
        var json = await ApiAssert.OkAsync(await app.ClientFor().PostAsJsonAsync(Base, new { account_id = id }, Ct));
        Assert.Equal(id, json.Str("account_id"));
        Assert.Equal(id, json.Str("name")); // a missing name defaults to the id
    }

    [Fact]
    public async Task Create_MissingId_Returns400()
    {
        var response = await app.ClientFor().PostAsJsonAsync(Base, new { name = "no id" }, Ct);
        await ApiAssert.ErrorAsync(response, 400, "BAD_REQUEST", "INVALID_LINKED_ACCOUNT_ID", "linked_account_id required");
    }

    [Fact]
    public async Task Create_Duplicate_Returns400AndKeepsOriginal()
    {
        var id = await app.CreateLinkedAccountAsync();
        var response = await app.ClientFor().PostAsJsonAsync(Base, new { linked_account_id = id, name = "Impostor" }, Ct);
        await ApiAssert.ErrorAsync(response, 400, "BAD_REQUEST", "INVALID_LINKED_ACCOUNT_ID",
            $"Linked account with id {id} already exists in the test environment");
        var json = await ApiAssert.OkAsync(await app.ClientFor().GetAsync($"{Base}/{id}", Ct));
        Assert.Equal($"Account {id}", json.Str("name"));
    }

    [Fact]
    public async Task Create_WithYourApp_SeedsDefaultAppIntegration_WithoutExposingCredentials()
    {
        var id = await app.CreateLinkedAccountAsync(new { your_app = new { auth_credentials = new { api_key = "seed-secret-1", region = "eu" } } });
        var json = await ApiAssert.OkAsync(await app.ClientFor().GetAsync($"{Base}/{id}", Ct));
        RefoldOpenApi.AssertResponse("GET", $"{Base}/{{linked_account_id}}", 200, json);

        var integration = Assert.Single(json.GetProperty("integrations").EnumerateArray());
        Assert.Equal("custom", integration.Str("type"));
        Assert.Equal("Default Organization", integration.Str("name"));
        Assert.Matches("^[0-9a-f]{24}$", integration.Str("app_id"));
        Assert.False(integration.GetProperty("reauth_required").GetBoolean());
        Assert.False(integration.TryGetProperty("credentials", out _));
        Assert.False(integration.TryGetProperty("authTokens", out _));
        Assert.DoesNotContain("seed-secret-1", json.GetRawText(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"your_app":{}}""", "Valid App ID and Auth credentials required in your_app")]
    [InlineData("""{"your_app":{"auth_credentials":{}}}""", "Valid App ID and Auth credentials required in your_app")]
    [InlineData("""{"your_app":{"app_id":"000000000000000000000000","auth_credentials":{"k":"v"}}}""", "A valid app_id is required")]
    [InlineData("""{"your_app":{"auth_credentials":{"k":"v","k":"w"}}}""", "Duplicate Auth key_name not allowed")]
    [InlineData("""{"your_app":{"auth_credentials":{"k":{"nested":true}}}}""", "'your_app.auth_credentials.k' must be a string")]
    [InlineData("""{"udf":["a"]}""", "'udf' must be an object")]
    public async Task Create_InvalidYourAppOrUdf_Returns400AndStoresNothing(string fields, string message)
    {
        var id = PatchbayApp.NewAccountId();
        var body = "{\"linked_account_id\":\"" + id + "\"," + fields.TrimStart('{');
        var response = await app.ClientFor().PostAsync(Base, new StringContent(body, System.Text.Encoding.UTF8, "application/json"), Ct);
        await ApiAssert.ErrorAsync(response, 400, "BAD_REQUEST", "VALIDATION_ERROR", message);
        await ApiAssert.ErrorAsync(await app.ClientFor().GetAsync($"{Base}/{id}", Ct), 404, "NOT_FOUND", "SERVER_ERROR");
    }

    [Fact]
    public async Task Get_Unknown_Returns404WithContractMessage()
    {
        var orgId = await OrgIdAsync();
        var response = await app.ClientFor().GetAsync($"{Base}/user_99999", Ct);
        await ApiAssert.ErrorAsync(response, 404, "NOT_FOUND", "SERVER_ERROR",
            $"Linked Account with account id user_99999 for org {orgId} in environment test not found");
    }

    [Fact]
    public async Task Upsert_CreatesThenUpdates_ReportingNewAccount()
    {
        var id = PatchbayApp.NewAccountId();
        var created = await ApiAssert.OkAsync(await app.ClientFor().PutAsJsonAsync(Base, new { linked_account_id = id, name = "First", udf = new { a = "1" } }, Ct));
        RefoldOpenApi.AssertResponse("PUT", Base, 200, created);
        Assert.True(created.GetProperty("new_account").GetBoolean());
        Assert.Equal(0, created.GetProperty("__v").GetInt32());

        var updated = await ApiAssert.OkAsync(await app.ClientFor().PutAsJsonAsync(Base, new { account_id = id, name = "Second", udf = new { b = "2" } }, Ct));
        Assert.False(updated.GetProperty("new_account").GetBoolean());
        Assert.Equal("Second", updated.Str("name"));
        Assert.Equal(1, updated.GetProperty("__v").GetInt32());
        Assert.Equal(created.Str("_id"), updated.Str("_id"));
        var keys = updated.GetProperty("udf").EnumerateArray().Select(u => u.Str("key_name")).ToList();
        Assert.Equal(["a", "b"], keys);
    }

    [Fact]
    public async Task Upsert_NestedPayload_WinsOverFlatFields()
    {
        var id = PatchbayApp.NewAccountId();
        var json = await ApiAssert.OkAsync(await app.ClientFor().PutAsJsonAsync(Base,
            new { linked_account_id = id, name = "Flat", payload = new { name = "Nested", udf = new { tier = "gold" } } }, Ct));
        Assert.Equal("Nested", json.Str("name"));
        Assert.Equal("gold", json.GetProperty("udf")[0].Str("key_value"));
    }

    [Fact]
    public async Task Upsert_UdfMerge_ReplacesValueKeepsIdentity_AndNullRemoves()
    {
        var id = PatchbayApp.NewAccountId();
        var first = await ApiAssert.OkAsync(await app.ClientFor().PutAsJsonAsync(Base, new { linked_account_id = id, udf = new { plan = "free", region = "eu" } }, Ct));
        var planId = first.GetProperty("udf")[0].Str("_id");
        var second = await ApiAssert.OkAsync(await app.ClientFor().PutAsync(Base, new StringContent(
            "{\"linked_account_id\":\"" + id + "\",\"udf\":{\"plan\":\"pro\",\"region\":null}}", System.Text.Encoding.UTF8, "application/json"), Ct));
        var udf = Assert.Single(second.GetProperty("udf").EnumerateArray());
        Assert.Equal("plan", udf.Str("key_name"));
        Assert.Equal("pro", udf.Str("key_value"));
        Assert.Equal(planId, udf.Str("_id"));
    }

    [Fact]
    public async Task Upsert_WithSessionToken_UsesTokensAccount()
    {
        var id = await app.CreateLinkedAccountAsync();
        var client = app.SessionClient(await app.CreateSessionTokenAsync(id));
        var json = await ApiAssert.OkAsync(await client.PutAsJsonAsync(Base, new { name = "Renamed by customer" }, Ct));
        Assert.Equal(id, json.Str("account_id"));
        Assert.Equal("Renamed by customer", json.Str("name"));
        Assert.False(json.GetProperty("new_account").GetBoolean());
    }

    [Fact]
    public async Task Upsert_MissingIdWithApiKey_Returns400()
    {
        var response = await app.ClientFor().PutAsJsonAsync(Base, new { name = "who?" }, Ct);
        await ApiAssert.ErrorAsync(response, 400, "BAD_REQUEST", "INVALID_LINKED_ACCOUNT_ID", "linked_account_id required");
    }

    [Fact]
    public async Task Upsert_ConcurrentCreatesOfOneId_OneAccountNoError()
    {
        var id = PatchbayApp.NewAccountId();
        var responses = await Task.WhenAll(Enumerable.Range(0, 6).Select(i =>
            app.ClientFor().PutAsJsonAsync(Base, new { linked_account_id = id, udf = new Dictionary<string, string> { [$"k{i}"] = "v" } }, Ct)));
        foreach (var response in responses) await ApiAssert.OkAsync(response);
        var bodies = await Task.WhenAll(responses.Select(r => r.Content.ReadFromJsonAsync<JsonElement>(Ct)));
        Assert.Single(bodies, b => b.GetProperty("new_account").GetBoolean());
        Assert.Single(bodies.Select(b => b.Str("_id")).Distinct());
    }

    [Fact]
    public async Task List_FreshOrg_PaginatesInCreationOrder()
    {
        var (_, key, _) = await app.CreateOrgAsync("Paging Org");
        var ids = new List<string>();
        for (var i = 0; i < 3; i++) ids.Add(await app.CreateLinkedAccountAsync(apiKey: key));

        var page1 = await ApiAssert.OkAsync(await app.ClientFor(key).GetAsync($"{Base}?page=1&limit=2", Ct));
        RefoldOpenApi.AssertResponse("GET", Base, 200, page1);
        Assert.Equal(ids[..2], page1.GetProperty("docs").EnumerateArray().Select(d => d.Str("account_id")));
        Assert.Equal(3, page1.GetProperty("totalDocs").GetInt32());
        Assert.Equal(2, page1.GetProperty("limit").GetInt32());
        Assert.Equal(2, page1.GetProperty("totalPages").GetInt32());
        Assert.Equal(1, page1.GetProperty("page").GetInt32());
        Assert.Equal(1, page1.GetProperty("pagingCounter").GetInt32());
        Assert.False(page1.GetProperty("hasPrevPage").GetBoolean());
        Assert.True(page1.GetProperty("hasNextPage").GetBoolean());
        Assert.Equal(JsonValueKind.Null, page1.GetProperty("prevPage").ValueKind);
        Assert.Equal(2, page1.GetProperty("nextPage").GetInt32());

        var page2 = await ApiAssert.OkAsync(await app.ClientFor(key).GetAsync($"{Base}?page=2&limit=2", Ct));
        Assert.Equal([ids[2]], page2.GetProperty("docs").EnumerateArray().Select(d => d.Str("account_id")));
        Assert.Equal(3, page2.GetProperty("pagingCounter").GetInt32());
        Assert.Equal(1, page2.GetProperty("prevPage").GetInt32());
        Assert.Equal(JsonValueKind.Null, page2.GetProperty("nextPage").ValueKind);
    }

    [Theory]
    [InlineData("page=0")]
    [InlineData("limit=abc")]
    public async Task List_BadPaging_Returns400(string query)
    {
        var response = await app.ClientFor().GetAsync($"{Base}?{query}", Ct);
        await ApiAssert.ErrorAsync(response, 400, "BAD_REQUEST", "VALIDATION_ERROR");
    }

    [Fact]
    public async Task List_ScopeFilter_ReturnsOnlyThatScope()
    {
        var (_, key, _) = await app.CreateOrgAsync("Scope Org");
        var scoped = await app.CreateLinkedAccountAsync(new { scope = "eu" }, key);
        await app.CreateLinkedAccountAsync(new { scope = "us" }, key);
        var json = await ApiAssert.OkAsync(await app.ClientFor(key).GetAsync($"{Base}?scope=eu", Ct));
        Assert.Equal([scoped], json.GetProperty("docs").EnumerateArray().Select(d => d.Str("account_id")));
    }

    [Fact]
    public async Task Delete_RemovesAccountAndCascades()
    {
        var id = await app.CreateLinkedAccountAsync(new { your_app = new { auth_credentials = new { api_key = "doomed" } } });
        var rowId = (await ApiAssert.OkAsync(await app.ClientFor().GetAsync($"{Base}/{id}", Ct))).Str("_id");

        var json = await ApiAssert.OkAsync(await app.ClientFor().DeleteAsync($"{Base}/{id}", Ct));
        RefoldOpenApi.AssertResponse("DELETE", $"{Base}/{{linked_account_id}}", 200, json);
        Assert.Equal("User deleted successfully", json.Str("message"));

        await ApiAssert.ErrorAsync(await app.ClientFor().GetAsync($"{Base}/{id}", Ct), 404, "NOT_FOUND", "SERVER_ERROR");
        await ApiAssert.ErrorAsync(await app.ClientFor().DeleteAsync($"{Base}/{id}", Ct), 404, "NOT_FOUND", "SERVER_ERROR");
        Assert.Equal(0, await app.Db.ExecuteScalarAsync<long>("select count(*) from integrations where linked_account_id = @rowId", new { rowId }, Ct));
        Assert.Equal(0, await app.Db.ExecuteScalarAsync<long>(
            "select count(*) from integration_credentials c join integrations i on i.id = c.integration_id where i.linked_account_id = @rowId", new { rowId }, Ct));
    }

    [Fact]
    public async Task DeleteIntegration_RemovesDefaultApp_Idempotently()
    {
        var id = await app.CreateLinkedAccountAsync(new { your_app = new { auth_credentials = new { api_key = "k" } } });
        var slug = await DefaultAppSlugAsync();

        var json = await ApiAssert.OkAsync(await app.ClientFor().DeleteAsync($"{Base}/integration/{slug}?linked_account_id={id}", Ct));
        RefoldOpenApi.AssertResponse("DELETE", $"{Base}/integration/{{slug}}", 200, json);
        Assert.Equal(id, json.Str("account_id"));
        Assert.Empty(json.GetProperty("integrations").EnumerateArray());

        var again = await ApiAssert.OkAsync(await app.ClientFor().DeleteAsync($"{Base}/integration/{slug}?linked_account_id={id}", Ct));
        Assert.Empty(again.GetProperty("integrations").EnumerateArray());
        await ApiAssert.ErrorAsync(await app.ClientFor(linkedAccountId: id).PutAsJsonAsync($"{Base}/default-app/auth-credentials/k", new { value = "v" }, Ct),
            404, "NOT_FOUND", "RESOURCE_NOT_FOUND");
    }

    [Fact]
    public async Task DeleteIntegration_UnknownAccount_Returns404()
    {
        var response = await app.ClientFor().DeleteAsync($"{Base}/integration/hubspot?linked_account_id=nobody_here", Ct);
        await ApiAssert.ErrorAsync(response, 404, "NOT_FOUND", "SERVER_ERROR");
    }

    [Fact]
    public async Task ActiveLinkedAccount_ReturnsTheTokensAccount()
    {
        var id = await app.CreateLinkedAccountAsync(new { your_app = new { auth_credentials = new { api_key = "k" } } });
        var json = await ApiAssert.OkAsync(await app.SessionClient(await app.CreateSessionTokenAsync(id)).GetAsync("/api/v2/public/session/active-linked-account", Ct));
        RefoldOpenApi.AssertResponse("GET", "/api/v2/public/session/active-linked-account", 200, json);
        Assert.Equal(id, json.Str("account_id"));
        Assert.Single(json.GetProperty("integrations").EnumerateArray());
    }

    [Fact]
    public async Task GetWithSessionToken_OwnAccount_Returns200()
    {
        var id = await app.CreateLinkedAccountAsync();
        var json = await ApiAssert.OkAsync(await app.SessionClient(await app.CreateSessionTokenAsync(id)).GetAsync($"{Base}/{id}", Ct));
        Assert.Equal(id, json.Str("account_id"));
    }

    async Task<string> OrgIdAsync()
    {
        var id = await app.CreateLinkedAccountAsync();
        return (await ApiAssert.OkAsync(await app.ClientFor().GetAsync($"{Base}/{id}", Ct))).Str("associated_org");
    }

    async Task<string> DefaultAppSlugAsync()
    {
        var orgId = await OrgIdAsync();
        var org = await ApiAssert.OkAsync(await app.AdminClient().GetAsync($"/admin/v1/orgs/{orgId}", Ct));
        return org.GetProperty("default_app").Str("slug");
    }
}

public sealed class SqliteLinkedAccountsTests(SqliteApp app) : LinkedAccountsTests(app), IClassFixture<SqliteApp>;
public sealed class PostgresLinkedAccountsTests(PostgresApp app) : LinkedAccountsTests(app), IClassFixture<PostgresApp>;

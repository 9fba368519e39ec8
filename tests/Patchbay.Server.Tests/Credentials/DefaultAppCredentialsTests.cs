using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Patchbay.Tests.Contract;
using Patchbay.Tests.Infrastructure;
using Xunit;

namespace Patchbay.Tests.Credentials;

// refold-api.md §3.5 CR2 and CR3 (seed 002): one {key, value} on the linked account's default-app integration.
public abstract class DefaultAppCredentialsTests(PatchbayApp app)
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;
    const string Path = "/api/v2/public/linked-account/default-app/auth-credentials";

    Task<string> AccountWithDefaultAppAsync() =>
        app.CreateLinkedAccountAsync(new { your_app = new { auth_credentials = new { seeded = "s" } } });

    [Fact]
    public async Task Upsert_NoDefaultApp_Returns404InErrorShape()
    {
        var id = await app.CreateLinkedAccountAsync();
        var response = await app.ClientFor(linkedAccountId: id).PutAsJsonAsync($"{Path}/api_key", new { value = "s3cret" }, Ct);
        await ApiAssert.ErrorAsync(response, 404, "NOT_FOUND", "RESOURCE_NOT_FOUND", $"Default app integration not found for linked account {id}");
    }

    [Fact]
    public async Task Upsert_NewThenExistingKey_ReportsAddedThenUpdated()
    {
        var id = await AccountWithDefaultAppAsync();
        var client = app.ClientFor(linkedAccountId: id);
        var added = await ApiAssert.OkAsync(await client.PutAsJsonAsync($"{Path}/api_key", new { value = "first" }, Ct));
        RefoldOpenApi.AssertResponse("PUT", $"{Path}/{{key}}", 200, added);
        Assert.True(added.GetProperty("success").GetBoolean());
        Assert.Equal("Auth credential 'api_key' added successfully", added.Str("message"));
        Assert.Equal("added", added.Str("action"));

        var updated = await ApiAssert.OkAsync(await client.PutAsJsonAsync($"{Path}/api_key", new { value = "second" }, Ct));
        Assert.Equal("Auth credential 'api_key' updated successfully", updated.Str("message"));
        Assert.Equal("updated", updated.Str("action"));
    }

    [Fact]
    public async Task Upsert_WithSessionToken_TargetsTokensAccount()
    {
        var id = await AccountWithDefaultAppAsync();
        var json = await ApiAssert.OkAsync(await app.SessionClient(await app.CreateSessionTokenAsync(id)).PutAsJsonAsync($"{Path}/token", new { value = 42 }, Ct));
        Assert.Equal("added", json.Str("action"));
    }

    [Fact]
    public async Task Upsert_ValueCoercedToString_StoredSealed()
    {
        var id = await AccountWithDefaultAppAsync();
        await ApiAssert.OkAsync(await app.ClientFor(linkedAccountId: id).PutAsJsonAsync($"{Path}/port", new { value = 8443 }, Ct));
        var sealedValue = await app.Db.ExecuteScalarAsync<string>("""
            select c.sealed_value from integration_credentials c
            join integrations i on i.id = c.integration_id
            join linked_accounts la on la.id = i.linked_account_id
            where la.account_id = @id and c.key = 'port'
            """, new { id }, Ct);
        Assert.StartsWith("v1.", sealedValue, StringComparison.Ordinal);
        var integrationId = await app.Db.ExecuteScalarAsync<string>(
            "select i.id from integrations i join linked_accounts la on la.id = i.linked_account_id where la.account_id = @id", new { id }, Ct);
        var vault = app.Services.GetRequiredService<Patchbay.Vault.Vault>();
        var opened = await vault.OpenAsync(sealedValue!, Patchbay.Vault.Vault.Context("integration_credentials", integrationId!, "port"), Ct);
        Assert.Equal("8443", opened.Value);
    }

    [Fact]
    public async Task Upsert_MissingValue_Returns400()
    {
        var id = await AccountWithDefaultAppAsync();
        var response = await app.ClientFor(linkedAccountId: id).PutAsJsonAsync($"{Path}/api_key", new { other = 1 }, Ct);
        await ApiAssert.ErrorAsync(response, 400, "BAD_REQUEST", "VALIDATION_ERROR", "'value' is required");
    }

    [Fact]
    public async Task Upsert_UnknownAccount_Returns404()
    {
        var response = await app.ClientFor(linkedAccountId: "nobody_" + Guid.NewGuid().ToString("N")).PutAsJsonAsync($"{Path}/api_key", new { value = "x" }, Ct);
        await ApiAssert.ErrorAsync(response, 404, "NOT_FOUND", "SERVER_ERROR");
    }

    [Fact]
    public async Task Delete_Existing_ReturnsMessage_ThenMissingKey404()
    {
        var id = await AccountWithDefaultAppAsync();
        var client = app.ClientFor();
        var json = await ApiAssert.OkAsync(await client.DeleteAsync($"{Path}/seeded?linked_account_id={id}", Ct));
        RefoldOpenApi.AssertResponse("DELETE", $"{Path}/{{key}}", 200, json);
        Assert.True(json.GetProperty("success").GetBoolean());
        Assert.Equal("Auth credential 'seeded' deleted successfully", json.Str("message"));

        var again = await client.DeleteAsync($"{Path}/seeded?linked_account_id={id}", Ct);
        await ApiAssert.ErrorAsync(again, 404, "NOT_FOUND", "RESOURCE_NOT_FOUND", "Auth credential key 'seeded' not found");
    }

    [Fact]
    public async Task Delete_NoDefaultApp_Returns404()
    {
        var id = await app.CreateLinkedAccountAsync();
        var response = await app.ClientFor(linkedAccountId: id).DeleteAsync($"{Path}/api_key", Ct);
        await ApiAssert.ErrorAsync(response, 404, "NOT_FOUND", "RESOURCE_NOT_FOUND", $"Default app integration not found for linked account {id}");
    }
}

public sealed class SqliteDefaultAppCredentialsTests(SqliteApp app) : DefaultAppCredentialsTests(app), IClassFixture<SqliteApp>;
public sealed class PostgresDefaultAppCredentialsTests(PostgresApp app) : DefaultAppCredentialsTests(app), IClassFixture<PostgresApp>;

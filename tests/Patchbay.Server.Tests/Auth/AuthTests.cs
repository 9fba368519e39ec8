using System.Net.Http.Json;
using Patchbay.Tests.Infrastructure;
using Xunit;

namespace Patchbay.Tests.Auth;

// refold-api.md §2.1 and §7.1: which credential reaches which endpoint, and the exact bodies of refusals.
public abstract class AuthTests(PatchbayApp app)
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task OrgEndpoint_NoApiKey_Returns401InvalidCredentials()
    {
        var response = await app.CreateClient().GetAsync("/api/v2/public/linked-account", Ct);
        await ApiAssert.ErrorAsync(response, 401, "UNAUTHORIZED", "SERVER_ERROR", "Invalid Credentials");
    }

    [Fact]
    public async Task OrgEndpoint_UnknownApiKey_Returns401InvalidCredentials()
    {
        var response = await app.ClientFor("tk" + Guid.NewGuid()).GetAsync("/api/v2/public/linked-account", Ct);
        await ApiAssert.ErrorAsync(response, 401, "UNAUTHORIZED", "SERVER_ERROR", "Invalid Credentials");
    }

    [Fact]
    public async Task LinkedAccountEndpoint_ApiKeyWithoutLinkedAccount_Returns400()
    {
        var response = await app.ClientFor().PutAsJsonAsync("/api/v2/public/linked-account/default-app/auth-credentials/api_key", new { value = "x" }, Ct);
        await ApiAssert.ErrorAsync(response, 400, "BAD_REQUEST", "MISSING_LINKED_ACCOUNT_ID",
            "linked_account_id header is required when using org API key authentication.");
    }

    [Fact]
    public async Task LinkedAccountId_FromQuery_IsUsed_AndHeaderWins()
    {
        var withCredentials = await app.CreateLinkedAccountAsync(new { your_app = new { auth_credentials = new { api_key = "k" } } });
        var without = await app.CreateLinkedAccountAsync();

        // Query only: the account with a default app integration answers 200.
        var query = await app.ClientFor().PutAsJsonAsync(
            $"/api/v2/public/linked-account/default-app/auth-credentials/token?linked_account_id={withCredentials}", new { value = "v" }, Ct);
        await ApiAssert.OkAsync(query);

        // Header names the account without one, query the account with one: the header wins, hence 404.
        var both = await app.ClientFor(linkedAccountId: without).PutAsJsonAsync(
            $"/api/v2/public/linked-account/default-app/auth-credentials/token?linked_account_id={withCredentials}", new { value = "v" }, Ct);
        await ApiAssert.ErrorAsync(both, 404, "NOT_FOUND", "RESOURCE_NOT_FOUND", $"Default app integration not found for linked account {without}");
    }

    [Fact]
    public async Task SessionOnlyEndpoint_NoToken_Returns401TokenMissing()
    {
        var response = await app.CreateClient().GetAsync("/api/v2/public/session/active-linked-account", Ct);
        await ApiAssert.ErrorAsync(response, 401, "UNAUTHORIZED", "INVALID_TOKEN", "Authorization Token Missing");
    }

    [Fact]
    public async Task SessionOnlyEndpoint_ApiKey_Returns401TokenMissing()
    {
        var id = await app.CreateLinkedAccountAsync();
        var response = await app.ClientFor(linkedAccountId: id).GetAsync("/api/v2/public/session/active-linked-account", Ct);
        await ApiAssert.ErrorAsync(response, 401, "UNAUTHORIZED", "INVALID_TOKEN", "Authorization Token Missing");
    }

    [Theory]
    [InlineData("not-a-jwt")]
    [InlineData("eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJvcmdfaWQiOiJ4IiwibGlua2VkX2FjY291bnRfaWQiOiJ5IiwiZW52aXJvbm1lbnQiOiJ0ZXN0IiwianRpIjoieiIsImV4cCI6OTk5OTk5OTk5OX0.")]
    public async Task SessionToken_Malformed_Or_Unsigned_Returns401InvalidToken(string token)
    {
        var response = await app.SessionClient(token).GetAsync("/api/v2/public/session/active-linked-account", Ct);
        await ApiAssert.ErrorAsync(response, 401, "UNAUTHORIZED", "INVALID_TOKEN", "Invalid token");
    }

    [Fact]
    public async Task SessionToken_TamperedPayload_Returns401()
    {
        var x = await app.CreateLinkedAccountAsync();
        var y = await app.CreateLinkedAccountAsync();
        var token = await app.CreateSessionTokenAsync(x);
        var parts = token.Split('.');
        var payload = System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(Pad(parts[1].Replace('-', '+').Replace('_', '/'))));
        var forged = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(payload.Replace(x, y, StringComparison.Ordinal)))
            .TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var response = await app.SessionClient($"{parts[0]}.{forged}.{parts[2]}").GetAsync("/api/v2/public/session/active-linked-account", Ct);
        await ApiAssert.ErrorAsync(response, 401, "UNAUTHORIZED", "INVALID_TOKEN", "Invalid token");
    }

    static string Pad(string s) => s + new string('=', (4 - s.Length % 4) % 4);

    [Fact]
    public async Task SessionToken_Expired_Returns401TokenExpired()
    {
        // A node with a one-minute session lifetime, over the same database and clock start.
        await using var node = app.CreateNode(new Dictionary<string, string?> { ["Patchbay:Auth:SessionLifetime"] = "00:01:00" });
        await node.InitializeAsync();
        var id = await node.CreateLinkedAccountAsync();
        var token = await node.CreateSessionTokenAsync(id);
        await ApiAssert.OkAsync(await node.SessionClient(token).GetAsync("/api/v2/public/session/active-linked-account", Ct));

        node.Time.Advance(TimeSpan.FromMinutes(2));
        var response = await node.SessionClient(token).GetAsync("/api/v2/public/session/active-linked-account", Ct);
        await ApiAssert.ErrorAsync(response, 401, "UNAUTHORIZED", "INVALID_TOKEN", "Token Expired");
    }

    [Fact]
    public async Task SessionToken_OnOrgEndpoints_Returns403()
    {
        var id = await app.CreateLinkedAccountAsync();
        var client = app.SessionClient(await app.CreateSessionTokenAsync(id));
        const string Message = "Session tokens are not accepted for this resource; call it with your API key (x-api-key)";

        await ApiAssert.ErrorAsync(await client.GetAsync("/api/v2/public/linked-account", Ct), 403, "FORBIDDEN", "SESSION_TOKEN_NOT_ALLOWED", Message);
        await ApiAssert.ErrorAsync(await client.PostAsJsonAsync("/api/v2/public/linked-account", new { linked_account_id = "z" }, Ct),
            403, "FORBIDDEN", "SESSION_TOKEN_NOT_ALLOWED", Message);
        await ApiAssert.ErrorAsync(await client.DeleteAsync($"/api/v2/public/linked-account/{id}", Ct), 403, "FORBIDDEN", "SESSION_TOKEN_NOT_ALLOWED", Message);
        await ApiAssert.ErrorAsync(await client.PostAsJsonAsync("/api/v2/public/session-token", new { linked_account_id = id }, Ct),
            403, "FORBIDDEN", "SESSION_TOKEN_NOT_ALLOWED", Message);
        await ApiAssert.ErrorAsync(await client.DeleteAsync($"/api/v2/public/linked-account/integration/x?linked_account_id={id}", Ct),
            403, "FORBIDDEN", "SESSION_TOKEN_NOT_ALLOWED", Message);
        // The account survived all of it.
        await ApiAssert.OkAsync(await app.ClientFor().GetAsync($"/api/v2/public/linked-account/{id}", Ct));
    }

    [Fact]
    public async Task SessionToken_ForAccountX_CannotReachAccountY()
    {
        var x = await app.CreateLinkedAccountAsync();
        var y = await app.CreateLinkedAccountAsync(new { your_app = new { auth_credentials = new { api_key = "y-secret" } } });
        var client = app.SessionClient(await app.CreateSessionTokenAsync(x));

        await ApiAssert.ErrorAsync(await client.GetAsync($"/api/v2/public/linked-account/{y}", Ct), 404, "NOT_FOUND", "SERVER_ERROR");
        // linked_account_id in a header or the query does not redirect a session token.
        using var request = new HttpRequestMessage(HttpMethod.Put, $"/api/v2/public/linked-account/default-app/auth-credentials/api_key?linked_account_id={y}")
        {
            Content = JsonContent.Create(new { value = "overwritten" }),
        };
        request.Headers.Add("linked_account_id", y);
        var response = await client.SendAsync(request, Ct);
        await ApiAssert.ErrorAsync(response, 404, "NOT_FOUND", "RESOURCE_NOT_FOUND", $"Default app integration not found for linked account {x}");
        // An upsert naming Y in the body updates X, the token's account.
        var upsert = await ApiAssert.OkAsync(await client.PutAsJsonAsync("/api/v2/public/linked-account", new { linked_account_id = y, name = "renamed" }, Ct));
        Assert.Equal(x, upsert.Str("account_id"));
        var yNow = await ApiAssert.OkAsync(await app.ClientFor().GetAsync($"/api/v2/public/linked-account/{y}", Ct));
        Assert.NotEqual("renamed", yNow.Str("name"));
    }

    [Fact]
    public async Task OtherOrgKey_CannotReachThisOrgsAccounts()
    {
        var id = await app.CreateLinkedAccountAsync();
        var (_, otherKey, _) = await app.CreateOrgAsync();
        var other = app.ClientFor(otherKey);

        await ApiAssert.ErrorAsync(await other.GetAsync($"/api/v2/public/linked-account/{id}", Ct), 404, "NOT_FOUND", "SERVER_ERROR");
        await ApiAssert.ErrorAsync(await other.DeleteAsync($"/api/v2/public/linked-account/{id}", Ct), 404, "NOT_FOUND", "SERVER_ERROR");
        await ApiAssert.ErrorAsync(await other.PostAsJsonAsync("/api/v2/public/session-token", new { linked_account_id = id }, Ct),
            400, "BAD_REQUEST", "INVALID_LINKED_ACCOUNT_ID");
        var list = await ApiAssert.OkAsync(await other.GetAsync("/api/v2/public/linked-account?limit=100", Ct));
        Assert.DoesNotContain(list.GetProperty("docs").EnumerateArray(), d => d.Str("account_id") == id);
        // Same account id in the other org is a different account.
        var created = await ApiAssert.OkAsync(await other.PostAsJsonAsync("/api/v2/public/linked-account", new { linked_account_id = id }, Ct));
        Assert.Equal(id, created.Str("account_id"));
        await ApiAssert.OkAsync(await app.ClientFor().GetAsync($"/api/v2/public/linked-account/{id}", Ct));
    }

    [Fact]
    public async Task ProductionKey_DoesNotSeeTestEnvironment()
    {
        var id = await app.CreateLinkedAccountAsync();
        var production = app.ClientFor(app.ProductionApiKey);
        var response = await production.GetAsync($"/api/v2/public/linked-account/{id}", Ct);
        await ApiAssert.ErrorAsync(response, 404, "NOT_FOUND", "SERVER_ERROR");
        var json = await ApiAssert.OkAsync(await production.PostAsJsonAsync("/api/v2/public/linked-account", new { linked_account_id = id }, Ct));
        Assert.Equal("production", json.Str("environment"));
    }

    [Fact]
    public async Task RevokedSessionToken_IsRefused()
    {
        var id = await app.CreateLinkedAccountAsync();
        var token = await app.CreateSessionTokenAsync(id);
        var client = app.SessionClient(token);
        var revoke = await ApiAssert.OkAsync(await client.PostAsync("/api/v2/public/session-token/revoke", null, Ct));
        Assert.True(revoke.GetProperty("success").GetBoolean());
        Assert.Equal(1, revoke.GetProperty("revoked_count").GetInt32());
        await ApiAssert.ErrorAsync(await client.GetAsync("/api/v2/public/session/active-linked-account", Ct), 401, "UNAUTHORIZED", "INVALID_TOKEN", "Invalid token");
    }

    [Fact]
    public async Task DeletedAccount_ItsSessionTokensAreRefused()
    {
        var id = await app.CreateLinkedAccountAsync();
        var token = await app.CreateSessionTokenAsync(id);
        await ApiAssert.OkAsync(await app.ClientFor().DeleteAsync($"/api/v2/public/linked-account/{id}", Ct));
        // Re-created under the same id: the old token still belongs to the deleted account.
        await app.ClientFor().PostAsJsonAsync("/api/v2/public/linked-account", new { linked_account_id = id }, Ct);
        var response = await app.SessionClient(token).GetAsync("/api/v2/public/session/active-linked-account", Ct);
        await ApiAssert.ErrorAsync(response, 401, "UNAUTHORIZED", "INVALID_TOKEN", "Invalid token");
    }

    [Fact]
    public async Task RegeneratedKey_OldStopsAtOnce_NewWorks()
    {
        var (orgId, oldKey, _) = await app.CreateOrgAsync();
        await ApiAssert.OkAsync(await app.ClientFor(oldKey).GetAsync("/api/v2/public/linked-account", Ct));

        var regenerated = await ApiAssert.OkAsync(await app.AdminClient().PostAsync($"/admin/v1/orgs/{orgId}/api-keys/test/regenerate", null, Ct));
        var newKey = regenerated.Str("api_key");
        Assert.StartsWith("tk", newKey, StringComparison.Ordinal);

        await ApiAssert.ErrorAsync(await app.ClientFor(oldKey).GetAsync("/api/v2/public/linked-account", Ct), 401, "UNAUTHORIZED", "SERVER_ERROR", "Invalid Credentials");
        await ApiAssert.OkAsync(await app.ClientFor(newKey).GetAsync("/api/v2/public/linked-account", Ct));
    }

    [Fact]
    public async Task ApiKeys_AreStoredOnlyAsKeyedHashes()
    {
        var (orgId, testKey, productionKey) = await app.CreateOrgAsync();
        var rows = await app.Db.QueryAsync<string>("select key_hash || '|' || key_hint from api_keys where org_id = @orgId", new { orgId }, Ct);
        Assert.Equal(2, rows.Count);
        foreach (var row in rows)
        {
            Assert.DoesNotContain(testKey, row, StringComparison.Ordinal);
            Assert.DoesNotContain(productionKey, row, StringComparison.Ordinal);
            Assert.DoesNotContain(testKey[2..10], row, StringComparison.Ordinal);
        }
        var plainSha = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(testKey)));
        Assert.DoesNotContain(rows, r => r.StartsWith(plainSha, StringComparison.Ordinal));
    }
}

public sealed class SqliteAuthTests(SqliteApp app) : AuthTests(app), IClassFixture<SqliteApp>;
public sealed class PostgresAuthTests(PostgresApp app) : AuthTests(app), IClassFixture<PostgresApp>;

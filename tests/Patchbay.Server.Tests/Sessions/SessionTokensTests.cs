using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Patchbay.Tests.Contract;
using Patchbay.Tests.Infrastructure;
using Xunit;

namespace Patchbay.Tests.Sessions;

// refold-api.md §3.2: issue (with reuse), revoke, and Patchbay's refresh.
public abstract class SessionTokensTests(PatchbayApp app)
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;
    const string Issue = "/api/v2/public/session-token";
    const string Refresh = "/api/patchbay/v1/session-token/refresh";

    static JsonElement Decode(string jwtPart)
    {
        var s = jwtPart.Replace('-', '+').Replace('_', '/');
        s += new string('=', (4 - s.Length % 4) % 4);
        return JsonDocument.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(s))).RootElement.Clone();
    }

    [Fact]
    public async Task Issue_ReturnsHs256JwtWithRefoldClaims()
    {
        var id = await app.CreateLinkedAccountAsync();
        var json = await ApiAssert.OkAsync(await app.ClientFor().PostAsJsonAsync(Issue, new { linked_account_id = id }, Ct));
        RefoldOpenApi.AssertResponse("POST", Issue, 200, json);

        Assert.InRange(json.GetProperty("expires_in").GetInt64(), 86_390, 86_400);
        Assert.InRange(json.GetProperty("refresh_expires_in").GetInt64(), 30 * 86_400 - 10, 30 * 86_400);
        var parts = json.Str("token").Split('.');
        Assert.Equal(3, parts.Length);
        Assert.Equal("HS256", Decode(parts[0]).Str("alg"));
        var claims = Decode(parts[1]);
        Assert.Equal(id, claims.Str("linked_account_id"));
        Assert.Equal("test", claims.Str("environment"));
        Assert.Matches("^[0-9a-f]{24}$", claims.Str("org_id"));
        Assert.Equal(86_400, claims.GetProperty("exp").GetInt64() - claims.GetProperty("iat").GetInt64());

        var refresh = Decode(json.Str("refresh_token").Split('.')[1]);
        Assert.True(refresh.GetProperty("is_refresh").GetBoolean());
    }

    [Fact]
    public async Task Issue_Again_ReusesToken_UnlessForceRefresh()
    {
        var id = await app.CreateLinkedAccountAsync();
        var first = await app.CreateSessionTokenAsync(id);
        var second = await app.CreateSessionTokenAsync(id);
        Assert.Equal(first, second);

        var forced = await app.CreateSessionTokenAsync(id, forceRefresh: true);
        Assert.NotEqual(first, forced);
        // Both remain valid: other tabs may hold the first.
        await ApiAssert.OkAsync(await app.SessionClient(first).GetAsync("/api/v2/public/session/active-linked-account", Ct));
        await ApiAssert.OkAsync(await app.SessionClient(forced).GetAsync("/api/v2/public/session/active-linked-account", Ct));
    }

    [Fact]
    public async Task Issue_AfterRevoke_IssuesANewToken()
    {
        var id = await app.CreateLinkedAccountAsync();
        var first = await app.CreateSessionTokenAsync(id);
        await ApiAssert.OkAsync(await app.SessionClient(first).PostAsync($"{Issue}/revoke", null, Ct));
        var second = await app.CreateSessionTokenAsync(id);
        Assert.NotEqual(first, second);
        await ApiAssert.OkAsync(await app.SessionClient(second).GetAsync("/api/v2/public/session/active-linked-account", Ct));
    }

    [Fact]
    public async Task Issue_MissingLinkedAccountId_Returns400()
    {
        var response = await app.ClientFor().PostAsJsonAsync(Issue, new { }, Ct);
        await ApiAssert.ErrorAsync(response, 400, "BAD_REQUEST", "SERVER_ERROR", "linked_account_id is required");
    }

    [Fact]
    public async Task Issue_UnknownAccount_Returns400WithContractMessage()
    {
        var response = await app.ClientFor().PostAsJsonAsync(Issue, new { linked_account_id = "user_99999" }, Ct);
        await ApiAssert.ErrorAsync(response, 400, "BAD_REQUEST", "INVALID_LINKED_ACCOUNT_ID",
            "No linked account found for account id : user_99999 in environment test");
    }

    [Fact]
    public async Task Issue_BadForceRefresh_Returns400()
    {
        var id = await app.CreateLinkedAccountAsync();
        var response = await app.ClientFor().PostAsJsonAsync($"{Issue}?force_refresh=yes", new { linked_account_id = id }, Ct);
        await ApiAssert.ErrorAsync(response, 400, "BAD_REQUEST", "VALIDATION_ERROR");
    }

    [Fact]
    public async Task Issue_ForceRefreshInBody_IsHeard_AndAConflictIsRefused()
    {
        var id = await app.CreateLinkedAccountAsync();
        var first = await app.CreateSessionTokenAsync(id);

        var reused = await ApiAssert.OkAsync(await app.ClientFor().PostAsJsonAsync(Issue, new { linked_account_id = id, force_refresh = false }, Ct));
        Assert.Equal(first, reused.Str("token"));
        var forced = await ApiAssert.OkAsync(await app.ClientFor().PostAsJsonAsync(Issue, new { linked_account_id = id, force_refresh = true }, Ct));
        RefoldOpenApi.AssertResponse("POST", Issue, 200, forced);
        Assert.NotEqual(first, forced.Str("token"));
        var forcedAsString = await ApiAssert.OkAsync(await app.ClientFor().PostAsJsonAsync(Issue, new { linked_account_id = id, force_refresh = "true" }, Ct));
        Assert.NotEqual(forced.Str("token"), forcedAsString.Str("token"));

        await ApiAssert.ErrorAsync(await app.ClientFor().PostAsJsonAsync(Issue, new { linked_account_id = id, force_refresh = "yes" }, Ct),
            400, "BAD_REQUEST", "VALIDATION_ERROR", "'force_refresh' must be a boolean");
        await ApiAssert.ErrorAsync(await app.ClientFor().PostAsJsonAsync($"{Issue}?force_refresh=true", new { linked_account_id = id, force_refresh = false }, Ct),
            400, "BAD_REQUEST", "VALIDATION_ERROR",
            "'force_refresh' is given in the query and in the body with different values; send it once, as the query parameter ?force_refresh=true");
        // The same value in both places is no conflict.
        var both = await ApiAssert.OkAsync(await app.ClientFor().PostAsJsonAsync($"{Issue}?force_refresh=true", new { linked_account_id = id, force_refresh = true }, Ct));
        Assert.NotEqual(forcedAsString.Str("token"), both.Str("token"));
    }

    [Fact]
    public async Task Revoke_ReturnsCount_AndIsContractShaped()
    {
        var id = await app.CreateLinkedAccountAsync();
        var json = await ApiAssert.OkAsync(await app.SessionClient(await app.CreateSessionTokenAsync(id)).PostAsync($"{Issue}/revoke", null, Ct));
        RefoldOpenApi.AssertResponse("POST", $"{Issue}/revoke", 200, json);
        Assert.Equal(1, json.GetProperty("revoked_count").GetInt32());
    }

    [Fact]
    public async Task Refresh_TradesRefreshTokenOnce()
    {
        var id = await app.CreateLinkedAccountAsync();
        var issued = await ApiAssert.OkAsync(await app.ClientFor().PostAsJsonAsync(Issue, new { linked_account_id = id }, Ct));
        var refreshToken = issued.Str("refresh_token");
        // Refold's decommissioned path is not Patchbay's: the route lives under Patchbay's own prefix.
        await ApiAssert.ErrorAsync(await app.CreateClient().PostAsJsonAsync($"{Issue}/refresh", new { refresh_token = refreshToken }, Ct), 404, "NOT_FOUND", "ROUTE_NOT_FOUND");

        var refreshed = await ApiAssert.OkAsync(await app.CreateClient().PostAsJsonAsync(Refresh, new { refresh_token = refreshToken }, Ct));
        var newToken = refreshed.Str("token");
        Assert.NotEqual(issued.Str("token"), newToken);
        await ApiAssert.OkAsync(await app.SessionClient(newToken).GetAsync("/api/v2/public/session/active-linked-account", Ct));
        // The old session is gone, and its refresh token cannot be replayed.
        await ApiAssert.ErrorAsync(await app.SessionClient(issued.Str("token")).GetAsync("/api/v2/public/session/active-linked-account", Ct),
            401, "UNAUTHORIZED", "INVALID_TOKEN", "Invalid token");
        await ApiAssert.ErrorAsync(await app.CreateClient().PostAsJsonAsync(Refresh, new { refresh_token = refreshToken }, Ct),
            401, "UNAUTHORIZED", "INVALID_TOKEN", "Invalid token");
    }

    [Fact]
    public async Task Refresh_WithAccessToken_IsRefused_AndRefreshTokenIsNoBearer()
    {
        var id = await app.CreateLinkedAccountAsync();
        var issued = await ApiAssert.OkAsync(await app.ClientFor().PostAsJsonAsync(Issue, new { linked_account_id = id }, Ct));
        await ApiAssert.ErrorAsync(await app.CreateClient().PostAsJsonAsync(Refresh, new { refresh_token = issued.Str("token") }, Ct),
            401, "UNAUTHORIZED", "INVALID_TOKEN", "Invalid token");
        await ApiAssert.ErrorAsync(await app.SessionClient(issued.Str("refresh_token")).GetAsync("/api/v2/public/session/active-linked-account", Ct),
            401, "UNAUTHORIZED", "INVALID_TOKEN", "Invalid token");
    }

    [Fact]
    public async Task SessionLifetime_IsConfigurable()
    {
        await using var node = app.CreateNode(new Dictionary<string, string?> { ["Patchbay:Auth:SessionLifetime"] = "01:00:00" });
        await node.InitializeAsync();
        var id = await node.CreateLinkedAccountAsync();
        var json = await ApiAssert.OkAsync(await node.ClientFor().PostAsJsonAsync(Issue, new { linked_account_id = id }, Ct));
        Assert.InRange(json.GetProperty("expires_in").GetInt64(), 3590, 3600);
    }

    [Fact]
    public async Task Sessions_AreStoredWithoutTheToken()
    {
        var id = await app.CreateLinkedAccountAsync();
        var token = await app.CreateSessionTokenAsync(id);
        var rows = await app.Db.QueryAsync<string>(
            "select id || '|' || org_id || '|' || account_id || '|' || linked_account_row_id from session_tokens where account_id = @id", new { id }, Ct);
        var row = Assert.Single(rows);
        Assert.DoesNotContain(token.Split('.')[2], row, StringComparison.Ordinal);
    }
}

public sealed class SqliteSessionTokensTests(SqliteApp app) : SessionTokensTests(app), IClassFixture<SqliteApp>;
public sealed class PostgresSessionTokensTests(PostgresApp app) : SessionTokensTests(app), IClassFixture<PostgresApp>;

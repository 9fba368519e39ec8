using System.Net.Http.Json;
using Patchbay.Tests.Infrastructure;
using Xunit;

namespace Patchbay.Tests.Operations;

// Secrets never print: everything the server logs at Debug through the flows that handle keys, tokens and
// credentials (successes and failures) is searched for them.
public sealed class DebugLoggingSqliteApp : SqliteApp
{
    public DebugLoggingSqliteApp()
    {
        Settings["Logging:LogLevel:Default"] = "Debug";
        WithFakeProvider = true;
    }
}

public sealed class LoggingTests(DebugLoggingSqliteApp app) : IClassFixture<DebugLoggingSqliteApp>
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Logs_AtDebug_ContainNoKeyTokenOrCredential()
    {
        var credential = "cred-" + Guid.NewGuid().ToString("N");
        var id = await app.CreateLinkedAccountAsync(new { your_app = new { auth_credentials = new { api_key = credential + "-1" } } });
        await ApiAssert.OkAsync(await app.ClientFor(linkedAccountId: id).PutAsJsonAsync(
            "/api/v2/public/linked-account/default-app/auth-credentials/token", new { value = credential + "-2" }, Ct));
        var issued = await ApiAssert.OkAsync(await app.ClientFor().PostAsJsonAsync("/api/v2/public/session-token", new { linked_account_id = id }, Ct));
        var token = issued.Str("token");
        await ApiAssert.OkAsync(await app.SessionClient(token).GetAsync("/api/v2/public/session/active-linked-account", Ct));
        await app.CreateClient().PostAsJsonAsync("/api/v2/public/session-token/refresh", new { refresh_token = issued.Str("refresh_token") }, Ct);
        await app.SessionClient(token + "x").GetAsync("/api/v2/public/session/active-linked-account", Ct);
        var bogusKey = "tk" + Guid.NewGuid();
        await app.ClientFor(bogusKey).GetAsync("/api/v2/public/linked-account", Ct);
        var (orgId, orgKey, _) = await app.CreateOrgAsync();
        var regenerated = await ApiAssert.OkAsync(await app.AdminClient().PostAsync($"/admin/v1/orgs/{orgId}/api-keys/test/regenerate", null, Ct));
        // Provider verification: accepted, refused, unreachable; tokens migrated.
        var save = "/api/v2/public/linked-account/integration/save-key-credentials";
        await ApiAssert.OkAsync(await app.ClientFor(linkedAccountId: id).PutAsJsonAsync($"{save}/stripe", new { api_key = FakeProvider.StripeKey }, Ct));
        await app.ClientFor(linkedAccountId: id).PutAsJsonAsync($"{save}/stripe", new { api_key = credential + "-3" }, Ct);
        await app.ClientFor(linkedAccountId: id).PutAsJsonAsync($"{save}/brevo", new { api_key = credential + "-4" }, Ct);
        await app.ClientFor(linkedAccountId: id).PutAsJsonAsync("/api/v2/public/migrate-token",
            new { slug = "hubspot", auth_object = new { oauth2 = new { access_token = credential + "-5", refresh_token = credential + "-6" } } }, Ct);
        // A failure that is logged with its exception.
        await app.Db.ExecuteAsync("update linked_accounts set udf = 'broken' where account_id = @id", new { id }, Ct);
        await app.ClientFor().GetAsync($"/api/v2/public/linked-account/{id}", Ct);

        var logs = app.Logs.All;
        Assert.Contains("Unhandled exception", logs, StringComparison.Ordinal); // the capture does see the server's logs
        string[] secrets = [credential, FakeProvider.StripeKey, token, token.Split('.')[2], issued.Str("refresh_token"), app.TestApiKey, bogusKey, orgKey,
                            regenerated.Str("api_key"), app.MasterKey, PatchbayApp.AdminToken];
        foreach (var secret in secrets) Assert.DoesNotContain(secret, logs, StringComparison.Ordinal);
    }
}

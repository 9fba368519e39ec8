using System.Net.Http.Json;
using Patchbay.Tests.Apps;
using Patchbay.Tests.Infrastructure;
using Xunit;

namespace Patchbay.Tests.Hosted;

// Chromium talks to a real socket; the page connects a key-based app (fake provider) and an OAuth app (fake OAuth).
public sealed class BrowserOptions : IAppOptions
{
    public void Configure(AppSetup setup)
    {
        setup.FakeProvider = true;
        setup.FakeOAuth = true;
        setup.Kestrel = true;
    }
}

// The hosted Connect page in Debian's headless Chromium, driven by playwright-core from tests/browser (test.sh
// installs both): a key-based app through the form, an OAuth app through the fake provider's consent, both shown
// connected, one disconnected, the page on a phone. The server's own view is checked afterwards.
public abstract class BrowserTests(PatchbayApp app)
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task HostedConnectPage_KeyBasedAndOAuth_ConnectThenDisconnect()
    {
        BrowserScript.AssertInstalled();

        var (orgId, key, _) = await app.CreateOrgAsync("Acme");
        await ApiAssert.OkAsync(await app.AdminClient().PutAsJsonAsync($"/admin/v1/orgs/{orgId}/oauth/asana",
            new { client_id = FakeOAuthProvider.ClientId, client_secret = FakeOAuthProvider.ClientSecret }, Ct));
        var account = await app.CreateLinkedAccountAsync(apiKey: key);
        var token = await app.CreateSessionTokenAsync(account, key);
        using var session = new HttpClient { BaseAddress = new Uri(app.BaseAddress) };
        session.DefaultRequestHeaders.Authorization = new("Bearer", token);
        var hosted = await ApiAssert.OkAsync(await session.PostAsJsonAsync("/api/v2/public/connect-url?single_use=true",
            new { name = "Acme", button_color = "#0f766e" }, Ct));

        await BrowserScript.RunAsync("connect-page.mjs", [hosted.Str("hosted_url"), FakeProvider.StripeKey, BrowserScript.Screenshots(app)], okSteps: 8, TimeSpan.FromMinutes(2), Ct);

        // What the browser did is what the server holds.
        var apps = await ApiAssert.OkAsync(await app.ClientFor(key, account).GetAsync("/api/v2/public/application", Ct));
        var connected = apps.EnumerateArray().Where(a => a.GetProperty("connected").GetBoolean()).Select(a => a.Str("slug"));
        Assert.Equal(["asana"], connected);
        var asana = apps.EnumerateArray().Single(a => a.Str("slug") == "asana");
        Assert.Equal(FakeOAuthProvider.Email, asana.GetProperty("connected_accounts")[0].Str("identifier"));
    }
}

public sealed class SqliteBrowserTests(SqliteApp<BrowserOptions> app) : BrowserTests(app), IClassFixture<SqliteApp<BrowserOptions>>;
public sealed class PostgresBrowserTests(PostgresApp<BrowserOptions> app) : BrowserTests(app), IClassFixture<PostgresApp<BrowserOptions>>;

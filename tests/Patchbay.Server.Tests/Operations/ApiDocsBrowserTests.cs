using Patchbay.Tests.Apps;
using Patchbay.Tests.Infrastructure;
using Xunit;

namespace Patchbay.Tests.Operations;

// The API reference (/docs) in Debian's headless Chromium, driven by tests/browser/api-docs.mjs: the served
// document's operations render, a linked-account route shows its header and authentication, no hosted-service
// button (deploy, SDK generation, AI, sharing) is shown, and nothing is loaded from another host.
public abstract class ApiDocsBrowserTests(PatchbayApp app)
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Docs_InChromium_RenderOfflineWithoutHostedServiceButtons()
    {
        BrowserScript.AssertInstalled();

        await BrowserScript.RunAsync("api-docs.mjs", [app.BaseAddress, BrowserScript.Screenshots(app)], okSteps: 4, TimeSpan.FromMinutes(2), Ct);
    }
}

public sealed class SqliteApiDocsBrowserTests(SqliteApp<KestrelOptions> app) : ApiDocsBrowserTests(app), IClassFixture<SqliteApp<KestrelOptions>>;
public sealed class PostgresApiDocsBrowserTests(PostgresApp<KestrelOptions> app) : ApiDocsBrowserTests(app), IClassFixture<PostgresApp<KestrelOptions>>;

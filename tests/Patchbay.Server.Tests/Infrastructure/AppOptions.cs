namespace Patchbay.Tests.Infrastructure;

// What a test class asks of its server, declared once as its fixture's type argument:
//   public sealed class SqliteConnectionsTests(SqliteApp<FakeProviderOptions> app) : ConnectionsTests(app), IClassFixture<SqliteApp<FakeProviderOptions>>;
// An options type is a tiny class with a public parameterless constructor; it fills in an AppSetup before the server
// starts. The options shared by several features are here; a feature's own (settings only it needs) sit beside its tests.
public interface IAppOptions
{
    void Configure(AppSetup setup);
}

// What options can set, applied by PatchbayApp.InitializeAsync.
public sealed class AppSetup
{
    // The fake provider APIs on loopback (PatchbayApp.Fake), with the apps that use them pointed at it.
    public bool FakeProvider { get; set; }

    // The fake OAuth authorization server on loopback (PatchbayApp.FakeOAuth), with the OAuth apps pointed at it.
    public bool FakeOAuth { get; set; }

    // A real Kestrel server on a free loopback port instead of the in-memory TestServer, for clients outside this
    // process (Node SDKs, browsers, raw sockets).
    public bool Kestrel { get; set; }

    // Configuration on top of the test defaults (a test may add more through PatchbayApp.Settings before start).
    public IDictionary<string, string?> Settings { get; } = new Dictionary<string, string?>();
}

// The plain SqliteApp and PostgresApp.
public sealed class DefaultOptions : IAppOptions
{
    public void Configure(AppSetup setup) { }
}

// Talks to provider APIs: key verification, HTTP nodes, connected apps.
public sealed class FakeProviderOptions : IAppOptions
{
    public void Configure(AppSetup setup) => setup.FakeProvider = true;
}

// Runs OAuth flows.
public sealed class FakeOAuthOptions : IAppOptions
{
    public void Configure(AppSetup setup) => setup.FakeOAuth = true;
}

// Reached over a real socket.
public sealed class KestrelOptions : IAppOptions
{
    public void Configure(AppSetup setup) => setup.Kestrel = true;
}

// Talks to provider APIs, with code nodes under the default time limit (2 s) that the tests of that limit assert.
public sealed class CodeTimeLimitOptions : IAppOptions
{
    public void Configure(AppSetup setup)
    {
        ArgumentNullException.ThrowIfNull(setup);
        setup.FakeProvider = true;
        setup.Settings["Patchbay:Workflows:CodeTimeout"] = "00:00:02";
    }
}

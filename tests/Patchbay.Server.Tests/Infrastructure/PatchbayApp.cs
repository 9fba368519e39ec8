using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Patchbay.Data;
using Xunit;

namespace Patchbay.Tests.Infrastructure;

// One Patchbay server over its own fresh database, through the real stack: real configuration, real auth headers,
// real SQL. A test class gets one (IClassFixture), and creates the accounts and rows it reads. The fixture types are
// SqliteApp and PostgresApp (default options), or SqliteApp<TOptions> and PostgresApp<TOptions> for a test class that
// needs fakes, Kestrel or settings of its own: `IClassFixture<SqliteApp<FakeProviderOptions>>` (see AppOptions.cs).
public abstract class PatchbayApp : WebApplicationFactory<Program>, IAsyncLifetime
{
    public const string AdminToken = "test-admin-token-0123456789";

    readonly AppSetup setup = new();

    protected PatchbayApp(IAppOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Configure(setup);
        TestApiKey = "tk" + Guid.NewGuid().ToString("D");
        ProductionApiKey = "pk" + Guid.NewGuid().ToString("D");
        MasterKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        DataDirectory = Path.Combine(Path.GetTempPath(), "patchbay-tests", Guid.NewGuid().ToString("N"));
    }

    public FakeTimeProvider Time { get; private set; } = new(DateTimeOffset.UtcNow);

    // Every log line the server writes at or above the configured level (Logging:LogLevel:Default).
    public CapturedLogs Logs { get; } = new();

    // The same lines in the output of the test using the server (shown when it fails), instead of the console.
    public TestOutputLogs Output { get; } = new();
    public string TestApiKey { get; private set; }
    public string ProductionApiKey { get; private set; }
    public string MasterKey { get; private set; }
    public string DataDirectory { get; }
    public string ConnectionString { get; protected set; } = "";
    public abstract DatabaseProvider Provider { get; }

    // Settings the options or a test add on top of the defaults (before the server starts).
    public IDictionary<string, string?> Settings => setup.Settings;

    public Db Db => Services.GetRequiredService<Db>();

    // Set when the options ask for the fake provider APIs (AppSetup.FakeProvider, see UseFakeProvider).
    public FakeProvider? Fake { get; private set; }

    // Set when the options ask for the fake authorization server (AppSetup.FakeOAuth, see UseFakeOAuth).
    public FakeOAuthProvider? FakeOAuth { get; private set; }

    public static readonly string[] FakeOAuthApps = ["asana", "notion", "box", "helpscout"];

    public string BaseAddress => AttachOutput().Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>()
        .Features.Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()!.Addresses.First();

    public virtual async ValueTask InitializeAsync()
    {
        AttachOutput();
        if (setup.FakeProvider && sharedFrom is null) UseFakeProvider(Fake = await FakeProvider.StartAsync());
        if (setup.FakeOAuth && sharedFrom is null) UseFakeOAuth(FakeOAuth = await FakeOAuthProvider.StartAsync());
        Directory.CreateDirectory(DataDirectory);
        if (sharedFrom is null) ConnectionString = await CreateDatabaseAsync();
        if (setup.Kestrel) UseKestrel(0);
        StartServer(); // now, so a start-up failure fails the fixture with its own message
    }

    protected abstract Task<string> CreateDatabaseAsync();

    protected abstract Task DropDatabaseAsync();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var defaults = new Dictionary<string, string?>
        {
            ["Patchbay:DataDirectory"] = DataDirectory,
            ["Patchbay:Database:Provider"] = Provider.ToString(),
            ["Patchbay:Database:ConnectionString"] = ConnectionString,
            ["Patchbay:Vault:MasterKey"] = MasterKey,
            ["Patchbay:Admin:Token"] = AdminToken,
            ["Patchbay:Bootstrap:TestApiKey"] = TestApiKey,
            ["Patchbay:Bootstrap:ProductionApiKey"] = ProductionApiKey,
            ["Patchbay:Workers:Enabled"] = "false",
            // Code nodes run in sandbox processes at a lower priority: on a busy machine a script may wait a long
            // time for a core, and a test must see the limit it is about trip, not the clock's. The tests of the time
            // limit set it back (CodeTimeLimitOptions).
            ["Patchbay:Workflows:CodeTimeout"] = "00:05:00",
            ["Patchbay:Workflows:SyncTimeout"] = "00:10:00",
            // Tests send many requests per key; the rate-limit tests set the real limits on their own server.
            ["Patchbay:RateLimits:PermitsPerSecond"] = "1000000",
            ["Patchbay:RateLimits:Burst"] = "1000000",
            ["Patchbay:RateLimits:UnknownCredentialPermitsPerSecond"] = "1000000",
            ["Patchbay:RateLimits:UnknownCredentialBurst"] = "1000000",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        // The in-memory server's address, which the host reports as the one it listens on (not the shipped :8080).
        if (!setup.Kestrel) defaults["Urls"] = "http://localhost";
        foreach (var (key, value) in defaults.Concat(Settings)) builder.UseSetting(key, value);
        builder.ConfigureLogging(logging => logging.ClearProviders()); // no console: the test's output instead (Output)
        builder.ConfigureTestServices(services =>
        {
            services.AddSingleton<TimeProvider>(Time);
            services.AddSingleton<Microsoft.Extensions.Logging.ILoggerProvider>(Logs);
            services.AddSingleton<Microsoft.Extensions.Logging.ILoggerProvider>(Output);
        });
    }

    protected override void ConfigureClient(HttpClient client)
    {
        ArgumentNullException.ThrowIfNull(client);
        AttachOutput();
        base.ConfigureClient(client);
        // Not HttpClient's 100 s: a sync execute of code on a loaded machine can take longer, and a test fails with
        // its own assertion rather than a cancelled request.
        client.Timeout = TimeSpan.FromMinutes(10);
    }

    PatchbayApp AttachOutput()
    {
        Output.Attach();
        return this;
    }

    // Provider traffic of some apps goes to the fake on loopback (which the egress policy is told to allow); others
    // are pointed at places that fail in known ways.
    void UseFakeProvider(FakeProvider provider)
    {
        Settings["Patchbay:Egress:AllowedNetworks:0"] = "127.0.0.0/8";
        // Long enough for any loopback answer on a loaded machine; the fake's slow provider never answers in time.
        Settings["Patchbay:Apps:VerifyTimeout"] = $"00:00:{VerifyTimeoutSeconds:00}";
        foreach (var slug in (string[])["stripe", "netsuite", "hubspot", "sendgrid"])
            Settings[$"Patchbay:Apps:Overrides:{slug}:BaseUrl"] = provider.BaseUrl;
        // Apps whose host holds a customer's value keep it in the overridden URL, as a path segment.
        Settings["Patchbay:Apps:Overrides:shopify:BaseUrl"] = provider.BaseUrl + "/shopify/{{shop_domain|label|lower}}";
        Settings["Patchbay:Apps:Overrides:freshdesk:BaseUrl"] = provider.BaseUrl + "/freshdesk/{{subdomain|trim|lower}}";
        Settings["Patchbay:Apps:Overrides:zendesk:BaseUrl"] = provider.BaseUrl + "/zendesk/{{subdomain|trim|lower}}";
        Settings["Patchbay:Apps:Overrides:brevo:BaseUrl"] = "http://patchbay-test.invalid";             // never resolves (RFC 6761)
        Settings["Patchbay:Apps:Overrides:pipedrive:BaseUrl"] = $"http://127.0.0.1:{ClosedPort}";       // nothing listens
        Settings["Patchbay:Apps:Overrides:klaviyo:BaseUrl"] = "http://169.254.169.254";                 // metadata address: refused
    }

    // OAuth apps whose authorization server, token endpoint and API are the fake on loopback. Zendesk keeps its
    // {{subdomain}} prerequisite in the overridden URLs, as a path segment the fake records.
    void UseFakeOAuth(FakeOAuthProvider provider)
    {
        Settings["Patchbay:Egress:AllowedNetworks:0"] = "127.0.0.0/8";
        foreach (var slug in FakeOAuthApps.Append("zendesk/{{subdomain|trim|lower}}"))
        {
            var key = slug.Split('/')[0];
            Settings[$"Patchbay:Apps:Overrides:{key}:AuthorizeUrl"] = $"{provider.BaseUrl}/{slug}/authorize";
            Settings[$"Patchbay:Apps:Overrides:{key}:TokenUrl"] = $"{provider.BaseUrl}/{slug}/token";
            Settings[$"Patchbay:Apps:Overrides:{key}:BaseUrl"] = $"{provider.BaseUrl}/{slug}";
        }
    }

    // Patchbay:Apps:VerifyTimeout of the servers with the fake provider.
    public const int VerifyTimeoutSeconds = 10;

    public static readonly int ClosedPort = FindClosedPort();

    static int FindClosedPort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    public HttpClient ClientFor(string? apiKey = null, string? linkedAccountId = null)
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Add("x-api-key", apiKey ?? TestApiKey);
        if (linkedAccountId is not null) client.DefaultRequestHeaders.Add("linked_account_id", linkedAccountId);
        return client;
    }

    public HttpClient SessionClient(string token)
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", token);
        return client;
    }

    public HttpClient AdminClient()
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", AdminToken);
        return client;
    }

    public static string NewAccountId() => "user_" + Guid.NewGuid().ToString("N")[..12];

    // Creates a linked account through the public API and returns its account_id.
    public async Task<string> CreateLinkedAccountAsync(object? extra = null, string? apiKey = null)
    {
        var id = NewAccountId();
        var body = new Dictionary<string, object?> { ["linked_account_id"] = id, ["name"] = "Account " + id };
        if (extra is not null)
        {
            foreach (var property in JsonSerializer.SerializeToElement(extra).EnumerateObject())
                body[property.Name] = property.Value;
        }
        var response = await ClientFor(apiKey).PostAsJsonAsync("/api/v2/public/linked-account", body);
        await ApiAssert.OkAsync(response);
        return id;
    }

    public async Task<string> CreateSessionTokenAsync(string accountId, string? apiKey = null, bool forceRefresh = false)
    {
        var response = await ClientFor(apiKey).PostAsJsonAsync(
            "/api/v2/public/session-token" + (forceRefresh ? "?force_refresh=true" : ""), new { linked_account_id = accountId });
        var json = await ApiAssert.OkAsync(response);
        return json.GetProperty("token").GetString()!;
    }

    // A new organization (admin API) with its own keys: for tenancy tests and exact totals.
    public async Task<(string OrgId, string TestKey, string ProductionKey)> CreateOrgAsync(string name = "Other Org")
    {
        var response = await AdminClient().PostAsJsonAsync("/admin/v1/orgs", new { name });
        var json = await ApiAssert.JsonAsync(response, 201);
        var keys = json.GetProperty("api_keys");
        return (json.GetProperty("org").GetProperty("id").GetString()!, keys.GetProperty("test").GetString()!, keys.GetProperty("production").GetString()!);
    }

    // Another server over the same database and master key: a second node of the same deployment.
    public abstract PatchbayApp CreateNode(IDictionary<string, string?>? extraSettings = null);

    protected T CopyTo<T>(T node, IDictionary<string, string?>? extraSettings) where T : PatchbayApp
    {
        ArgumentNullException.ThrowIfNull(node);
        node.ConnectionString = ConnectionString;
        node.Fake = Fake;
        node.FakeOAuth = FakeOAuth;
        node.TestApiKey = TestApiKey;
        node.ProductionApiKey = ProductionApiKey;
        node.MasterKey = MasterKey;
        foreach (var (k, v) in Settings) node.Settings[k] = v;
        node.sharedFrom = this; // before InitializeAsync: a node neither creates a database nor starts a provider
        if (extraSettings is not null) foreach (var (k, v) in extraSettings) node.Settings[k] = v;
        // The node's clock starts where this one is, never ahead of it: a node whose clock ran ahead (a fixture made a
        // minute earlier on a busy machine) would take this node's leases for lapsed and claim its work a second time.
        // Each keeps its own clock after that, so a test may move one node's time without moving the fixture's.
        node.Time = new FakeTimeProvider(Time.GetUtcNow());
        return node;
    }

    PatchbayApp? sharedFrom;

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (sharedFrom is null)
        {
            if (Fake is not null) await Fake.DisposeAsync();
            if (FakeOAuth is not null) await FakeOAuth.DisposeAsync();
            await DropDatabaseAsync();
            try { Directory.Delete(DataDirectory, recursive: true); }
            catch (IOException) { }
        }
        GC.SuppressFinalize(this);
    }
}

// A server over a fresh SQLite file, with default options.
public class SqliteApp : PatchbayApp
{
    public SqliteApp() : this(new DefaultOptions()) { }

    protected SqliteApp(IAppOptions options) : base(options) { }

    public override DatabaseProvider Provider => DatabaseProvider.Sqlite;

    protected override Task<string> CreateDatabaseAsync() =>
        Task.FromResult($"Data Source={Path.Combine(DataDirectory, "patchbay.db")}");

    protected override Task DropDatabaseAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        return Task.CompletedTask;
    }

    public override PatchbayApp CreateNode(IDictionary<string, string?>? extraSettings = null) => CopyTo(new SqliteApp(), extraSettings);
}

// A server over a fresh database of the suite's PostgreSQL server (an assembly fixture), with default options.
public class PostgresApp : PatchbayApp
{
    public PostgresApp(PostgresServer server) : this(server, new DefaultOptions()) { }

    protected PostgresApp(PostgresServer server, IAppOptions options) : base(options) => PostgresServer = server;

    public PostgresServer PostgresServer { get; }

    public override DatabaseProvider Provider => DatabaseProvider.Postgres;

    protected override Task<string> CreateDatabaseAsync() => PostgresServer.CreateDatabaseAsync();

    protected override Task DropDatabaseAsync() => PostgresServer.DropDatabaseAsync(ConnectionString);

    public override PatchbayApp CreateNode(IDictionary<string, string?>? extraSettings = null) => CopyTo(new PostgresApp(PostgresServer), extraSettings);
}

// The same servers with the options of a test class: `IClassFixture<SqliteApp<FakeProviderOptions>>`.
public sealed class SqliteApp<TOptions>() : SqliteApp(new TOptions()) where TOptions : IAppOptions, new();

public sealed class PostgresApp<TOptions>(PostgresServer server) : PostgresApp(server, new TOptions()) where TOptions : IAppOptions, new();

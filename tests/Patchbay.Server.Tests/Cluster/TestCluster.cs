using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using Patchbay.Tests.Infrastructure;
using Xunit;

namespace Patchbay.Tests.Cluster;

// Several real server processes (dotnet Patchbay.Server.dll) on one PostgreSQL database, as a cluster runs: each has
// its own port, all share the database, the master key and the bootstrap key. Disposing kills what still runs and
// drops the database.
public sealed class TestCluster : IAsyncDisposable
{
    public const string AdminToken = "cluster-admin-token-0123456789";

    readonly PostgresServer server;
    readonly List<Node> nodes = [];
    readonly string masterKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
    readonly string data = Path.Combine(Path.GetTempPath(), "patchbay-cluster", Guid.NewGuid().ToString("N"));

    public string ApiKey { get; } = "tk" + Guid.NewGuid().ToString("D");
    public string ConnectionString { get; private set; } = "";
    public string DatabaseName => new NpgsqlConnectionStringBuilder(ConnectionString).Database!;

    // Settings every node gets (a test adds its own before starting nodes).
    public Dictionary<string, string> Settings { get; } = new()
    {
        ["Patchbay__RateLimits__Enabled"] = "false",
        ["Patchbay__Egress__AllowedNetworks__0"] = "127.0.0.0/8",
        ["Patchbay__Workflows__PollInterval"] = "00:00:00.200",
        ["Patchbay__Cluster__HeartbeatInterval"] = "00:00:00.500",
        ["Patchbay__Cluster__DeadAfter"] = "00:00:05",
        ["Logging__Console__FormatterName"] = "simple",
        ["Logging__LogLevel__Default"] = "Warning",
    };

    TestCluster(PostgresServer server) => this.server = server;

    public static async Task<TestCluster> CreateAsync(PostgresServer server)
    {
        var cluster = new TestCluster(server);
        cluster.ConnectionString = new NpgsqlConnectionStringBuilder(await server.CreateDatabaseAsync())
        {
            Timeout = 5, CommandTimeout = 30, MaxPoolSize = 20, // an unreachable database fails requests fast
        }.ConnectionString;
        Directory.CreateDirectory(cluster.data);
        return cluster;
    }

    public IReadOnlyList<Node> Nodes => nodes;

    public async Task<Node> StartNodeAsync(IDictionary<string, string>? extra = null)
    {
        var port = FreePort();
        var environment = new Dictionary<string, string>(Settings)
        {
            ["Urls"] = $"http://127.0.0.1:{port}",
            ["Patchbay__DataDirectory"] = data,
            ["Patchbay__Database__Provider"] = "Postgres",
            ["Patchbay__Database__ConnectionString"] = ConnectionString,
            ["Patchbay__Vault__MasterKey"] = masterKey,
            ["Patchbay__Bootstrap__TestApiKey"] = ApiKey,
            ["Patchbay__Admin__Token"] = AdminToken,
        };
        foreach (var (k, v) in extra ?? new Dictionary<string, string>()) environment[k] = v;
        var node = new Node(ServerProcess.Start([], environment), $"http://127.0.0.1:{port}", ApiKey);
        nodes.Add(node);
        await node.WaitReadyAsync();
        return node;
    }

    // Until every live node's membership counts `count` live nodes (and the rate limits have been divided accordingly).
    public async Task WaitForMembersAsync(int count)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        foreach (var node in nodes.Where(n => !n.Process.HasExited))
        {
            while (true)
            {
                var list = await node.AdminGetAsync("/admin/v1/nodes");
                if (list.GetProperty("live").GetInt32() == count) break;
                Assert.True(DateTime.UtcNow < deadline, $"membership never reached {count}: {list}");
                await Task.Delay(200, Ct);
            }
        }
        await Task.Delay(1200, Ct); // two heartbeats: each node has re-counted
    }

    // Statements against the cluster's database, from the test (not through a node).
    public async Task<T?> ScalarAsync<T>(string sql, params (string Name, object Value)[] args)
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(ConnectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync(Ct);
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in args) command.Parameters.AddWithValue(name, value);
        var result = await command.ExecuteScalarAsync(Ct);
        return result is null or DBNull ? default : (T)Convert.ChangeType(result, typeof(T), System.Globalization.CultureInfo.InvariantCulture);
    }

    // The lease owners of the given executions now.
    public async Task<Dictionary<string, string?>> LeaseOwnersAsync(IReadOnlyCollection<string> ids)
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(ConnectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync(Ct);
        await using var command = new NpgsqlCommand("select id, lease_owner from executions where id = any(@ids)", connection);
        command.Parameters.AddWithValue("ids", ids.ToArray());
        var owners = new Dictionary<string, string?>();
        await using var reader = await command.ExecuteReaderAsync(Ct);
        while (await reader.ReadAsync(Ct)) owners[reader.GetString(0)] = reader.IsDBNull(1) ? null : reader.GetString(1);
        return owners;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in nodes) await node.DisposeAsync();
        try { await server.DropDatabaseAsync(ConnectionString); }
        catch (NpgsqlException) { } // the test left PostgreSQL stopped
        try { Directory.Delete(data, recursive: true); }
        catch (IOException) { }
    }

    static CancellationToken Ct => TestContext.Current.CancellationToken;

    static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    // One server process of the cluster, with a client carrying the bootstrap key.
    public sealed class Node(ServerProcess process, string baseUrl, string apiKey) : IAsyncDisposable
    {
        public ServerProcess Process { get; } = process;
        public string BaseUrl { get; } = baseUrl;
        public HttpClient Client { get; } = NewClient(baseUrl, apiKey);
        public string Id { get; private set; } = "";

        static HttpClient NewClient(string baseUrl, string apiKey)
        {
            var client = new HttpClient { BaseAddress = new Uri(baseUrl), Timeout = TimeSpan.FromSeconds(30) };
            client.DefaultRequestHeaders.Add("x-api-key", apiKey);
            return client;
        }

        public async Task WaitReadyAsync()
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            var deadline = DateTime.UtcNow.AddMinutes(3); // bounds a failing start; a busy machine starts slowly
            while (DateTime.UtcNow < deadline)
            {
                Assert.False(Process.HasExited, "The server exited:\n" + Process.Output);
                try
                {
                    if ((await http.GetAsync($"{BaseUrl}/readyz", Ct)).IsSuccessStatusCode)
                    {
                        var list = await AdminGetAsync("/admin/v1/nodes");
                        var self = list.GetProperty("nodes").EnumerateArray().FirstOrDefault(n => n.GetProperty("self").GetBoolean());
                        if (self.ValueKind == JsonValueKind.Object)
                        {
                            Id = self.GetProperty("id").GetString()!;
                            return;
                        }
                    }
                }
                catch (HttpRequestException) { }
                catch (TaskCanceledException) when (!Ct.IsCancellationRequested) { }
                await Task.Delay(200, Ct);
            }
            Assert.Fail("The server did not become ready:\n" + Process.Output);
        }

        public async Task<JsonElement> AdminGetAsync(string path)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, BaseUrl + path);
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", AdminToken);
            using var http = new HttpClient();
            var response = await http.SendAsync(request, Ct);
            Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(Ct)}");
            return await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        }

        public async ValueTask DisposeAsync()
        {
            Client.Dispose();
            await Process.DisposeAsync();
        }
    }
}

// An API on loopback for HTTP nodes to call: /slow answers after `ms`, /fast at once; both count calls per `i`.
public sealed class FakeTarget : IAsyncDisposable
{
    readonly WebApplication app;

    public ConcurrentDictionary<string, int> Slow { get; } = new();
    public ConcurrentDictionary<string, int> Fast { get; } = new();
    public string BaseUrl { get; private set; } = "";

    public FakeTarget()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseSetting("urls", "http://127.0.0.1:0");
        app = builder.Build();
        app.MapGet("/slow", async (string i, int ms, CancellationToken ct) =>
        {
            Slow.AddOrUpdate(i, 1, (_, n) => n + 1);
            await Task.Delay(ms, ct);
            return Microsoft.AspNetCore.Http.Results.Json(new { i });
        });
        app.MapGet("/fast", (string i) =>
        {
            Fast.AddOrUpdate(i, 1, (_, n) => n + 1);
            return Microsoft.AspNetCore.Http.Results.Json(new { i });
        });
    }

    public static async Task<FakeTarget> StartAsync()
    {
        var target = new FakeTarget();
        await target.app.StartAsync();
        target.BaseUrl = target.app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return target;
    }

    public ValueTask DisposeAsync() => app.DisposeAsync();
}

// The workflow calls a test needs, over HTTP with the bootstrap key.
public static class ClusterWorkflows
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static async Task<string> CreateAccountAsync(HttpClient client)
    {
        var account = "cl_" + Guid.NewGuid().ToString("N")[..10];
        (await client.PostAsJsonAsync("/api/v2/public/linked-account", new { linked_account_id = account }, Ct)).EnsureSuccessStatusCode();
        return account;
    }

    // Publishes start → the given nodes in a chain → response; returns the version id.
    public static async Task<string> PublishAsync(HttpClient client, string account, params (string Id, object Node)[] chain)
    {
        var created = await (await Send(client, HttpMethod.Post, "/api/v2/public/workflow", account, new { name = "cluster " + Guid.NewGuid().ToString("N")[..6] }))
            .Content.ReadFromJsonAsync<JsonElement>(Ct);
        var draft = created.GetProperty("workflow").GetProperty("_id").GetString()!;
        var nodes = new List<object> { new { id = "start", type = "start" } };
        var edges = new List<object>();
        var previous = "start";
        foreach (var (id, node) in chain)
        {
            var fields = JsonSerializer.Deserialize<Dictionary<string, object>>(JsonSerializer.Serialize(node))!;
            fields["id"] = id;
            nodes.Add(fields);
            edges.Add(new { source = previous, target = id });
            previous = id;
        }
        nodes.Add(new { id = "out", type = "response", data = new { body = "{{payload.i}}" } });
        edges.Add(new { source = previous, target = "out" });
        (await Send(client, HttpMethod.Put, $"/api/v2/public/workflow/{draft}", account, new { nodes, edges })).EnsureSuccessStatusCode();
        var published = await (await Send(client, HttpMethod.Put, $"/api/v2/public/workflow/{draft}/publish", account, new { published = true }))
            .Content.ReadFromJsonAsync<JsonElement>(Ct);
        return published.GetProperty("_id").GetString()!;
    }

    // Starts an execution (asynchronous); its id, or null when the server refused (a 503 during an outage).
    public static Task<(int Status, string? Id)> ExecuteAsync(HttpClient client, string account, string version, string i) =>
        ExecuteAsync(client, account, version, (object)new { i });

    public static async Task<(int Status, string? Id)> ExecuteAsync(HttpClient client, string account, string version, object payload)
    {
        var response = await Send(client, HttpMethod.Post, $"/api/v1/workflow/{version}/execute", account, payload);
        if (!response.IsSuccessStatusCode) return ((int)response.StatusCode, null);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        return ((int)response.StatusCode, body.GetProperty("execution_id").GetString());
    }

    // Waits until none of the executions is RUNNING; their final documents.
    public static async Task<Dictionary<string, JsonElement>> WaitFinishedAsync(HttpClient client, string account, IReadOnlyCollection<string> ids, TimeSpan within)
    {
        var finished = new Dictionary<string, JsonElement>();
        var deadline = DateTime.UtcNow + within;
        while (finished.Count < ids.Count && DateTime.UtcNow < deadline)
        {
            foreach (var id in ids.Where(id => !finished.ContainsKey(id)))
            {
                var response = await Send(client, HttpMethod.Get, $"/api/v2/public/execution/{id}", account, null);
                if (!response.IsSuccessStatusCode) continue;
                var e = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
                if (e.GetProperty("status").GetString() != "RUNNING") finished[id] = e;
            }
            if (finished.Count < ids.Count) await Task.Delay(100, Ct);
        }
        return finished;
    }

    public static List<string> NodeIds(JsonElement execution) =>
        [.. execution.GetProperty("nodes").EnumerateArray().Select(n => n.GetProperty("node_id").GetString()!)];

    static Task<HttpResponseMessage> Send(HttpClient client, HttpMethod method, string path, string account, object? body)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Add("linked_account_id", account);
        if (body is not null) request.Content = new StringContent(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");
        return client.SendAsync(request, Ct);
    }
}

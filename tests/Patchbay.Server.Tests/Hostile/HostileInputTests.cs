using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Patchbay.Data;
using Patchbay.Tests.Infrastructure;
using Xunit;

namespace Patchbay.Tests.Hostile;

// The hostile-input suite: every write operation the server maps (found from its routing table, so a new endpoint
// is covered the day it lands) gets malformed bodies, and must answer a 4xx in the error shape, never a 5xx, and
// change nothing stored. Then field-level bounds, and the requests Kestrel itself refuses, over a raw socket.
public abstract class HostileInputTests(PatchbayApp app)
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    // Bodies that no JSON-reading handler may accept. Each is raw bytes, sent as application/json.
    public static readonly (string Name, byte[] Body)[] HostileBodies =
    [
        ("invalid UTF-8 in a string", [.. "{\"name\":\"a"u8, 0xFF, 0xFE, .. "\",\"linked_account_id\":\"x\"}"u8]),
        ("invalid UTF-8 in a key", [.. "{\""u8, 0xC3, 0x28, .. "\":1}"u8]),
        ("lone high surrogate", "{\"name\":\"\\ud800\",\"event\":\"\\ud800\"}"u8.ToArray()),
        ("lone low surrogate in a key", "{\"\\udc00x\":1}"u8.ToArray()),
        ("duplicate keys", "{\"name\":\"a\",\"name\":\"b\",\"event\":\"e\",\"event\":\"f\"}"u8.ToArray()),
        ("duplicate keys, nested", "{\"payload\":{\"a\":1,\"a\":2},\"nodes\":[{\"id\":\"s\",\"id\":\"t\"}]}"u8.ToArray()),
        ("nested 200 deep", Encoding.UTF8.GetBytes(new string('[', 200) + new string(']', 200))),
        ("object nested 100 deep", Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("{\"a\":", 100)) + "1" + new string('}', 100))),
        ("truncated", "{\"name\":"u8.ToArray()),
        ("an array for an object", "[{\"name\":\"a\"}]"u8.ToArray()),
        ("a string for an object", "\"name\""u8.ToArray()),
    ];

    [Fact]
    public async Task EveryWriteOperation_RefusesHostileBodies_WithA4xxInTheErrorShape_AndStoresNothing()
    {
        var account = await app.CreateLinkedAccountAsync();
        var token = await app.CreateSessionTokenAsync(account);
        var before = await SnapshotAsync();
        var operations = WriteOperations().Where(o => !TakeNoBody.Contains($"{o.Method} {o.Template}")).ToList();
        Assert.True(operations.Count >= 40, $"only {operations.Count} write operations found");
        var failures = new List<string>();
        foreach (var (method, template) in operations)
        {
            var path = Fill(template);
            foreach (var (name, body) in HostileBodies)
            {
                foreach (var auth in (string[])["key", "session"])
                {
                    using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = new ByteArrayContent(body) };
                    request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                    Authorize(request, template, auth, account, token);
                    request.Headers.Add("slug", "stripe");
                    using var response = await app.CreateClient().SendAsync(request, Ct);
                    var status = (int)response.StatusCode;
                    var text = await response.Content.ReadAsStringAsync(Ct);
                    if (status is < 400 or >= 500 || !IsErrorShape(text, status))
                        failures.Add($"{method} {template} [{auth}] with {name}: {status} {text[..Math.Min(text.Length, 200)]}");
                }
            }
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
        Assert.Equal(before, await SnapshotAsync());
    }

    // Oversized and mistyped values in the fields that are stored and listed: a 400 naming the field, nothing stored.
    public static TheoryData<string, string, string, string> BadFields => new()
    {
        { "POST", "/api/v2/public/linked-account", $$"""{"linked_account_id":"big-name","name":"{{new string('n', 501)}}"}""", "'name' must be at most 500 characters" },
        { "PUT", "/api/v2/public/linked-account", $$"""{"linked_account_id":"big-name","name":"{{new string('n', 501)}}"}""", "'name' must be at most 500 characters" },
        { "POST", "/api/v2/public/linked-account", """{"linked_account_id":"typed","name":{"a":1}}""", "'name' must be a string" },
        { "POST", "/api/v2/public/linked-account", "{\"linked_account_id\":\"big-cred\",\"your_app\":{\"auth_credentials\":{\"k\":\"" + new string('s', 10_001) + "\"}}}", "'your_app.auth_credentials.k' must be at most 10000 characters" },
        { "POST", "/api/v2/public/linked-account", "{\"linked_account_id\":\"big-udf\",\"udf\":{\"" + new string('k', 300) + "\":\"v\"}}", "'udf key' must be at most 256 characters" },
        { "POST", "/api/v2/public/workflow", $$"""{"name":"{{new string('w', 501)}}"}""", "'name' must be at most 500 characters" },
        { "POST", "/api/v2/public/workflow", $$"""{"name":"ok","slug":"{{new string('s', 300)}}"}""", "'slug' must be at most 256 characters" },
        { "POST", "/api/v2/public/application/event", $$"""{"name":"{{new string('e', 501)}}","response":"{}"}""", "'name' must be at most 500 characters" },
        { "POST", "/api/v2/public/application/event", """{"name":"dup","response":"{\"a\":1,\"a\":2}"}""", "has the key 'a' twice" },
        { "POST", "/api/v2/public/event", "{\"event\":\"" + new string('e', 501) + "\",\"payload\":{}}", "'event' must be at most 500 characters" },
        { "POST", "/api/v2/public/session-token", """{"linked_account_id":{"$ne":null}}""", "'linked_account_id' must be a string" },
    };

    [Theory]
    [MemberData(nameof(BadFields))]
    public async Task BadField_Is400NamingTheField_AndNothingIsStored(string method, string path, string body, string message)
    {
        var account = await app.CreateLinkedAccountAsync();
        var before = await SnapshotAsync();
        var client = app.ClientFor(app.TestApiKey, account);
        using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        using var response = await client.SendAsync(request, Ct);
        var json = await ApiAssert.JsonAsync(response, 400);
        Assert.Contains(message, json.Str("message"), StringComparison.Ordinal);
        Assert.True(IsErrorShape(json.GetRawText(), 400));
        Assert.Equal(before, await SnapshotAsync());
    }

    // Requests Kestrel refuses before any middleware: the answer still carries the error shape.
    public static TheoryData<string, int> RawRequests => new()
    {
        { "GET /api/v2/public/linked-account/%00x HTTP/1.1\r\nHost: x\r\n\r\n", 400 },
        { "GARBAGE\r\n\r\n", 400 },
        { "GET / HTTP/1.1\r\nHost: x\r\nBad Header: x\r\n\r\n", 400 },
        { $"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: {new string('a', 40_000)}\r\n\r\n", 431 },
        { "GET /healthz HTTP/1.1\r\nHost: x\r\n" + string.Concat(Enumerable.Range(0, 150).Select(i => $"X-H{i}: v\r\n")) + "\r\n", 431 },
        { $"GET /{new string('a', 10_000)} HTTP/1.1\r\nHost: x\r\n\r\n", 414 },
        // A URL pasted from a document with a typographic ellipsis: curl sends its UTF-8 bytes (E2 80 A6) unescaped.
        { "GET /api/v2/public/execution/\u2026 HTTP/1.1\r\nHost: x\r\n\r\n", 400 },
        { "GET /healthz?after=\u2026 HTTP/1.1\r\nHost: x\r\n\r\n", 400 },
    };

    [Theory]
    [MemberData(nameof(RawRequests))]
    public async Task KestrelRejection_CarriesTheErrorShape(string raw, int status)
    {
        var text = await SendRawAsync(raw);
        Assert.StartsWith($"HTTP/1.1 {status} ", text, StringComparison.Ordinal);
        var split = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        Assert.Contains("Content-Type: application/json", text[..split], StringComparison.Ordinal);
        Assert.True(IsErrorShape(text[(split + 4)..], status), text);
        // A good request on a new connection is served as usual.
        using var ok = await app.CreateClient().GetAsync("/healthz", Ct);
        Assert.True(ok.IsSuccessStatusCode);
    }

    void Authorize(HttpRequestMessage request, string template, string auth, string account, string token)
    {
        if (template.StartsWith("/admin", StringComparison.Ordinal))
        {
            request.Headers.Authorization = new("Bearer", PatchbayApp.AdminToken);
        }
        else if (auth == "key")
        {
            request.Headers.Add("x-api-key", app.TestApiKey);
            request.Headers.Add("linked_account_id", account);
        }
        else
        {
            request.Headers.Authorization = new("Bearer", token);
        }
    }

    [Fact]
    public async Task BodyOverTheLimit_Is413InTheErrorShape()
    {
        var text = await SendRawAsync("POST /api/v2/public/linked-account HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n" +
            $"x-api-key: {app.TestApiKey}\r\nContent-Length: 2000000\r\nConnection: close\r\n\r\n{{\"name\":\"" + new string('x', 60_000));
        Assert.StartsWith("HTTP/1.1 413 ", text, StringComparison.Ordinal);
        Assert.Contains("application/json", text, StringComparison.Ordinal);
        Assert.Contains("\"status_code\":413,\"http_error_type\":\"PAYLOAD_TOO_LARGE\",\"error\":\"PAYLOAD_TOO_LARGE\"", text, StringComparison.Ordinal);
    }

    // Sends bytes on a new connection and reads the answer until the server closes it (Kestrel closes after a
    // rejection; the 413 asks for it).
    async Task<string> SendRawAsync(string raw)
    {
        var uri = new Uri(app.BaseAddress);
        using var socket = new TcpClient();
        await socket.ConnectAsync(uri.Host, uri.Port, Ct);
        var stream = socket.GetStream();
        await stream.WriteAsync(Encoding.UTF8.GetBytes(raw), Ct); // ASCII, but for the non-ASCII cases' raw UTF-8 bytes
        using var reader = new MemoryStream();
        await stream.CopyToAsync(reader, Ct);
        return Encoding.UTF8.GetString(reader.ToArray());
    }

    static bool IsErrorShape(string text, int status)
    {
        try
        {
            using var json = JsonDocument.Parse(text);
            var root = json.RootElement;
            return root.GetProperty("status_code").GetInt32() == status
                && root.GetProperty("http_error_type").GetString() is { Length: > 0 }
                && root.GetProperty("error").GetString() is { Length: > 0 }
                && root.GetProperty("message").GetString() is { Length: > 0 } message
                && !message.Contains("   at ", StringComparison.Ordinal) && !message.Contains("Exception", StringComparison.Ordinal);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return false;
        }
    }

    // Write operations that read no body: a body is ignored there, as HTTP allows (they are tested elsewhere).
    static readonly HashSet<string> TakeNoBody =
    [
        "DELETE /api/v1/linked-acc/integration/{slug}", "DELETE /api/v2/public/linked-account/integration/{slug}",
        "POST /api/v2/public/session-token/revoke",
        "DELETE /api/v2/public/tables/{table_id}", "DELETE /api/v2/public/tables/{table_id}/{record_id}",
        "DELETE /api/v2/public/dataref/{refName}", "PUT /api/v2/public/dataref/{refName}/clear-records",
    ];

    // POST, PUT, PATCH and DELETE routes of the server (Patchbay's own probes excluded: none are writes).
    List<(string Method, string Template)> WriteOperations()
    {
        var sources = app.Services.GetRequiredService<IEnumerable<EndpointDataSource>>();
        return sources.SelectMany(s => s.Endpoints).OfType<RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.HttpMethodMetadata>()?.HttpMethods ?? [])
                .Where(m => m is "POST" or "PUT" or "PATCH" or "DELETE")
                .Select(m => (m, "/" + e.RoutePattern.RawText!.TrimStart('/'))))
            .Distinct().OrderBy(o => o.Item2, StringComparer.Ordinal).ToList();
    }

    // Route parameters get values that name nothing (so no write can reach a real row), except the app slug.
    static string Fill(string template) => System.Text.RegularExpressions.Regex.Replace(template, @"\{([^}:?]+)[^}]*\}",
        m => m.Groups[1].Value is "slug" or "app_slug" ? "stripe" : "0123456789abcdef01234567");

    // Everything stored that a client can change, as one digest per table.
    async Task<string> SnapshotAsync()
    {
        var tables = (string[])["orgs", "api_keys", "linked_accounts", "integrations", "integration_credentials", "connections", "org_apps",
            "oauth_clients", "hosted_properties", "workflows", "executions", "execution_nodes", "execution_waits", "workflow_events",
            "schedules", "configs", "config_workflows", "config_values", "config_field_definitions",
            "data_tables", "data_table_records", "data_table_cells", "datarefs", "dataref_rows", "config_datastores"];
        var parts = new List<string>();
        await using var connection = await app.Db.Dialect.OpenAsync(forWrite: false, Ct);
        foreach (var table in tables)
        {
            await using var command = connection.CreateCommand();
            command.CommandText = $"select * from {table}";
            await using var reader = await command.ExecuteReaderAsync(Ct);
            var rows = new List<string>();
            while (await reader.ReadAsync(Ct))
            {
                var cells = new string[reader.FieldCount];
                for (var i = 0; i < reader.FieldCount; i++)
                    cells[i] = reader.GetName(i) is "last_used_at" or "updated_at" ? "" : Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture) ?? "";
                rows.Add(string.Join("\u0001", cells));
            }
            rows.Sort(StringComparer.Ordinal);
            parts.Add($"{table}:{rows.Count}:{Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join("\n", rows))))[..16]}");
        }
        return string.Join(" ", parts);
    }
}

public sealed class SqliteHostileInputTests(SqliteApp<KestrelOptions> app) : HostileInputTests(app), IClassFixture<SqliteApp<KestrelOptions>>;
public sealed class PostgresHostileInputTests(PostgresApp<KestrelOptions> app) : HostileInputTests(app), IClassFixture<PostgresApp<KestrelOptions>>;

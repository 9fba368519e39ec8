var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.ClearProviders();
var app = builder.Build();

// The baseline: the least an HTTP endpoint in this runtime can do.
app.MapGet("/", () => TypedResults.Ok(new Pong("ok")));

// A provider API for the connect scenarios (Stripe's account endpoint, on loopback): Patchbay verifies credentials
// against it, so the measurement includes a real outbound call without leaving the machine.
app.MapGet("/v1/account", (HttpRequest request) => request.Headers.Authorization == "Bearer sk_test_bench"
    ? Results.Json(new Account("acct_bench", "bench@example.com"))
    : Results.StatusCode(401));

// A Stripe customer for the actions and MCP scenarios (the get_customer action), answering at once.
app.MapGet("/v1/customers/{id}", (string id, HttpRequest request) => request.Headers.Authorization == "Bearer sk_test_bench"
    ? Results.Json(new Customer(id, "customer", "bench@example.com"))
    : Results.StatusCode(401));

// A webhook receiver for the webhook scenario: each delivery's body carries `t`, the Unix time in milliseconds at
// which the benchmark client sent the request that changed the state (a synchronous execution); the receiver keeps
// the end-to-end latency and arrival time of every delivery. GET /hook/stats reads them, DELETE /hook resets.
var hooks = new HookStats();
app.MapPost("/hook", async (HttpRequest request) =>
{
    var arrived = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
    var body = await System.Text.Json.JsonDocument.ParseAsync(request.Body);
    var sent = body.RootElement.TryGetProperty("t", out var t) && t.TryGetInt64(out var ms) ? ms : arrived;
    hooks.Add(arrived, arrived - sent, request.Headers.ContainsKey("webhook-signature") && request.Headers.ContainsKey("x-cobalt-signature"));
    return Results.Ok();
});
app.MapGet("/hook/stats", () => hooks.Read());
app.MapDelete("/hook", () => { hooks.Reset(); return Results.NoContent(); });

await app.RunAsync();

internal sealed class HookStats
{
    readonly object gate = new();
    readonly List<(long Arrived, long Latency)> seen = [];
    long unsigned;

    public void Add(long arrived, long latency, bool signed)
    {
        lock (gate)
        {
            seen.Add((arrived, latency));
            if (!signed) unsigned++;
        }
    }

    public void Reset()
    {
        lock (gate)
        {
            seen.Clear();
            unsigned = 0;
        }
    }

    // Deliveries per second between the first and the last arrival; latency percentiles in milliseconds.
    public object Read()
    {
        lock (gate)
        {
            if (seen.Count < 2) return new { count = seen.Count, per_second = 0.0, p50_ms = 0L, p99_ms = 0L, unsigned };
            var latencies = seen.Select(s => s.Latency).Order().ToArray();
            var span = (seen.Max(s => s.Arrived) - seen.Min(s => s.Arrived)) / 1000.0;
            return new
            {
                count = seen.Count,
                per_second = span > 0 ? seen.Count / span : 0,
                p50_ms = latencies[latencies.Length / 2],
                p99_ms = latencies[Math.Min(latencies.Length - 1, (int)(latencies.Length * 0.99))],
                unsigned,
            };
        }
    }
}

internal sealed record Pong(string Status);

internal sealed record Account(string Id, string Email);

internal sealed record Customer(string Id, string Object, string Email);

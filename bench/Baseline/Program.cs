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

await app.RunAsync();

internal sealed record Pong(string Status);

internal sealed record Account(string Id, string Email);

var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.ClearProviders();
var app = builder.Build();
app.MapGet("/", () => TypedResults.Ok(new Pong("ok")));
await app.RunAsync();

internal sealed record Pong(string Status);

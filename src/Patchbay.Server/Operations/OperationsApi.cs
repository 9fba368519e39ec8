using Microsoft.AspNetCore.Http.HttpResults;
using Patchbay.Data;
using Patchbay.Http;

namespace Patchbay.Operations;

public sealed record HealthResponse(string Status, string? Database = null);

// What `GET /` answers a program (Accept: application/json): where everything is.
public sealed record ServerIndex(string Name, string Description, string Docs, string Openapi, string Health, string Ready, string Api);

public static class OperationsApi
{
    public static void MapOperations(this IEndpointRouteBuilder app)
    {
        var ops = app.MapGroup("").WithTags("Operations").AllowAnonymous().AsPatchbayExtension();
        ops.MapGet("/healthz", Live).WithSummary("Liveness: the process answers");
        ops.MapGet("/readyz", Ready).WithSummary("Readiness: start-up finished and the database answers");
        ops.MapGet("/", Index).ExcludeFromDescription();
    }

    // The first thing a person opening the server in a browser sees: what this is and where to go. A program asking
    // for JSON gets the same links as an index.
    static IResult Index(HttpRequest request)
    {
        var index = new ServerIndex("Patchbay", "Self-hosted embedded integrations, speaking Refold's public API",
            "/docs", "/openapi/v1.json", "/healthz", "/readyz", Routes.Public);
        var accept = request.GetTypedHeaders().Accept;
        var wantsHtml = accept.Any(a => a.MediaType.Equals("text/html", StringComparison.OrdinalIgnoreCase));
        if (!wantsHtml) return TypedResults.Ok(index);
        PageHeaders.Apply(request.HttpContext.Response, "default-src 'none'; style-src 'unsafe-inline'");
        return TypedResults.Content($$"""
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>Patchbay</title>
            <style>body{font-family:system-ui,-apple-system,Segoe UI,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem;color:#1f2937;line-height:1.5}
            h1{font-size:1.5rem;margin-bottom:.25rem}p.lead{color:#4b5563;margin-top:0}ul{padding-left:1.2rem}a{color:#1d4ed8}code{background:#f3f4f6;padding:.1rem .3rem;border-radius:.25rem}</style>
            </head><body><main>
            <h1>Patchbay</h1>
            <p class="lead">{{index.Description}}. This server answers the API at <code>{{index.Api}}</code> with an API key or a session token.</p>
            <ul>
              <li><a href="{{index.Docs}}">API reference</a> (and the <a href="{{index.Openapi}}">OpenAPI document</a>)</li>
              <li><a href="{{index.Health}}">Liveness</a> and <a href="{{index.Ready}}">readiness</a></li>
            </ul>
            </main></body></html>
            """, "text/html; charset=utf-8");
    }

    // Liveness: the process answers.
    static Ok<HealthResponse> Live() => TypedResults.Ok(new HealthResponse("ok"));

    // Readiness: start-up finished, the server is not stopping (a load balancer stops sending it requests while it
    // drains), and the database answers.
    static async Task<Results<Ok<HealthResponse>, ApiError>> Ready(StartupGate startup, Node node, Db db, CancellationToken ct)
    {
        if (!startup.IsOpen) return ApiError.Create(503, ErrorCodes.ServiceUnavailable, "Starting up");
        if (node.IsStopping) return ApiError.Create(503, ErrorCodes.ServiceUnavailable, "Stopping");
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(2));
            await db.PingAsync(timeout.Token);
        }
        catch (Exception e) when (e is System.Data.Common.DbException or OperationCanceledException or TimeoutException || TransientErrors.IsTransient(e))
        {
            return ApiError.Create(503, ErrorCodes.ServiceUnavailable, "The database is not reachable");
        }
        return TypedResults.Ok(new HealthResponse("ready", db.Dialect.Provider.ToString().ToLowerInvariant()));
    }
}

using Microsoft.AspNetCore.Http.HttpResults;
using Patchbay.Data;
using Patchbay.Http;

namespace Patchbay.Operations;

public sealed record HealthResponse(string Status, string? Database = null);

public static class OperationsApi
{
    public static void MapOperations(this IEndpointRouteBuilder app)
    {
        var ops = app.MapGroup("").WithTags("Operations").AllowAnonymous();
        ops.MapGet("/healthz", Live);
        ops.MapGet("/readyz", Ready);
    }

    // Liveness: the process answers.
    static Ok<HealthResponse> Live() => TypedResults.Ok(new HealthResponse("ok"));

    // Readiness: start-up finished and the database answers.
    static async Task<Results<Ok<HealthResponse>, ApiError>> Ready(StartupGate startup, Db db, CancellationToken ct)
    {
        if (!startup.IsOpen) return ApiError.Create(503, ErrorCodes.ServiceUnavailable, "Starting up");
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(2));
            await db.PingAsync(timeout.Token);
        }
        catch (Exception e) when (e is System.Data.Common.DbException or OperationCanceledException or TimeoutException)
        {
            return ApiError.Create(503, ErrorCodes.ServiceUnavailable, "The database is not reachable");
        }
        return TypedResults.Ok(new HealthResponse("ready", db.Dialect.Provider.ToString().ToLowerInvariant()));
    }
}

using Microsoft.AspNetCore.Diagnostics;

namespace Patchbay.Http;

// Door 3 of the error shape: statuses the framework produces without a body (404 no route, 405, 400 from binding,
// 413 from Kestrel) arrive here through IProblemDetailsService and leave as an ApiError.
public sealed class ApiErrorWriter : IProblemDetailsWriter
{
    public bool CanWrite(ProblemDetailsContext context) => true;

    public ValueTask WriteAsync(ProblemDetailsContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var http = context.HttpContext;
        var status = context.ProblemDetails.Status ?? http.Response.StatusCode;
        // The exception path has already been turned into an ApiError by UnhandledExceptionHandler; this is the
        // fallback for anything that still reaches the problem-details writer with an exception attached.
        var error = context.Exception is not null
            ? ApiError.Server("An unexpected error occurred.")
            : ForStatus(http, status);
        return new ValueTask(WriteAsync(http, error));
    }

    public static ApiError ForStatus(HttpContext http, int status)
    {
        ArgumentNullException.ThrowIfNull(http);
        var method = http.Request.Method;
        var path = Truncate(http.Request.Path.Value ?? "/");
        return status switch
        {
            404 => ApiError.NotFound(ErrorCodes.RouteNotFound, $"Route {method} {path} not found"),
            405 => ApiError.Create(405, ErrorCodes.MethodNotAllowed, $"Method {method} is not allowed on {path}"),
            413 => ApiError.Create(413, ErrorCodes.PayloadTooLarge, "Request body is too large"),
            415 => ApiError.Create(415, ErrorCodes.UnsupportedMediaType, "Unsupported Content-Type"),
            401 => ApiError.Unauthorized(ErrorCodes.ServerError, "Invalid Credentials"),
            403 => ApiError.Forbidden(ErrorCodes.ServerError, "Forbidden"),
            429 => ApiError.Create(429, ErrorCodes.RateLimitExceeded, "Too many requests"),
            >= 500 => ApiError.Create(status, ErrorCodes.ServerError, "An unexpected error occurred."),
            _ => ApiError.Create(status, ErrorCodes.ValidationError, "The request could not be processed"),
        };
    }

    public static Task WriteAsync(HttpContext http, ApiError error)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(error);
        http.Response.StatusCode = error.StatusCode;
        http.Response.Headers.CacheControl = "no-store";
        // Again here: the exception handler clears the headers set earlier in the pipeline.
        http.Response.Headers["X-Trace-ID"] = http.TraceIdentifier;
        return http.Response.WriteAsJsonAsync(error.ToBody(http.TraceIdentifier), ApiJson.Options);
    }

    static string Truncate(string path) => path.Length <= 200 ? path : string.Concat(path.AsSpan(0, 200), "…");
}

// Door 2: everything thrown. ApiException carries its error; anything else is logged once and answered with a
// generic 500 whose text never includes the exception's.
public sealed class UnhandledExceptionHandler(ILogger<UnhandledExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        if (exception is OperationCanceledException && httpContext.RequestAborted.IsCancellationRequested)
            return true; // the client went away; nobody is listening for an answer

        var error = exception switch
        {
            ApiException api => api.Error,
            BadHttpRequestException bad => FromBadRequest(bad),
            _ when Data.TransientErrors.IsTransient(exception) => DatabaseUnavailable,
            _ => null,
        };
        if (error == DatabaseUnavailable)
        {
            // The database dropped the connection or cannot be reached: nothing is wrong with the request, and a retry
            // in a moment will do (a failover, a restart). No stack trace: one line per request is enough.
            logger.LogWarning("{Method} {Path}: the database is unavailable ({Error})", httpContext.Request.Method, httpContext.Request.Path, exception.GetType().Name);
            if (httpContext.Response.HasStarted) return true;
            httpContext.Response.Headers.RetryAfter = "1";
            await ApiErrorWriter.WriteAsync(httpContext, error);
            return true;
        }
        if (error is null)
        {
            logger.LogError(exception, "Unhandled exception on {Method} {Path}", httpContext.Request.Method, httpContext.Request.Path);
            error = ApiError.Server("An unexpected error occurred.");
        }
        if (httpContext.Response.HasStarted) return true;
        await ApiErrorWriter.WriteAsync(httpContext, error);
        return true;
    }

    public static readonly ApiError DatabaseUnavailable =
        ApiError.Create(503, ErrorCodes.ServiceUnavailable, "The database is unavailable; retry in a moment");

    static ApiError FromBadRequest(BadHttpRequestException bad) => bad.StatusCode switch
    {
        413 => ApiError.Create(413, ErrorCodes.PayloadTooLarge, "Request body is too large"),
        408 => ApiError.Create(408, ErrorCodes.ValidationError, "The request body was not received in time"),
        _ when bad.InnerException is System.Text.Json.JsonException =>
            ApiError.BadRequest(ErrorCodes.InvalidJson, "Request body is not valid JSON"),
        _ => ApiError.Create(bad.StatusCode, ErrorCodes.ValidationError, "The request could not be read"),
    };
}

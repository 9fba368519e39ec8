using System.Reflection;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.Metadata;

namespace Patchbay.Http;

// Every non-2xx body the API writes is one of these (refold-api.md §2.3). `error` and `error_code` carry the same
// value because Refold's services use either key; `request_id` equals the response's X-Trace-ID header.
public sealed record ApiError(int StatusCode, string HttpErrorType, string Error, string Message)
    : IResult, IEndpointMetadataProvider
{
    public static ApiError BadRequest(string error, string message) => Create(400, error, message);
    public static ApiError Unauthorized(string error, string message) => Create(401, error, message);
    public static ApiError Forbidden(string error, string message) => Create(403, error, message);
    public static ApiError NotFound(string error, string message) => Create(404, error, message);
    public static ApiError Conflict(string error, string message) => Create(409, error, message);
    public static ApiError Server(string message) => Create(500, ErrorCodes.ServerError, message);

    public static ApiError Validation(string message) => BadRequest(ErrorCodes.ValidationError, message);

    public static ApiError Create(int status, string error, string message) =>
        new(status, HttpErrorTypes.For(status), error, message);

    public ApiErrorBody ToBody(string requestId) => new(StatusCode, HttpErrorType, Error, Error, Message, requestId);

    public Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        return ApiErrorWriter.WriteAsync(httpContext, this);
    }

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        foreach (var status in (int[])[400, 401, 404])
            builder.Metadata.Add(new ProducesResponseTypeMetadata(status, typeof(ApiErrorBody), ["application/json"]));
    }
}

public sealed record ApiErrorBody(
    [property: JsonPropertyName("status_code")] int StatusCode,
    [property: JsonPropertyName("http_error_type")] string HttpErrorType,
    [property: JsonPropertyName("error")] string Error,
    [property: JsonPropertyName("error_code")] string ErrorCode,
    [property: JsonPropertyName("message")] string Message,
    [property: JsonPropertyName("request_id")] string RequestId);

// The one exception that carries the error shape, for code too deep to return an ApiError.
public sealed class ApiException(ApiError error) : Exception(error?.Message)
{
    public ApiError Error { get; } = error ?? throw new ArgumentNullException(nameof(error));
}

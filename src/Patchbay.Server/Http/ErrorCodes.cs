namespace Patchbay.Http;

// The closed catalog of `error` / `error_code` values Patchbay writes. A new code is added here or not at all.
// The first group comes from Refold's documented responses (refold-api.md §2.3); the second is Patchbay's own,
// for failures Refold leaves undocumented.
public static class ErrorCodes
{
    public const string ServerError = "SERVER_ERROR";
    public const string ResourceNotFound = "RESOURCE_NOT_FOUND";
    public const string InvalidLinkedAccountId = "INVALID_LINKED_ACCOUNT_ID";
    public const string InvalidToken = "INVALID_TOKEN";
    public const string MissingRequiredField = "MISSING_REQUIRED_FIELD";
    public const string MissingLinkedAccountId = "MISSING_LINKED_ACCOUNT_ID";
    public const string ValidationError = "VALIDATION_ERROR";
    public const string AuthServiceError = "AUTH_SERVICE_ERROR";
    public const string ExternalApiFailure = "EXTERNAL_API_FAILURE";
    public const string InvalidAppId = "INVALID_APP_ID";

    public const string InvalidJson = "INVALID_JSON";
    public const string PayloadTooLarge = "PAYLOAD_TOO_LARGE";
    public const string UnsupportedMediaType = "UNSUPPORTED_MEDIA_TYPE";
    public const string RouteNotFound = "ROUTE_NOT_FOUND";
    public const string MethodNotAllowed = "METHOD_NOT_ALLOWED";
    public const string RateLimitExceeded = "RATE_LIMIT_EXCEEDED";
    public const string SessionTokenNotAllowed = "SESSION_TOKEN_NOT_ALLOWED";
    public const string AdminDisabled = "ADMIN_API_DISABLED";
    public const string InvalidAdminToken = "INVALID_ADMIN_TOKEN";
    public const string Conflict = "CONFLICT";
    public const string NotImplemented = "NOT_IMPLEMENTED";
    public const string ServiceUnavailable = "SERVICE_UNAVAILABLE";
}

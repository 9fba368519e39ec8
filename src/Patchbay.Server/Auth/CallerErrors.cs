using Patchbay.Http;

namespace Patchbay.Auth;

// The not-found answers every feature gives for the caller's linked account or app (Refold's wording), in one place,
// so that no API class doubles as a helper library for another.
public static class CallerErrors
{
    public static ApiError LinkedAccountNotFound(this Caller caller, string accountId)
    {
        ArgumentNullException.ThrowIfNull(caller);
        return ApiError.NotFound(ErrorCodes.ServerError,
            $"Linked Account with account id {accountId} for org {caller.OrgId} in environment {caller.Environment} not found");
    }

    public static ApiError AppNotFound(this Caller caller, string slug)
    {
        ArgumentNullException.ThrowIfNull(caller);
        return new ApiError(404, "EXTERNAL_API_ERROR", ErrorCodes.ExternalApiFailure, $"Application with app_type '{slug}' not found for org {caller.OrgId}");
    }
}

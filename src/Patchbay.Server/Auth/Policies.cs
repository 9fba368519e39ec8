using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Patchbay.Http;
using Patchbay.RateLimits;

namespace Patchbay.Auth;

public static class Policies
{
    // Org-level endpoints: the API key only (linked_account_id, if sent, is ignored).
    public const string Org = "org";
    // Linked-account endpoints: the API key with a linked account, or a session token.
    public const string LinkedAccount = "linked-account";
    // The API key with a linked account; session tokens are refused (e.g. delete an integration, refold-api.md LA6).
    public const string OrgLinkedAccount = "org-linked-account";
    // The API key (no linked account needed) or a session token, e.g. upsert a linked account.
    public const string OrgOrSession = "org-or-session";
    // Session tokens only, e.g. revoke the current token.
    public const string Session = "session";

    public static AuthorizationBuilder AddPatchbayPolicies(this AuthorizationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder
            .AddPolicy(Org, p => p.AddRequirements(new CallerRequirement(ApiKey: true, Session: false, NeedsLinkedAccount: false)))
            .AddPolicy(LinkedAccount, p => p.AddRequirements(new CallerRequirement(ApiKey: true, Session: true, NeedsLinkedAccount: true)))
            .AddPolicy(OrgLinkedAccount, p => p.AddRequirements(new CallerRequirement(ApiKey: true, Session: false, NeedsLinkedAccount: true)))
            .AddPolicy(OrgOrSession, p => p.AddRequirements(new CallerRequirement(ApiKey: true, Session: true, NeedsLinkedAccount: false)))
            .AddPolicy(Session, p => p.AddRequirements(new CallerRequirement(ApiKey: false, Session: true, NeedsLinkedAccount: true)));
    }
}

public sealed record CallerRequirement(bool ApiKey, bool Session, bool NeedsLinkedAccount) : IAuthorizationRequirement;

public sealed class CallerRequirementHandler : AuthorizationHandler<CallerRequirement>
{
    public const string SessionNotAllowed = "session-not-allowed";
    public const string ApiKeyNotAllowed = "api-key-not-allowed";
    public const string MissingLinkedAccount = "missing-linked-account";

    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, CallerRequirement requirement)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(requirement);
        var caller = (context.Resource as HttpContext)?.Features.Get<Caller>();
        if (caller is null) return Task.CompletedTask; // not authenticated: the middleware challenges

        if (caller.IsSession && !requirement.Session) context.Fail(new AuthorizationFailureReason(this, SessionNotAllowed));
        else if (!caller.IsSession && !requirement.ApiKey) context.Fail(new AuthorizationFailureReason(this, ApiKeyNotAllowed));
        else if (requirement.NeedsLinkedAccount && caller.LinkedAccountId is null) context.Fail(new AuthorizationFailureReason(this, MissingLinkedAccount));
        else context.Succeed(requirement);
        return Task.CompletedTask;
    }
}

// Writes every authentication and authorization failure in the contract's exact shape (refold-api.md §2.1).
public sealed class AuthorizationResultWriter : IAuthorizationMiddlewareResultHandler
{
    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        ArgumentNullException.ThrowIfNull(next);
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(authorizeResult);
        if (authorizeResult.Succeeded)
        {
            await next(context);
            return;
        }

        ApiError error;
        if (authorizeResult.Challenged)
        {
            var failure = context.Features.Get<AuthFailure>();
            if (failure?.RateLimit is { } decision) RateLimitMiddleware.SetHeaders(context.Response, decision);
            error = failure?.Error ?? MissingCredentials(policy);
        }
        else
        {
            var reason = authorizeResult.AuthorizationFailure?.FailureReasons.FirstOrDefault()?.Message;
            error = reason switch
            {
                CallerRequirementHandler.SessionNotAllowed => ApiError.Forbidden(ErrorCodes.SessionTokenNotAllowed,
                    "Session tokens are not accepted for this resource; call it with your API key (x-api-key)"),
                CallerRequirementHandler.ApiKeyNotAllowed => ApiError.Unauthorized(ErrorCodes.InvalidToken, "Authorization Token Missing"),
                CallerRequirementHandler.MissingLinkedAccount => ApiError.BadRequest(ErrorCodes.MissingLinkedAccountId,
                    "linked_account_id header is required when using org API key authentication."),
                _ => ApiError.Forbidden(ErrorCodes.ServerError, "Forbidden"),
            };
        }
        await ApiErrorWriter.WriteAsync(context, error);
    }

    static ApiError MissingCredentials(AuthorizationPolicy policy) =>
        policy.Requirements.OfType<CallerRequirement>().Any(r => !r.ApiKey)
            ? ApiError.Unauthorized(ErrorCodes.InvalidToken, "Authorization Token Missing")
            : PatchbayAuthenticationHandler.InvalidCredentials;
}

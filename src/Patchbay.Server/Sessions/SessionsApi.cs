using Microsoft.AspNetCore.Http.HttpResults;
using Patchbay.Auth;
using Patchbay.Http;
using Patchbay.LinkedAccounts;

namespace Patchbay.Sessions;

// Session tokens, refold-api.md §3.2.
public static class SessionsApi
{
    public static void MapSessions(this IEndpointRouteBuilder app)
    {
        var sessions = app.MapPublic("Session Tokens", "/session-token");

        sessions.MapPost("", Issue).RequireAuthorization(Policies.Org)
            .WithSummary("Issue a session token for a linked account").Accepts<SessionTokenRequest>("application/json")
            .WithQuery("force_refresh", "true: revoke the account's current session and issue a new one.", ApiParameterType.Flag);
        sessions.MapPost("/revoke", Revoke).RequireAuthorization(Policies.Session).WithSummary("Revoke the current session token").WithoutBody();
        // Refold decommissioned its refresh route in March 2026; Patchbay keeps one so `refresh_token` is usable, under
        // its own prefix like every route Refold does not have.
        app.MapGroup(Routes.Patchbay + "/session-token").WithTags("Session Tokens")
            .MapPost("/refresh", Refresh).AllowAnonymous()
            .WithSummary("Trade a refresh token for a new session").Accepts<RefreshSessionRequest>("application/json");
    }

    static async Task<Results<Ok<SessionTokenResponse>, ApiError>> Issue(
        HttpContext http, Caller caller, LinkedAccountStore accounts, SessionTokens tokens, CancellationToken ct)
    {
        bool? queryForceRefresh = http.Request.Query["force_refresh"].ToString() switch
        {
            "" => null,
            var v when bool.TryParse(v, out var b) => b,
            _ => throw new ApiException(ApiError.Validation("'force_refresh' must be \"true\" or \"false\"")),
        };
        using var body = await JsonBody.ReadObjectAsync(http, required: false);
        // The contract has force_refresh in the query; clients that put it in the body are heard too (§8's "accept
        // both" for variants), and a request whose two values disagree is refused rather than guessed at.
        var bodyForceRefresh = Json.OptionalBool(body.RootElement, "force_refresh");
        if (queryForceRefresh is { } inQuery && bodyForceRefresh is { } inBody && inQuery != inBody)
        {
            return ApiError.Validation("'force_refresh' is given in the query and in the body with different values; "
                + "send it once, as the query parameter ?force_refresh=true");
        }
        var forceRefresh = queryForceRefresh ?? bodyForceRefresh ?? false;
        var accountId = Json.OptionalString(body.RootElement, "linked_account_id") ?? Json.OptionalString(body.RootElement, "account_id");
        if (string.IsNullOrWhiteSpace(accountId)) return ApiError.BadRequest(ErrorCodes.ServerError, "linked_account_id is required");

        var account = await accounts.FindAsync(caller.OrgId, caller.Environment, accountId, ct);
        if (account is null)
        {
            return ApiError.BadRequest(ErrorCodes.InvalidLinkedAccountId,
                $"No linked account found for account id : {accountId} in environment {caller.Environment}");
        }
        var issued = await tokens.IssueAsync(caller.OrgId, caller.Environment, account.AccountId, account.Id, forceRefresh, ct);
        return TypedResults.Ok(new SessionTokenResponse(issued.Token, issued.RefreshToken, issued.ExpiresIn, issued.RefreshExpiresIn));
    }

    static async Task<Ok<RevokeSessionResponse>> Revoke(Caller caller, SessionStore store, SessionTokens tokens, TimeProvider time, CancellationToken ct)
    {
        var row = await store.FindAsync(caller.CredentialId, ct);
        var revoked = row is not null && await store.RevokeAsync(row.Id, time.GetUtcNow(), ct);
        if (row is not null) tokens.MarkRevoked(row.Id, row.RefreshExpiresAt);
        return TypedResults.Ok(new RevokeSessionResponse(true, revoked ? 1 : 0));
    }

    // Trades a refresh token for a new session; the old session (token and refresh token) is revoked, so each
    // refresh token works once.
    static async Task<Results<Ok<SessionTokenResponse>, ApiError>> Refresh(
        HttpContext http, SessionStore store, SessionTokens tokens, LinkedAccountStore accounts, TimeProvider time, CancellationToken ct)
    {
        using var body = await JsonBody.ReadObjectAsync(http);
        var refreshToken = Json.RequiredString(body.RootElement, "refresh_token");
        var (claims, failure) = await tokens.ValidateAsync(refreshToken, refresh: true);
        if (claims is null)
            return ApiError.Unauthorized(ErrorCodes.InvalidToken, failure == SessionFailure.Expired ? "Token Expired" : "Invalid token");

        var account = await accounts.FindAsync(claims.OrgId, claims.Environment, claims.AccountId, ct);
        var row = await store.FindAsync(claims.SessionId, ct);
        if (account is null || row is null || !await store.RevokeAsync(row.Id, time.GetUtcNow(), ct))
            return ApiError.Unauthorized(ErrorCodes.InvalidToken, "Invalid token");
        tokens.MarkRevoked(row.Id, row.RefreshExpiresAt);

        var issued = await tokens.IssueAsync(claims.OrgId, claims.Environment, account.AccountId, account.Id, forceRefresh: true, ct);
        return TypedResults.Ok(new SessionTokenResponse(issued.Token, issued.RefreshToken, issued.ExpiresIn, issued.RefreshExpiresIn));
    }
}

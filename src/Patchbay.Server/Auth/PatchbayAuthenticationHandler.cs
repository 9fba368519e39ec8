using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Patchbay.Http;
using Patchbay.RateLimits;

namespace Patchbay.Auth;

// Why authentication failed, kept for the authorization result handler, which writes the contract's exact body.
public sealed record AuthFailure(ApiError Error, RateDecision? RateLimit = null);

// Reads whichever credential the request carries (refold-api.md §7.1): `Authorization: Bearer <session token>`
// first, else `x-api-key` with `linked_account_id` from the header or, failing that, the query string.
// On success the Caller is stored in the request's features.
public sealed class PatchbayAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory loggerFactory, UrlEncoder encoder,
    ApiKeyHasher hasher, ApiKeyCache cache, ApiKeyStore store, SessionTokens sessions,
    TokenBuckets buckets, IOptionsMonitor<RateLimitOptions> limits, Data.StartupGate startup)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, loggerFactory, encoder)
{
    public const string SchemeName = "Patchbay";
    public const string LinkedAccountHeader = "linked_account_id";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        // Until start-up has loaded the hashing and signing keys, only the anonymous health routes are served.
        if (!startup.IsOpen) return AuthenticateResult.NoResult();
        var authorization = Request.Headers.Authorization.ToString();
        if (authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            return await AuthenticateSessionAsync(authorization[7..].Trim());

        var apiKey = Request.Headers["x-api-key"].ToString();
        if (apiKey.Length > 0) return await AuthenticateApiKeyAsync(apiKey.Trim());

        return AuthenticateResult.NoResult();
    }

    async Task<AuthenticateResult> AuthenticateSessionAsync(string token)
    {
        var (claims, failure) = await sessions.ValidateAsync(token);
        if (claims is null)
        {
            return Fail(ApiError.Unauthorized(ErrorCodes.InvalidToken,
                failure == SessionFailure.Expired ? "Token Expired" : "Invalid token"));
        }
        return Succeed(new Caller(claims.OrgId, claims.Environment, claims.AccountId, CallerKind.SessionToken, claims.SessionId));
    }

    async Task<AuthenticateResult> AuthenticateApiKeyAsync(string apiKey)
    {
        var hash = hasher.Hash(apiKey);
        if (!cache.TryGet(hash, out var key))
        {
            // A key this node has not seen costs a database read. Each client address has a budget of failed
            // lookups: it is checked before the read and spent only when the key turns out to be bogus, so a flood
            // of made-up keys is cut off before it reaches the database while real keys spend nothing.
            var o = limits.CurrentValue;
            var partition = "address:" + (Context.Connection.RemoteIpAddress?.ToString() ?? "unknown");
            if (o.Enabled)
            {
                var decision = buckets.TryAcquire(partition, o.UnknownCredentialPermitsPerSecond, o.UnknownCredentialBurst, consume: false);
                if (!decision.Allowed) return Fail(RateLimitMiddleware.TooMany(decision), decision);
            }
            var generation = cache.Generation;
            var row = await store.FindActiveAsync(hash, Context.RequestAborted);
            if (row is null)
            {
                if (o.Enabled) buckets.TryAcquire(partition, o.UnknownCredentialPermitsPerSecond, o.UnknownCredentialBurst);
                return Fail(InvalidCredentials);
            }
            cache.Add(row, generation);
            key = row;
        }

        var linkedAccount = Request.Headers[LinkedAccountHeader].ToString().Trim();
        if (linkedAccount.Length == 0) linkedAccount = Request.Query[LinkedAccountHeader].ToString().Trim();
        return Succeed(new Caller(key.OrgId, key.Environment, linkedAccount.Length == 0 ? null : linkedAccount, CallerKind.ApiKey, key.Id));
    }

    public static ApiError InvalidCredentials => ApiError.Unauthorized(ErrorCodes.ServerError, "Invalid Credentials");

    AuthenticateResult Succeed(Caller caller)
    {
        Context.Features.Set(caller);
        Context.Features.Set(new RateLimitPartition(caller.Kind == CallerKind.ApiKey
            ? "key:" + caller.CredentialId
            : "account:" + caller.OrgId + ":" + caller.Environment + ":" + caller.LinkedAccountId));
        var principal = new ClaimsPrincipal(new ClaimsIdentity(SchemeName));
        return AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName));
    }

    AuthenticateResult Fail(ApiError error, RateDecision? decision = null)
    {
        Context.Features.Set(new AuthFailure(error, decision));
        return AuthenticateResult.Fail(error.Message);
    }
}

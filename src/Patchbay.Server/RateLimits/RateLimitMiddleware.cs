using System.Globalization;
using Microsoft.Extensions.Options;
using Patchbay.Auth;
using Patchbay.Http;

namespace Patchbay.RateLimits;

// Runs after authentication: limits each API key, and each session token's linked account, to its bucket, and
// reports the bucket on every response (X-RateLimit-*), as Refold does.
public sealed class RateLimitMiddleware(RequestDelegate next, TokenBuckets buckets, IOptionsMonitor<RateLimitOptions> options)
{
    public Task InvokeAsync(HttpContext http)
    {
        ArgumentNullException.ThrowIfNull(http);
        var o = options.CurrentValue;
        var caller = http.Features.Get<Caller>();
        if (!o.Enabled || caller is null) return next(http);

        var partition = caller.Kind == CallerKind.ApiKey
            ? "key:" + caller.CredentialId
            : "account:" + caller.OrgId + ":" + caller.Environment + ":" + caller.LinkedAccountId;
        var decision = buckets.TryAcquire(partition, o.PermitsPerSecond, o.Burst);
        SetHeaders(http.Response, decision);
        return decision.Allowed ? next(http) : ApiErrorWriter.WriteAsync(http, TooMany(decision));
    }

    public static void SetHeaders(HttpResponse response, RateDecision decision)
    {
        ArgumentNullException.ThrowIfNull(response);
        response.Headers["X-RateLimit-Limit"] = decision.Limit.ToString(CultureInfo.InvariantCulture);
        response.Headers["X-RateLimit-Remaining"] = decision.Remaining.ToString(CultureInfo.InvariantCulture);
        response.Headers["X-RateLimit-Reset"] = decision.ResetAt.ToString(CultureInfo.InvariantCulture);
        if (!decision.Allowed)
            response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(decision.RetryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
    }

    public static ApiError TooMany(RateDecision decision) =>
        ApiError.Create(429, ErrorCodes.RateLimitExceeded,
            $"Rate limit exceeded: {decision.Limit} requests per second. Retry after {Math.Max(1, (int)Math.Ceiling(decision.RetryAfter.TotalSeconds))} s.");
}

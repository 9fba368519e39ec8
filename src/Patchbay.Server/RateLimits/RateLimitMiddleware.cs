using System.Globalization;
using Microsoft.Extensions.Options;
using Patchbay.Http;

namespace Patchbay.RateLimits;

// Which bucket a request draws from, set by authentication (each API key; each session token's linked account).
public sealed record RateLimitPartition(string Key);

// Runs after authentication: limits each partition to its bucket, and reports the bucket on every response
// (X-RateLimit-*), as Refold does. Unauthenticated requests have no partition (they are limited by address when their
// credential is unknown, in the authentication handler).
//
// On PostgreSQL the limits hold across the cluster: each node enforces its share (1 / live nodes, from the membership
// heartbeats), so N nodes behind a load balancer that spreads requests admit what one server would, at no database
// round trip per request.
public sealed class RateLimitMiddleware(RequestDelegate next, TokenBuckets buckets, IOptionsMonitor<RateLimitOptions> options, Cluster.Membership membership)
{
    public Task InvokeAsync(HttpContext http)
    {
        ArgumentNullException.ThrowIfNull(http);
        var o = options.CurrentValue;
        var partition = http.Features.Get<RateLimitPartition>();
        if (!o.Enabled || partition is null) return next(http);
        var decision = buckets.TryAcquire(partition.Key, o.PermitsPerSecond, o.Burst, share: membership.RateShare);
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

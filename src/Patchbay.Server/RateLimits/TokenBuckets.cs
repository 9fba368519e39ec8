using System.Collections.Concurrent;

namespace Patchbay.RateLimits;

public readonly record struct RateDecision(bool Allowed, int Limit, int Remaining, long ResetAt, TimeSpan RetryAfter);

// Token buckets keyed by partition (an API key, a linked account, a client address). A bucket holds up to `burst`
// tokens and refills at `rate` per second, which gives "20 per second sustained, 5 at once".
//
// Buckets live in each node's memory: sharing them would cost a database round trip per request. A cluster holds the
// limit as a whole by giving each node its share (Cluster/Membership counts the live nodes; see docs/deployment.md).
public sealed class TokenBuckets(TimeProvider time)
{
    const int MaxBuckets = 50_000;

    readonly ConcurrentDictionary<string, Bucket> buckets = new(StringComparer.Ordinal);

    // Takes one token if there is one. With `consume: false` it only reports whether one is there. `share` is this
    // node's part of a limit the whole cluster enforces (1 / live nodes): the bucket refills at rate × share and holds
    // burst × share (at least one token), while the answer reports the cluster-wide limit.
    public RateDecision TryAcquire(string partition, double rate, int burst, bool consume = true, double share = 1)
    {
        if (share is > 0 and < 1)
        {
            var local = TryAcquire(partition, rate * share, Math.Max(1, burst * share), consume);
            return local with { Limit = (int)Math.Round(rate), Remaining = (int)Math.Floor(Math.Min(burst, local.Remaining / share)) };
        }
        return TryAcquire(partition, rate, (double)burst, consume);
    }

    RateDecision TryAcquire(string partition, double rate, double burst, bool consume)
    {
        if (buckets.Count > MaxBuckets) Sweep();
        var now = time.GetTimestamp();
        var bucket = buckets.GetOrAdd(partition, static (_, s) => new Bucket(s.burst, s.now), (burst, now));
        lock (bucket)
        {
            var elapsed = time.GetElapsedTime(bucket.Stamp, now).TotalSeconds;
            if (elapsed > 0)
            {
                bucket.Tokens = Math.Min(burst, bucket.Tokens + elapsed * rate);
                bucket.Stamp = now;
            }
            var allowed = bucket.Tokens >= 1;
            if (allowed && consume) bucket.Tokens -= 1;
            var wallNow = time.GetUtcNow();
            var untilFull = TimeSpan.FromSeconds((burst - bucket.Tokens) / rate);
            var retryAfter = allowed ? TimeSpan.Zero : TimeSpan.FromSeconds((1 - bucket.Tokens) / rate);
            return new RateDecision(allowed, (int)Math.Round(rate), (int)Math.Floor(bucket.Tokens),
                (wallNow + untilFull).ToUnixTimeSeconds() + (untilFull > TimeSpan.Zero ? 1 : 0), retryAfter);
        }
    }

    // Drops buckets that have refilled (an idle partition loses nothing by starting over); if the table is still
    // full, it is under a flood of distinct partitions and starts over entirely.
    void Sweep()
    {
        var now = time.GetTimestamp();
        foreach (var (key, bucket) in buckets)
            if (time.GetElapsedTime(bucket.Stamp, now) > TimeSpan.FromMinutes(1)) buckets.TryRemove(key, out _);
        if (buckets.Count > MaxBuckets) buckets.Clear();
    }

    sealed class Bucket(double tokens, long stamp)
    {
        public double Tokens = tokens;
        public long Stamp = stamp;
    }
}

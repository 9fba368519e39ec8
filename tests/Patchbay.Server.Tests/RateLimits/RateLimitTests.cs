using System.Net.Http.Json;
using Patchbay.Tests.Infrastructure;
using Xunit;

namespace Patchbay.Tests.RateLimits;

// A server with Refold's published limits (20/s sustained, bursts of 5); the clock is the fixture's fake one.
public sealed class RateLimitOptions : IAppOptions
{
    public void Configure(AppSetup setup)
    {
        setup.Settings["Patchbay:RateLimits:PermitsPerSecond"] = "20";
        setup.Settings["Patchbay:RateLimits:Burst"] = "5";
        setup.Settings["Patchbay:RateLimits:UnknownCredentialPermitsPerSecond"] = "5";
        setup.Settings["Patchbay:RateLimits:UnknownCredentialBurst"] = "10";
    }
}

public sealed class RateLimitTests(SqliteApp<RateLimitOptions> app) : IClassFixture<SqliteApp<RateLimitOptions>>
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    async Task<string> FreshKeyAsync()
    {
        var (_, key, _) = await app.CreateOrgAsync();
        app.Time.Advance(TimeSpan.FromSeconds(10)); // every bucket, the address's included, is full again
        return key;
    }

    [Fact]
    public async Task ApiKey_BurstOfFive_ThenTooManyRequests_InErrorShapeWithHeaders()
    {
        var client = app.ClientFor(await FreshKeyAsync());
        for (var i = 0; i < 5; i++)
        {
            var ok = await client.GetAsync("/api/v2/public/linked-account", Ct);
            await ApiAssert.OkAsync(ok);
            Assert.Equal("20", Assert.Single(ok.Headers.GetValues("X-RateLimit-Limit")));
            Assert.Equal((4 - i).ToString(System.Globalization.CultureInfo.InvariantCulture), Assert.Single(ok.Headers.GetValues("X-RateLimit-Remaining")));
            var reset = long.Parse(Assert.Single(ok.Headers.GetValues("X-RateLimit-Reset")), System.Globalization.CultureInfo.InvariantCulture);
            Assert.InRange(reset, app.Time.GetUtcNow().ToUnixTimeSeconds(), app.Time.GetUtcNow().ToUnixTimeSeconds() + 2);
        }

        var limited = await client.GetAsync("/api/v2/public/linked-account", Ct);
        await ApiAssert.ErrorAsync(limited, 429, "TOO_MANY_REQUESTS", "RATE_LIMIT_EXCEEDED");
        Assert.Equal("1", Assert.Single(limited.Headers.GetValues("Retry-After")));
        Assert.Equal("0", Assert.Single(limited.Headers.GetValues("X-RateLimit-Remaining")));
    }

    [Fact]
    public async Task ApiKey_RefillsAtTwentyPerSecond()
    {
        var client = app.ClientFor(await FreshKeyAsync());
        for (var i = 0; i < 5; i++) await ApiAssert.OkAsync(await client.GetAsync("/api/v2/public/linked-account", Ct));
        await ApiAssert.ErrorAsync(await client.GetAsync("/api/v2/public/linked-account", Ct), 429, "TOO_MANY_REQUESTS", "RATE_LIMIT_EXCEEDED");

        app.Time.Advance(TimeSpan.FromMilliseconds(50)); // one token
        await ApiAssert.OkAsync(await client.GetAsync("/api/v2/public/linked-account", Ct));
        await ApiAssert.ErrorAsync(await client.GetAsync("/api/v2/public/linked-account", Ct), 429, "TOO_MANY_REQUESTS", "RATE_LIMIT_EXCEEDED");

        app.Time.Advance(TimeSpan.FromSeconds(1)); // full again, and never more than the burst
        for (var i = 0; i < 5; i++) await ApiAssert.OkAsync(await client.GetAsync("/api/v2/public/linked-account", Ct));
        await ApiAssert.ErrorAsync(await client.GetAsync("/api/v2/public/linked-account", Ct), 429, "TOO_MANY_REQUESTS", "RATE_LIMIT_EXCEEDED");
    }

    [Fact]
    public async Task Keys_HaveSeparateBuckets()
    {
        var first = app.ClientFor(await FreshKeyAsync());
        var second = app.ClientFor(await FreshKeyAsync());
        for (var i = 0; i < 5; i++) await ApiAssert.OkAsync(await first.GetAsync("/api/v2/public/linked-account", Ct));
        await ApiAssert.ErrorAsync(await first.GetAsync("/api/v2/public/linked-account", Ct), 429, "TOO_MANY_REQUESTS", "RATE_LIMIT_EXCEEDED");
        await ApiAssert.OkAsync(await second.GetAsync("/api/v2/public/linked-account", Ct));
    }

    [Fact]
    public async Task SessionTokens_AreLimitedPerLinkedAccount()
    {
        var key = await FreshKeyAsync();
        app.Time.Advance(TimeSpan.FromSeconds(1));
        var x = await app.CreateLinkedAccountAsync(apiKey: key);
        var y = await app.CreateLinkedAccountAsync(apiKey: key);
        app.Time.Advance(TimeSpan.FromSeconds(1));
        var x1 = app.SessionClient(await app.CreateSessionTokenAsync(x, key));
        var x2 = app.SessionClient(await app.CreateSessionTokenAsync(x, key, forceRefresh: true));
        var yClient = app.SessionClient(await app.CreateSessionTokenAsync(y, key));

        for (var i = 0; i < 3; i++) await ApiAssert.OkAsync(await x1.GetAsync("/api/v2/public/session/active-linked-account", Ct));
        for (var i = 0; i < 2; i++) await ApiAssert.OkAsync(await x2.GetAsync("/api/v2/public/session/active-linked-account", Ct));
        // Two tokens of one account share its bucket; another account has its own.
        await ApiAssert.ErrorAsync(await x1.GetAsync("/api/v2/public/session/active-linked-account", Ct), 429, "TOO_MANY_REQUESTS", "RATE_LIMIT_EXCEEDED");
        await ApiAssert.ErrorAsync(await x2.GetAsync("/api/v2/public/session/active-linked-account", Ct), 429, "TOO_MANY_REQUESTS", "RATE_LIMIT_EXCEEDED");
        await ApiAssert.OkAsync(await yClient.GetAsync("/api/v2/public/session/active-linked-account", Ct));
    }

    [Fact]
    public async Task UnknownKeys_AreLimitedPerAddress_KnownKeysUnaffected()
    {
        var known = app.ClientFor(await FreshKeyAsync());
        await ApiAssert.OkAsync(await known.GetAsync("/api/v2/public/linked-account", Ct)); // warm: known to this node

        var statuses = new List<int>();
        for (var i = 0; i < 14; i++)
            statuses.Add((int)(await app.ClientFor("tk" + Guid.NewGuid()).GetAsync("/api/v2/public/linked-account", Ct)).StatusCode);
        Assert.Equal(Enumerable.Repeat(401, 10).Concat(Enumerable.Repeat(429, 4)), statuses);

        var flooded = await app.ClientFor("tk" + Guid.NewGuid()).GetAsync("/api/v2/public/linked-account", Ct);
        await ApiAssert.ErrorAsync(flooded, 429, "TOO_MANY_REQUESTS", "RATE_LIMIT_EXCEEDED");
        Assert.True(flooded.Headers.Contains("Retry-After"));
        await ApiAssert.OkAsync(await known.GetAsync("/api/v2/public/linked-account", Ct));

        // After the flood the address recovers at the configured rate.
        app.Time.Advance(TimeSpan.FromMilliseconds(200));
        await ApiAssert.ErrorAsync(await app.ClientFor("tk" + Guid.NewGuid()).GetAsync("/api/v2/public/linked-account", Ct), 401, "UNAUTHORIZED", "SERVER_ERROR");
    }

    [Fact]
    public async Task ValidKey_NeverSeenBefore_FromAnAddressFloodingBogusKeys_IsAdmitted()
    {
        var fresh = await FreshKeyAsync(); // created after this node started, never used yet
        for (var i = 0; i < 14; i++) await app.ClientFor("tk" + Guid.NewGuid()).GetAsync("/api/v2/public/linked-account", Ct);
        await ApiAssert.ErrorAsync(await app.ClientFor("tk" + Guid.NewGuid()).GetAsync("/api/v2/public/linked-account", Ct), 429, "TOO_MANY_REQUESTS", "RATE_LIMIT_EXCEEDED");
        for (var i = 0; i < 3; i++) await ApiAssert.OkAsync(await app.ClientFor(fresh).GetAsync("/api/v2/public/linked-account", Ct));
    }
}

using Patchbay.Configuration;

namespace Patchbay.RateLimits;

public sealed class RateLimitOptions
{
    public const string Section = "Patchbay:RateLimits";

    public bool Enabled { get; set; } = true;

    // Refold's published limits: 20 requests per second sustained, bursts of 5 (refold-api.md §2.5), per API key
    // and per session token's linked account.
    [Between(0.001, 1_000_000_000)]
    public double PermitsPerSecond { get; set; } = 20;

    [Between(1, 1_000_000_000)]

    public int Burst { get; set; } = 5;

    // Requests carrying a credential this node does not know are limited per client address before the database is
    // asked about it, so a flood of bogus keys costs nothing and cannot crowd out real clients.
    [Between(0.001, 1_000_000_000)]
    public double UnknownCredentialPermitsPerSecond { get; set; } = 5;

    [Between(1, 1_000_000_000)]

    public int UnknownCredentialBurst { get; set; } = 10;
}

using Patchbay.Configuration;

namespace Patchbay.Auth;

public sealed class AuthOptions
{
    public const string Section = "Patchbay:Auth";

    /// <summary>Lifetime of a session token.</summary>
    [Duration("00:01:00", "365.00:00:00")]
    public TimeSpan SessionLifetime { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Lifetime of a session's refresh token.</summary>
    [Duration("00:01:00", "3650.00:00:00")]
    public TimeSpan RefreshLifetime { get; set; } = TimeSpan.FromDays(30);

    // An existing token is handed out again (force_refresh=false) only if it has at least this long left, so a
    // client never receives a token about to expire.
    [Duration("00:00:00", "365.00:00:00")]
    public TimeSpan ReuseMinimumRemaining { get; set; } = TimeSpan.FromMinutes(5);

    // Safety net behind PostgreSQL NOTIFY: how often a node re-reads revocations made elsewhere.
    [Duration("00:00:00.010", "1.00:00:00")]
    public TimeSpan ReconcileInterval { get; set; } = TimeSpan.FromSeconds(30);
}

public sealed class AdminOptions
{
    public const string Section = "Patchbay:Admin";

    // The bearer token of the /admin/v1 API. The admin API is disabled while this is unset.
    public string? Token { get; set; }
}

public sealed class BootstrapOptions
{
    public const string Section = "Patchbay:Bootstrap";

    // Known API keys for the default organization (deployments and scripts), instead of generated ones.
    [MinimumLength(20)]
    public string? TestApiKey { get; set; }

    [MinimumLength(20)]
    public string? ProductionApiKey { get; set; }

    public string DefaultOrgName { get; set; } = "Default Organization";
}

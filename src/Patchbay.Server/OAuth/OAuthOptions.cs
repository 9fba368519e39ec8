using Patchbay.Configuration;

namespace Patchbay.OAuth;

public sealed class OAuthOptions
{
    public const string Section = "Patchbay:OAuth";

    /// <summary>How long a customer has between opening the authorize URL and coming back.</summary>
    [Duration("00:01:00", "1.00:00:00")]
    public TimeSpan StateLifetime { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>How long before expiry an access token is refreshed (by the worker; on use, when less remains).</summary>
    [Duration("00:00:00", "30.00:00:00")]
    public TimeSpan RefreshAhead { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How long one node may hold a connection while refreshing its token.</summary>
    [Duration("00:00:01", "01:00:00")]
    public TimeSpan RefreshLease { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a token request may take.</summary>
    [Duration("00:00:00.100", "00:10:00")]
    public TimeSpan TokenTimeout { get; set; } = TimeSpan.FromSeconds(15);

    [Between(1, 10_000)]

    public int RefreshBatchSize { get; set; } = 20;
}

using Patchbay.Configuration;

namespace Patchbay.Connections;

public sealed class ConnectionOptions
{
    public const string Section = "Patchbay:Connections";

    /// <summary>How often a key-based connection is verified again; null or zero turns re-checks off.</summary>
    [Duration("00:00:00", "3650.00:00:00")]
    public TimeSpan? RecheckInterval { get; set; } = TimeSpan.FromHours(6);

    /// <summary>How long a re-check worker holds a claimed connection.</summary>
    [Duration("00:00:01", "1.00:00:00")]
    public TimeSpan Lease { get; set; } = TimeSpan.FromMinutes(2);

    [Between(1, 10_000)]

    public int BatchSize { get; set; } = 20;
}

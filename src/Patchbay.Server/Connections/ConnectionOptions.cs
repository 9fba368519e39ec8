namespace Patchbay.Connections;

public sealed class ConnectionOptions
{
    public const string Section = "Patchbay:Connections";

    /// <summary>How often a key-based connection is verified again; null or zero turns re-checks off.</summary>
    public TimeSpan? RecheckInterval { get; set; } = TimeSpan.FromHours(6);

    /// <summary>How long a re-check worker holds a claimed connection.</summary>
    public TimeSpan Lease { get; set; } = TimeSpan.FromMinutes(2);

    public int BatchSize { get; set; } = 20;
}

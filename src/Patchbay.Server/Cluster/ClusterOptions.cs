using Patchbay.Configuration;

namespace Patchbay.Cluster;

public sealed class ClusterOptions
{
    public const string Section = "Patchbay:Cluster";

    /// <summary>How often each node records that it is alive (and how often it re-reads how many nodes are).</summary>
    [Duration("00:00:00.100", "00:01:00")]
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>A node not seen for this long is dead: a live node hands its leases back, so its executions,
    /// deliveries and schedules resume at once instead of when their leases expire. Several heartbeats long, so a
    /// busy node is not mistaken for a dead one.</summary>
    [Duration("00:00:01", "01:00:00")]
    public TimeSpan DeadAfter { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>On PostgreSQL, each node enforces its share of the rate limits (the limit divided by the live node
    /// count), so the cluster as a whole admits what one server would. Off: every node enforces the full limits.</summary>
    public bool SharedRateLimits { get; set; } = true;
}

using System.Text.Json.Serialization;

namespace Patchbay.Cluster;

// One node of the cluster as GET /admin/v1/nodes lists it.
public sealed record NodeResponse(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("version")] string Version,
    [property: JsonPropertyName("started_at")] DateTimeOffset StartedAt,
    [property: JsonPropertyName("last_seen_at")] DateTimeOffset LastSeenAt,
    [property: JsonPropertyName("work_in_flight")] int WorkInFlight,
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("self")] bool Self);

public sealed record NodeListResponse(
    [property: JsonPropertyName("nodes")] IReadOnlyList<NodeResponse> Nodes,
    [property: JsonPropertyName("live")] int Live);

// A node is live while it heartbeats; dead once it has not for DeadAfter (until a live node reaps its row).
public static class NodeStatuses
{
    public const string Live = "live";
    public const string Dead = "dead";
}

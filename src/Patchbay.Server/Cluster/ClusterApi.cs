using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Patchbay.Cluster;

public static class ClusterApi
{
    // Under the admin group (/admin/v1, the admin token).
    public static void MapClusterAdmin(this RouteGroupBuilder admin)
    {
        ArgumentNullException.ThrowIfNull(admin);
        admin.MapGet("/nodes", List).WithSummary("List the cluster's nodes: version, start, last heartbeat, executions in flight");
    }

    static async Task<Ok<NodeListResponse>> List(NodeStore store, Data.Node node, IOptions<ClusterOptions> options, TimeProvider time, CancellationToken ct)
    {
        var cutoff = time.GetUtcNow() - options.Value.DeadAfter;
        var nodes = (await store.ListAsync(ct)).Select(n => new NodeResponse(n.Id, n.Version, n.StartedAt, n.LastSeenAt, n.WorkInFlight,
            n.LastSeenAt >= cutoff ? NodeStatuses.Live : NodeStatuses.Dead, n.Id == node.Id)).ToList();
        return TypedResults.Ok(new NodeListResponse(nodes, nodes.Count(n => n.Status == NodeStatuses.Live)));
    }
}

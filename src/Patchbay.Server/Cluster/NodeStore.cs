using Patchbay.Data;

namespace Patchbay.Cluster;

public sealed record NodeRow
{
    public required string Id { get; init; }
    public required string Version { get; init; }
    public DateTimeOffset StartedAt { get; init; }
    public DateTimeOffset LastSeenAt { get; init; }
    public int WorkInFlight { get; init; }
}

public sealed class NodeStore(Db db)
{
    // Records that the node is alive; also re-creates a row a live node removed while this one could not heartbeat.
    public Task HeartbeatAsync(NodeRow row, CancellationToken ct) =>
        db.ExecuteAsync("""
            insert into nodes (id, version, started_at, last_seen_at, work_in_flight)
            values (@Id, @Version, @StartedAt, @LastSeenAt, @WorkInFlight)
            on conflict (id) do update set last_seen_at = excluded.last_seen_at, work_in_flight = excluded.work_in_flight
            """, row, ct);

    public Task<IReadOnlyList<NodeRow>> ListAsync(CancellationToken ct) =>
        db.QueryAsync<NodeRow>("select id, version, started_at, last_seen_at, work_in_flight from nodes order by started_at, id", null, ct);

    public Task<int> CountLiveAsync(DateTimeOffset seenSince, CancellationToken ct) =>
        db.ExecuteScalarAsync<int>("select count(*) from nodes where last_seen_at >= @seenSince", new { seenSince }, ct);

    public Task<IReadOnlyList<string>> DeadAsync(DateTimeOffset seenBefore, string self, CancellationToken ct) =>
        db.QueryAsync<string>("select id from nodes where last_seen_at < @seenBefore and id <> @self", new { seenBefore, self }, ct);

    // Removes the node's row only if it has not heartbeated since it was found dead.
    public Task<int> RemoveAsync(string id, DateTimeOffset seenBefore, CancellationToken ct) =>
        db.ExecuteAsync("delete from nodes where id = @id and last_seen_at < @seenBefore", new { id, seenBefore }, ct);

    public Task<int> RemoveAsync(string id, CancellationToken ct) => db.ExecuteAsync("delete from nodes where id = @id", new { id }, ct);
}

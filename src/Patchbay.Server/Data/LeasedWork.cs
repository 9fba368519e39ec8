using System.Collections.Concurrent;
using Dapper;

namespace Patchbay.Data;

// The one building block of background work: a table whose rows come due (`Due`, a condition that may use @now and
// the caller's own parameters) and are claimed by a worker with a lease: `lease_owner` and `lease_until` columns on
// the row (or `<Lease>_owner` and `<Lease>_until` when a table holds two kinds of work). A claim takes up to `batch` due rows whose lease is free or expired, oldest first (`Order`), and marks them
// for `owner` until `now + lease`; on PostgreSQL rows another worker is claiming are skipped (FOR UPDATE SKIP
// LOCKED), on SQLite the single writer makes the UPDATE exclusive. A worker that dies loses nothing: its rows come
// back when their lease expires, or at once when a live node finds it dead (its heartbeats stopped; see Cluster/);
// a node that stops hands its rows back itself (ReleaseNodeAsync). Executions, schedules, the outbox, webhook
// deliveries, connection re-checks and OAuth refresh are such queues.
public sealed record LeasedWork(string Table, string Due, string Order, string Lease = "lease")
{
    // Every queue this process has defined (each is a static field of its store), for ReleaseNodeAsync.
    static readonly ConcurrentDictionary<(string Table, string Lease), bool> Queues = new();

    string Owner => Lease + "_owner";
    string Until => Lease + "_until";

    internal bool Registered { get; } = Queues.TryAdd((Table, Lease), true) || true;

    // Claims due rows and returns them (`returning` names the columns to read back, `*` by default).
    public Task<IReadOnlyList<T>> ClaimAsync<T>(Db db, string owner, DateTimeOffset now, TimeSpan lease, int batch, CancellationToken ct,
        object? args = null, string returning = "*")
    {
        ArgumentNullException.ThrowIfNull(db);
        var parameters = new DynamicParameters(args);
        parameters.Add("lease_owner_", owner);
        parameters.Add("lease_until_", now + lease);
        parameters.Add("now", now);
        parameters.Add("lease_batch_", batch);
        var sql = $"""
            update {Table} set {Owner} = @lease_owner_, {Until} = @lease_until_
            where id in (select id from {Table} where ({Due}) and ({Until} is null or {Until} < @now)
                         order by {Order} limit @lease_batch_ {db.Dialect.SkipLocked})
            returning {returning}
            """;
        return db.InTransactionAsync(tx => tx.QueryAsync<T>(sql, parameters, ct), ct);
    }

    // Extends the leases `owner` still holds on `ids` (a row another worker took since is left alone).
    public Task<int> RenewAsync(Db db, string owner, IReadOnlyCollection<string> ids, DateTimeOffset until, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(ids);
        return ids.Count == 0
            ? Task.FromResult(0)
            : db.ExecuteAsync($"update {Table} set {Until} = @until where {Owner} = @owner and {db.Dialect.InList("id", "ids")}",
                new { owner, ids = ids.ToArray(), until }, ct);
    }

    // Hands rows back before their lease expires (a worker that stops), so another worker takes them at once.
    public Task<int> ReleaseAsync(Db db, string owner, IReadOnlyCollection<string> ids, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(ids);
        return ids.Count == 0
            ? Task.FromResult(0)
            : db.ExecuteAsync($"update {Table} set {Owner} = null, {Until} = null where {Owner} = @owner and {db.Dialect.InList("id", "ids")}",
                new { owner, ids = ids.ToArray() }, ct);
    }

    // Claims one row by id if it is due and its lease is free (single flight across nodes); true when this owner has it.
    public async Task<bool> TryClaimAsync(Db db, string id, string owner, DateTimeOffset now, TimeSpan lease, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        return await db.ExecuteAsync($"""
            update {Table} set {Owner} = @owner, {Until} = @until
            where id = @id and ({Due}) and ({Until} is null or {Until} < @now)
            """, new { id, owner, now, until = now + lease }, ct) == 1;
    }

    // Due rows' ids, without claiming them (a worker that claims each one by TryClaimAsync).
    public Task<IReadOnlyList<string>> DueAsync(Db db, DateTimeOffset now, int batch, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        return db.QueryAsync<string>($"""
            select id from {Table} where ({Due}) and ({Until} is null or {Until} < @now) order by {Order} limit @batch
            """, new { now, batch }, ct);
    }

    // Hands back every row of every queue leased by a worker of `nodeId` (Node.Owner): a node that stops does this
    // for itself once its workers have stopped; a live node does it for a dead one.
    public static async Task<int> ReleaseNodeAsync(Db db, string nodeId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        var prefix = Node.OwnerPrefix(nodeId);
        var released = 0;
        foreach (var (table, lease) in Queues.Keys.OrderBy(q => q.Table, StringComparer.Ordinal))
        {
            released += await db.ExecuteAsync($"""
                update {table} set {lease}_owner = null, {lease}_until = null
                where {lease}_owner is not null and substr({lease}_owner, 1, @length) = @prefix
                """, new { prefix, length = prefix.Length }, ct);
        }
        return released;
    }
}

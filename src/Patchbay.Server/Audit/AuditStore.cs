using Patchbay.Data;
using Patchbay.Http;

namespace Patchbay.Audit;

public sealed record AuditRow
{
    public required string Id { get; init; }
    public required string OrgId { get; init; }
    public required string Environment { get; init; }
    public required string Event { get; init; }
    public required string ResourceType { get; init; }
    public string? ResourceId { get; init; }
    public string? LinkedAccountId { get; init; }
    public required string ActorType { get; init; }
    public string? ActorId { get; init; }
    public string? IpAddress { get; init; }
    public string? RequestId { get; init; }
    public required string Details { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
}

// What a read of the log asks for: one org and environment, optionally one event, one linked account, a time window.
public sealed record AuditQuery(string OrgId, string Environment, string? Event, string? LinkedAccountId, DateTimeOffset? From, DateTimeOffset? To);

public sealed class AuditStore(Db db)
{
    const string Columns = "id, org_id, environment, event, resource_type, resource_id, linked_account_id, actor_type, actor_id, ip_address, request_id, details, created_at";

    public static Task InsertAsync(DbTx tx, AuditRow row, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(tx);
        return tx.ExecuteAsync($"""
            insert into audit_entries ({Columns})
            values (@Id, @OrgId, @Environment, @Event, @ResourceType, @ResourceId, @LinkedAccountId, @ActorType, @ActorId, @IpAddress, @RequestId, @Details, @CreatedAt)
            """, row, ct);
    }

    // Newest first (ids sort by creation time within a second).
    public Task<(IReadOnlyList<AuditRow> Rows, long Total)> ListAsync(AuditQuery query, Page page, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(page);
        var filter = "org_id = @OrgId and environment = @Environment"
            + (query.Event is null ? "" : " and event = @Event")
            + (query.LinkedAccountId is null ? "" : " and linked_account_id = @LinkedAccountId")
            + (query.From is null ? "" : " and created_at >= @From")
            + (query.To is null ? "" : " and created_at <= @To");
        var args = new { query.OrgId, query.Environment, query.Event, query.LinkedAccountId, query.From, query.To, page.Limit, page.Offset };
        return db.WithConnectionAsync(async c =>
        {
            var total = await c.ExecuteScalarAsync<long>($"select count(*) from audit_entries where {filter}", args, ct);
            var rows = await c.QueryAsync<AuditRow>(
                $"select {Columns} from audit_entries where {filter} order by created_at desc, id desc limit @Limit offset @Offset", args, ct);
            return (rows, total);
        }, ct);
    }

    // Entries older than the cutoff, a batch at a time (idempotent: every node may run it).
    public Task<int> DeleteOlderThanAsync(DateTimeOffset cutoff, int limit, CancellationToken ct) =>
        db.ExecuteAsync("""
            delete from audit_entries where id in (select id from audit_entries where created_at < @cutoff order by created_at limit @limit)
            """, new { cutoff, limit }, ct);
}

using Patchbay.Audit;
using Patchbay.Data;
using Patchbay.Workers;

namespace Patchbay.Connections;

// The outbox messages of connection changes (ConnectionTopics), written in the transaction of the change.
public sealed partial class ConnectionStore
{
    sealed record Owner(string OrgId, string Environment, string AccountId);

    // Announces a change of the account's connection to `slug` in `tx`, and records it in the audit log.
    static async Task PublishAsync(Outbox outbox, DbTx tx, string topic, string accountRowId, string slug, string? authType,
        DateTimeOffset now, CancellationToken ct)
    {
        var owner = await tx.QueryFirstOrDefaultAsync<Owner>(
            "select org_id, environment, account_id from linked_accounts where id = @accountRowId", new { accountRowId }, ct);
        if (owner is null) return;
        var auditEvent = topic switch
        {
            ConnectionTopics.Created => AuditEvents.ConnectionCreated,
            ConnectionTopics.Deleted => AuditEvents.ConnectionDisconnected,
            ConnectionTopics.Expired => AuditEvents.ConnectionExpired,
            _ => throw new ArgumentOutOfRangeException(nameof(topic), topic, "Not a connection topic"),
        };
        await AuditLog.RecordAsync(tx, new(owner.OrgId, owner.Environment, auditEvent, AuditResources.Connection, slug, owner.AccountId,
            new { App = slug, AuthType = authType }), now, ct);
        if (!outbox.Publishes(topic)) return;
        await outbox.EnqueueAsync(tx, OutboxMessage.Of(topic, owner.OrgId, owner.Environment,
            new ConnectionChanged(owner.AccountId, slug, authType, now)), now, ct);
    }

    // Announces the expiry of one connection, if it was active until this transaction.
    static async Task PublishExpiredAsync(Outbox outbox, DbTx tx, string connectionId, DateTimeOffset now, CancellationToken ct)
    {
        var row = await ConnectionOfAsync(tx, connectionId, ct);
        if (row.AccountRowId is null) return;
        await PublishAsync(outbox, tx, ConnectionTopics.Expired, row.AccountRowId, row.Slug, row.AuthType, now, ct);
    }

    // A refresh or a re-check that failed without a verdict (the provider unreachable, an error answer): recorded in
    // the audit log only; the connection stays active and is tried again.
    static async Task AuditErroredAsync(DbTx tx, string connectionId, string during, int? failures, DateTimeOffset now, CancellationToken ct)
    {
        var row = await ConnectionOfAsync(tx, connectionId, ct);
        var owner = row.AccountRowId is null ? null : await tx.QueryFirstOrDefaultAsync<Owner>(
            "select org_id, environment, account_id from linked_accounts where id = @accountRowId", new { accountRowId = row.AccountRowId }, ct);
        if (owner is null) return;
        await AuditLog.RecordAsync(tx, new(owner.OrgId, owner.Environment, AuditEvents.ConnectionErrored, AuditResources.Connection, row.Slug,
            owner.AccountId, new { App = row.Slug, row.AuthType, During = during, Failures = failures }), now, ct);
    }

    static Task<(string AccountRowId, string Slug, string AuthType)> ConnectionOfAsync(DbTx tx, string connectionId, CancellationToken ct) =>
        tx.QueryFirstOrDefaultAsync<(string AccountRowId, string Slug, string AuthType)>("""
            select i.linked_account_id, i.app_key, c.auth_type from connections c join integrations i on i.id = c.integration_id
            where c.id = @connectionId
            """, new { connectionId }, ct);

    // A linked account being deleted removes its integrations with it: each is announced as deleted.
    public static async Task PublishAccountDeletedAsync(DbTx tx, Outbox outbox, string accountRowId, DateTimeOffset now, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(tx);
        ArgumentNullException.ThrowIfNull(outbox);
        var slugs = await tx.QueryAsync<string>("select app_key from integrations where linked_account_id = @accountRowId", new { accountRowId }, ct);
        foreach (var slug in slugs) await PublishAsync(outbox, tx, ConnectionTopics.Deleted, accountRowId, slug, null, now, ct);
    }
}

using Patchbay.Data;
using Patchbay.Workers;

namespace Patchbay.Connections;

// The outbox messages of connection changes (ConnectionTopics), written in the transaction of the change.
public sealed partial class ConnectionStore
{
    sealed record Owner(string OrgId, string Environment, string AccountId);

    // Announces a change of the account's connection to `slug` in `tx`.
    static async Task PublishAsync(Outbox outbox, DbTx tx, string topic, string accountRowId, string slug, string? authType,
        DateTimeOffset now, CancellationToken ct)
    {
        if (!outbox.Publishes(topic)) return;
        var owner = await tx.QueryFirstOrDefaultAsync<Owner>(
            "select org_id, environment, account_id from linked_accounts where id = @accountRowId", new { accountRowId }, ct);
        if (owner is null) return;
        await outbox.EnqueueAsync(tx, OutboxMessage.Of(topic, owner.OrgId, owner.Environment,
            new ConnectionChanged(owner.AccountId, slug, authType, now)), now, ct);
    }

    // Announces the expiry of one connection, if it was active until this transaction.
    static async Task PublishExpiredAsync(Outbox outbox, DbTx tx, string connectionId, DateTimeOffset now, CancellationToken ct)
    {
        if (!outbox.Publishes(ConnectionTopics.Expired)) return;
        var row = await tx.QueryFirstOrDefaultAsync<(string AccountRowId, string Slug, string AuthType)>("""
            select i.linked_account_id, i.app_key, c.auth_type from connections c join integrations i on i.id = c.integration_id
            where c.id = @connectionId
            """, new { connectionId }, ct);
        if (row.AccountRowId is null) return;
        await PublishAsync(outbox, tx, ConnectionTopics.Expired, row.AccountRowId, row.Slug, row.AuthType, now, ct);
    }

    // A linked account being deleted removes its integrations with it: each is announced as deleted.
    public static async Task PublishAccountDeletedAsync(DbTx tx, Outbox outbox, string accountRowId, DateTimeOffset now, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(tx);
        ArgumentNullException.ThrowIfNull(outbox);
        if (!outbox.Publishes(ConnectionTopics.Deleted)) return;
        var slugs = await tx.QueryAsync<string>("select app_key from integrations where linked_account_id = @accountRowId", new { accountRowId }, ct);
        foreach (var slug in slugs) await PublishAsync(outbox, tx, ConnectionTopics.Deleted, accountRowId, slug, null, now, ct);
    }
}

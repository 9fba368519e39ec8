using System.Text.Json;
using Patchbay.Apps;
using Patchbay.Data;
using Patchbay.Workers;

namespace Patchbay.Connections;

// Connections of linked accounts to catalog apps: one per (integration, auth type). Credentials are one JSON object
// sealed by the vault and bound to (integration, auth type), so an upsert may keep either row id safely.
public sealed partial class ConnectionStore(Db db, Vault.Vault vault, Outbox outbox)
{
    const string Columns = """
        id, integration_id, auth_type, status, identifier, sealed_credentials, connected_at, updated_at,
        last_verified_at, next_check_at, check_failures
        """;

    public static string SealContext(string integrationId, string authType) => Vault.Vault.Context("connections", integrationId, authType);

    // Stores verified credentials: the account's integration with the app is created if missing, the connection
    // for this auth type inserted or replaced (active again, identifier and schedules reset).
    public Task SaveAsync(string accountRowId, AppManifest app, string authType, IReadOnlyDictionary<string, string> credentials,
        string? identifier, DateTimeOffset now, ConnectionSchedule schedule, CancellationToken ct) =>
        db.InTransactionAsync(async tx =>
        {
            var integrationId = await tx.ExecuteScalarAsync<string>("""
                insert into integrations (id, linked_account_id, app_key, type, app_id, name, icon, is_default, created_at, updated_at)
                values (@id, @accountRowId, @slug, @slug, null, @name, null, @no, @now, @now)
                on conflict (linked_account_id, app_key) do update set updated_at = excluded.updated_at
                returning id
                """, new { id = Ids.New(now), accountRowId, slug = app.Slug, name = app.Name, no = false, now }, ct)
                ?? throw new InvalidOperationException("An upsert returned no row.");
            var sealedCredentials = vault.Seal(JsonSerializer.Serialize(credentials), SealContext(integrationId, authType));
            await tx.ExecuteAsync("""
                insert into connections (id, integration_id, auth_type, status, identifier, sealed_credentials, connected_at, updated_at,
                                         last_verified_at, next_check_at, check_failures, token_expires_at, refresh_at, refresh_failures)
                values (@id, @integrationId, @authType, 'active', @identifier, @sealedCredentials, @now, @now, @now, @nextCheckAt, 0,
                        @tokenExpiresAt, @refreshAt, 0)
                on conflict (integration_id, auth_type) do update set
                    status = 'active', identifier = excluded.identifier, sealed_credentials = excluded.sealed_credentials,
                    connected_at = excluded.connected_at, updated_at = excluded.updated_at, last_verified_at = excluded.last_verified_at,
                    next_check_at = excluded.next_check_at, check_failures = 0, lease_owner = null, lease_until = null,
                    token_expires_at = excluded.token_expires_at, refresh_at = excluded.refresh_at, refresh_failures = 0,
                    refresh_lease_owner = null, refresh_lease_until = null
                """, new
            {
                id = Ids.New(now), integrationId, authType, identifier, sealedCredentials, now,
                nextCheckAt = schedule.NextCheckAt, tokenExpiresAt = schedule.TokenExpiresAt, refreshAt = schedule.RefreshAt,
            }, ct);
            await SummarizeAsync(tx, "id = @integrationId", new { integrationId }, ct);
            await PublishAsync(outbox, tx, ConnectionTopics.Created, accountRowId, app.Slug, authType, now, ct);
        }, ct);

    // Recomputes the summary linked-account reads show for the matching integrations (identifier of the newest
    // connection; reauth_required when one has expired). Called in every transaction that changes connections.
    public static Task<int> SummarizeAsync(DbTx tx, string integrationsWhere, object args, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(tx);
        return tx.ExecuteAsync($"""
            update integrations set
                reauth_required = exists (select 1 from connections c where c.integration_id = integrations.id and c.status = 'expired'),
                identifier = (select c.identifier from connections c where c.integration_id = integrations.id order by c.connected_at desc limit 1)
            where {integrationsWhere}
            """, args, ct);
    }

    // ---- OAuth token refresh (OAuth/OAuthTokens): a lease on the row is the cross-node lock. ----

    const string ContextColumns = """
        c.id, c.integration_id, c.auth_type, c.status, c.sealed_credentials, c.token_expires_at, c.refresh_at, c.refresh_failures,
        i.app_key, la.org_id, la.environment, la.id as account_row_id, la.account_id
        """;

    public Task<ConnectionContext?> GetContextAsync(string id, CancellationToken ct) =>
        db.QueryFirstOrDefaultAsync<ConnectionContext>($"""
            select {ContextColumns} from connections c join integrations i on i.id = c.integration_id
            join linked_accounts la on la.id = i.linked_account_id where c.id = @id
            """, new { id }, ct);

    public Task<ConnectionContext?> FindContextAsync(string accountRowId, string slug, string authType, CancellationToken ct) =>
        db.QueryFirstOrDefaultAsync<ConnectionContext>($"""
            select {ContextColumns} from connections c join integrations i on i.id = c.integration_id
            join linked_accounts la on la.id = i.linked_account_id
            where la.id = @accountRowId and i.app_key = @slug and c.auth_type = @authType
            """, new { accountRowId, slug, authType }, ct);

    // Key-based connections are verified again every RecheckInterval (ConnectionCheckWorker).
    static readonly LeasedWork Recheck = new("connections", "status = 'active' and next_check_at <= @now", "next_check_at");

    // Claims connections due for a re-check; returns how many were claimed and those still held (with their app).
    public async Task<(int Count, IReadOnlyList<RecheckClaim> Claimed)> ClaimForRecheckAsync(string owner, DateTimeOffset now, TimeSpan lease, int batch, CancellationToken ct)
    {
        var ids = await Recheck.ClaimAsync<string>(db, owner, now, lease, batch, ct, returning: "id");
        if (ids.Count == 0) return (0, []);
        var claimed = await db.QueryAsync<RecheckClaim>($"""
            select c.id, i.app_key, c.auth_type, c.integration_id, c.sealed_credentials, c.check_failures
            from connections c join integrations i on i.id = c.integration_id
            where {db.Dialect.InList("c.id", "ids")} and c.lease_owner = @owner
            """, new { ids = ids.ToArray(), owner }, ct);
        return (ids.Count, claimed);
    }

    // Applies a re-check's outcome and drops the lease, unless the connection was saved again meanwhile (which
    // clears it), and refreshes its integration's summary in the same transaction.
    public Task FinishRecheckAsync(string id, string owner, RecheckOutcome outcome, DateTimeOffset now, DateTimeOffset? next, CancellationToken ct)
    {
        var set = outcome switch
        {
            RecheckOutcome.Verified => "last_verified_at = @now, next_check_at = @next, check_failures = 0",
            RecheckOutcome.Rejected => "status = 'expired', next_check_at = null, updated_at = @now",
            RecheckOutcome.Deferred => "check_failures = check_failures + 1, next_check_at = @next",
            _ => "next_check_at = null",
        };
        return db.InTransactionAsync(async tx =>
        {
            var changed = await tx.ExecuteAsync(
                $"update connections set {set}, lease_owner = null, lease_until = null where id = @id and lease_owner = @owner", new { id, owner, now, next }, ct);
            if (changed == 0) return;
            await SummarizeAsync(tx, "id = (select integration_id from connections where id = @id)", new { id }, ct);
            if (outcome == RecheckOutcome.Rejected) await PublishExpiredAsync(outbox, tx, id, now, ct);
            if (outcome == RecheckOutcome.Deferred) await AuditErroredAsync(tx, id, "check", null, now, ct);
        }, ct);
    }

    // OAuth token refresh: its own lease columns, so a re-check and a refresh of one connection never wait on each
    // other. Any active connection can be refreshed on demand; the worker refreshes those whose refresh_at has come.
    static readonly LeasedWork Refresh = new("connections", "status = 'active'", "refresh_at", "refresh_lease");
    static readonly LeasedWork RefreshDue = Refresh with { Due = "status = 'active' and refresh_at <= @now" };

    public Task<bool> TryLeaseRefreshAsync(string id, string owner, DateTimeOffset now, DateTimeOffset until, CancellationToken ct) =>
        Refresh.TryClaimAsync(db, id, owner, now, until - now, ct);

    public Task ReleaseRefreshAsync(string id, string owner, CancellationToken ct) =>
        Refresh.ReleaseAsync(db, owner, [id], ct);

    public Task StoreRefreshedAsync(ConnectionContext connection, string owner, IReadOnlyDictionary<string, string> credentials,
        DateTimeOffset? tokenExpiresAt, DateTimeOffset? refreshAt, DateTimeOffset now, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var sealedCredentials = vault.Seal(JsonSerializer.Serialize(credentials), SealContext(connection.IntegrationId, connection.AuthType));
        return db.ExecuteAsync("""
            update connections set sealed_credentials = @sealedCredentials, token_expires_at = @tokenExpiresAt, refresh_at = @refreshAt,
                refresh_failures = 0, refresh_lease_owner = null, refresh_lease_until = null, updated_at = @now
            where id = @id and refresh_lease_owner = @owner
            """, new { id = connection.Id, owner, sealedCredentials, tokenExpiresAt, refreshAt, now }, ct);
    }

    // The provider will not refresh this grant any more: the connection needs the customer again.
    public Task ExpireAsync(string id, DateTimeOffset now, CancellationToken ct) =>
        db.InTransactionAsync(async tx =>
        {
            await tx.Dialect.LockRowAsync(tx, "connections", id, ct);
            var wasActive = await tx.ExecuteScalarAsync<string>("select status from connections where id = @id", new { id }, ct) == ConnectionStatus.Active;
            if (wasActive) await PublishExpiredAsync(outbox, tx, id, now, ct);
            await tx.ExecuteAsync("""
                update connections set status = 'expired', refresh_at = null, next_check_at = null,
                    refresh_lease_owner = null, refresh_lease_until = null, updated_at = @now
                where id = @id
                """, new { id, now }, ct);
            await SummarizeAsync(tx, "id = (select integration_id from connections where id = @id)", new { id }, ct);
        }, ct);

    public Task DeferRefreshAsync(string id, string owner, DateTimeOffset retryAt, DateTimeOffset now, CancellationToken ct) =>
        db.InTransactionAsync(async tx =>
        {
            var failures = await tx.ExecuteScalarAsync<int?>("""
                update connections set refresh_failures = refresh_failures + 1, refresh_at = @retryAt,
                    refresh_lease_owner = null, refresh_lease_until = null
                where id = @id and refresh_lease_owner = @owner
                returning refresh_failures
                """, new { id, owner, retryAt }, ct);
            if (failures is { } count) await AuditErroredAsync(tx, id, "refresh", count, now, ct);
        }, ct);

    public Task<IReadOnlyList<string>> DueForRefreshAsync(DateTimeOffset now, int limit, CancellationToken ct) =>
        RefreshDue.DueAsync(db, now, limit, ct);

    public Task<IReadOnlyList<AccountConnection>> ForAccountAsync(string accountRowId, CancellationToken ct) =>
        db.QueryAsync<AccountConnection>("""
            select i.app_key, c.auth_type, c.status, c.identifier, c.connected_at
            from integrations i join connections c on c.integration_id = i.id
            where i.linked_account_id = @accountRowId
            order by c.connected_at
            """, new { accountRowId }, ct);

    public Task<ConnectionRow?> FindAsync(string accountRowId, string slug, string authType, CancellationToken ct) =>
        db.QueryFirstOrDefaultAsync<ConnectionRow>($"""
            select {Prefixed("c")} from connections c join integrations i on i.id = c.integration_id
            where i.linked_account_id = @accountRowId and i.app_key = @slug and c.auth_type = @authType
            """, new { accountRowId, slug, authType }, ct);

    // Whether the account holds an active (not expired) connection of the app, of any auth type.
    public static async Task<bool> HasActiveAsync(DbTx tx, string accountRowId, string slug, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(tx);
        return await tx.ExecuteScalarAsync<long>("""
            select count(*) from connections c join integrations i on i.id = c.integration_id
            where i.linked_account_id = @accountRowId and i.app_key = @slug and c.status = @active
            """, new { accountRowId, slug, active = ConnectionStatus.Active }, ct) > 0;
    }

    public Task<Dictionary<string, string>> OpenAsync(ConnectionRow connection, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(connection);
        return OpenAsync(connection.SealedCredentials, connection.IntegrationId, connection.AuthType, ct);
    }

    public async Task<Dictionary<string, string>> OpenAsync(string sealedCredentials, string integrationId, string authType, CancellationToken ct)
    {
        var secret = await vault.OpenAsync(sealedCredentials, SealContext(integrationId, authType), ct);
        return JsonSerializer.Deserialize<Dictionary<string, string>>(secret.Value) ?? [];
    }

    // Removes the account's connection of one auth type, or all of them; an integration left without connections
    // goes too (the default custom app's integration has none and is removed only when no auth type is named).
    public static async Task<int> DeleteAsync(DbTx tx, Outbox outbox, string orgId, string accountRowId, string slug, string? authType,
        DateTimeOffset now, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(tx);
        ArgumentNullException.ThrowIfNull(outbox);
        const string Matching = """
            select id from integrations
            where linked_account_id = @accountRowId
              and (app_key = @slug or type = @slug or app_id in (select id from custom_apps where org_id = @orgId and slug = @slug))
            """;
        var args = new { orgId, accountRowId, slug, authType };
        if (authType is null)
        {
            var slugs = await tx.QueryAsync<string>($"select app_key from integrations where id in ({Matching})", args, ct);
            foreach (var removedSlug in slugs) await PublishAsync(outbox, tx, ConnectionTopics.Deleted, accountRowId, removedSlug, null, now, ct);
            return await tx.ExecuteAsync($"delete from integrations where id in ({Matching})", args, ct);
        }

        var removed = await tx.ExecuteAsync($"delete from connections where auth_type = @authType and integration_id in ({Matching})", args, ct);
        if (removed > 0)
        {
            await PublishAsync(outbox, tx, ConnectionTopics.Deleted, accountRowId, slug, authType, now, ct);
            await tx.ExecuteAsync($"""
                delete from integrations where id in ({Matching})
                and not exists (select 1 from connections c where c.integration_id = integrations.id)
                """, args, ct);
            await SummarizeAsync(tx, $"id in ({Matching})", args, ct);
        }
        return removed;
    }

    static string Prefixed(string alias) => string.Join(", ", Columns.Split(',', StringSplitOptions.TrimEntries).Select(c => $"{alias}.{c}"));
}

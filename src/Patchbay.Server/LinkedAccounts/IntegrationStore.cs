using Patchbay.Data;
using Patchbay.Orgs;

namespace Patchbay.LinkedAccounts;

public sealed record DefaultAppTarget
{
    public required string AccountRowId { get; init; }
    public string? IntegrationId { get; init; }
}

public sealed class IntegrationStore(Db db)
{
    // The linked account (null when it does not exist) and its default-app integration (null when it has none).
    public Task<DefaultAppTarget?> FindDefaultAppAsync(string orgId, string environment, string accountId, CancellationToken ct) =>
        db.QueryFirstOrDefaultAsync<DefaultAppTarget>("""
            select la.id as account_row_id, i.id as integration_id
            from linked_accounts la
            left join integrations i on i.linked_account_id = la.id and i.is_default = @yes
            where la.org_id = @orgId and la.environment = @environment and la.account_id = @accountId
            """, new { orgId, environment, accountId, yes = true }, ct);

    // The account's integration with the org's default custom app, created if missing. Returns its id.
    public static async Task<string> EnsureDefaultAppAsync(DbTx tx, string accountRowId, CustomAppRow app, DateTimeOffset now, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(app);
        var existing = await tx.QueryFirstOrDefaultAsync<string>(
            "select id from integrations where linked_account_id = @accountRowId and app_key = @appKey",
            new { accountRowId, appKey = app.Id }, ct);
        if (existing is not null) return existing;
        var row = new IntegrationRow
        {
            Id = Ids.New(now), LinkedAccountId = accountRowId, AppKey = app.Id, Type = "custom", AppId = app.Id,
            Name = app.Name, Icon = app.Icon, IsDefault = true, CreatedAt = now, UpdatedAt = now,
        };
        await tx.ExecuteAsync($"""
            insert into integrations ({LinkedAccountStore.IntegrationColumns})
            values (@Id, @LinkedAccountId, @AppKey, @Type, @AppId, @Name, @Icon, @IsDefault, @Identifier, @ReauthRequired, @CreatedAt, @UpdatedAt)
            """, row, ct);
        return row.Id;
    }

    // Inserts or replaces one sealed credential in one statement; says which it did ("added" or "updated").
    public static async Task<string> UpsertCredentialAsync(DbTx tx, string integrationId, string key, string sealedValue, DateTimeOffset now, CancellationToken ct) =>
        await tx.ExecuteScalarAsync<int>(UpsertCredentialSql, new { integrationId, key, sealedValue, now }, ct) == 0 ? "added" : "updated";

    public async Task<string> UpsertCredentialAsync(string integrationId, string key, string sealedValue, DateTimeOffset now, CancellationToken ct) =>
        await db.WriteScalarAsync<int>(UpsertCredentialSql, new { integrationId, key, sealedValue, now }, ct) == 0 ? "added" : "updated";

    const string UpsertCredentialSql = """
        insert into integration_credentials (integration_id, key, sealed_value, created_at, updated_at)
        values (@integrationId, @key, @sealedValue, @now, @now)
        on conflict (integration_id, key) do update
            set sealed_value = excluded.sealed_value, updated_at = excluded.updated_at,
                revision = integration_credentials.revision + 1
        returning revision
        """;

    public async Task<bool> DeleteCredentialAsync(string integrationId, string key, CancellationToken ct) =>
        await db.ExecuteAsync("delete from integration_credentials where integration_id = @integrationId and key = @key",
            new { integrationId, key }, ct) > 0;

    public Task<IReadOnlyList<string>> CredentialKeysAsync(string integrationId, CancellationToken ct) =>
        db.QueryAsync<string>("select key from integration_credentials where integration_id = @integrationId order by key",
            new { integrationId }, ct);
}

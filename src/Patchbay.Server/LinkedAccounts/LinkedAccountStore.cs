using Dapper;
using Patchbay.Audit;
using Patchbay.Data;
using Patchbay.Http;

namespace Patchbay.LinkedAccounts;

public sealed class LinkedAccountStore(Db db)
{
    public const string Columns = "id, org_id, environment, account_id, name, udf, scope, version, created_at, updated_at";
    public const string IntegrationColumns =
        "id, linked_account_id, app_key, type, app_id, name, icon, is_default, identifier, reauth_required, created_at, updated_at";

    static string IntegrationSelect(string alias) => Prefixed(alias, IntegrationColumns);

    // The linked account the request acts for (its linked_account_id header or its session token's account).
    public Task<LinkedAccountRow?> ForCallerAsync(Auth.Caller caller, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(caller);
        return FindAsync(caller.OrgId, caller.Environment, caller.AccountId, ct);
    }

    public Task<LinkedAccountRow?> FindAsync(string orgId, string environment, string accountId, CancellationToken ct) =>
        db.WithConnectionAsync(c => FindAsync(c, orgId, environment, accountId, ct), ct);

    public static Task<LinkedAccountRow?> FindAsync(DbTx tx, string orgId, string environment, string accountId, CancellationToken ct) =>
        tx.QueryFirstOrDefaultAsync<LinkedAccountRow>($"""
            select {Columns} from linked_accounts
            where org_id = @orgId and environment = @environment and account_id = @accountId
            """, new { orgId, environment, accountId }, ct);

    // The account and its integrations in one statement (one parse on SQLite, one round trip on PostgreSQL): one
    // row per integration, or one row with null integration columns.
    public async Task<(LinkedAccountRow? Account, IReadOnlyList<IntegrationRow> Integrations)> FindWithIntegrationsAsync(
        string orgId, string environment, string accountId, CancellationToken ct)
    {
        LinkedAccountRow? account = null;
        var integrations = new List<IntegrationRow>();
        await db.QueryAsync<LinkedAccountRow, IntegrationRow?, bool>($"""
            select {Prefixed("la", Columns)}, {IntegrationSelect("i")}
            from linked_accounts la
            left join integrations i on i.linked_account_id = la.id
            where la.org_id = @orgId and la.environment = @environment and la.account_id = @accountId
            order by i.created_at, i.id
            """, new { orgId, environment, accountId }, (a, i) =>
            {
                account ??= a;
                if (i is not null) integrations.Add(i);
                return true;
            }, splitOn: "id", ct);
        return (account, integrations);
    }

    static string Prefixed(string alias, string columns) =>
        string.Join(", ", columns.Split(", ").Select(c => $"{alias}.{c}"));

    public static Task<IReadOnlyList<IntegrationRow>> IntegrationsAsync(DbTx tx, IReadOnlyList<string> accountRowIds, CancellationToken ct) =>
        accountRowIds.Count == 0
            ? Task.FromResult<IReadOnlyList<IntegrationRow>>([])
            : tx.QueryAsync<IntegrationRow>($"""
                select {IntegrationSelect("i")} from integrations i
                where {tx.Dialect.InList("i.linked_account_id", "accountRowIds")}
                order by i.created_at, i.id
                """, new { accountRowIds }, ct);

    public Task<(IReadOnlyList<LinkedAccountRow> Rows, IReadOnlyList<IntegrationRow> Integrations, long Total)> ListAsync(
        string orgId, string environment, string? scope, VariableFilter? variable, Page page, CancellationToken ct) =>
        db.WithConnectionAsync(async c =>
        {
            var filter = "org_id = @orgId and environment = @environment" + (scope is null ? "" : " and scope = @scope");
            // The environment variables' values that belong to an account (linked_account scope; EnvironmentVariables/).
            if (variable is not null)
            {
                filter += " and id in (select v.linked_account_row_id from env_values v join env_definitions d on d.id = v.definition_id"
                    + " where d.org_id = @orgId and d.name = @variableName and v.environment = @environment and v.linked_account_row_id is not null"
                    + (variable.Value is null ? "" : " and v.value = @variableValue") + ")";
            }
            var args = new { orgId, environment, scope, variableName = variable?.Name, variableValue = variable?.Value, page.Limit, page.Offset };
            var total = await c.ExecuteScalarAsync<long>($"select count(*) from linked_accounts where {filter}", args, ct);
            var rows = await c.QueryAsync<LinkedAccountRow>(
                $"select {Columns} from linked_accounts where {filter} order by id limit @Limit offset @Offset", args, ct);
            var integrations = await IntegrationsAsync(c, rows.Select(r => r.Id).ToList(), ct);
            return (rows, integrations, total);
        }, ct);

    public static async Task InsertAsync(DbTx tx, LinkedAccountRow row, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(tx);
        ArgumentNullException.ThrowIfNull(row);
        await tx.ExecuteAsync($"""
            insert into linked_accounts ({Columns})
            values (@Id, @OrgId, @Environment, @AccountId, @Name, @Udf, @Scope, @Version, @CreatedAt, @UpdatedAt)
            """, row, ct);
        await AuditLog.RecordAsync(tx, Audited(row, AuditEvents.LinkedAccountCreated), row.UpdatedAt, ct);
    }

    public static async Task UpdateAsync(DbTx tx, LinkedAccountRow row, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(tx);
        ArgumentNullException.ThrowIfNull(row);
        await tx.ExecuteAsync("""
            update linked_accounts set name = @Name, udf = @Udf, scope = @Scope, version = @Version, updated_at = @UpdatedAt
            where id = @Id
            """, row, ct);
        await AuditLog.RecordAsync(tx, Audited(row, AuditEvents.LinkedAccountUpdated), row.UpdatedAt, ct);
    }

    // The audit entry of a write: the account's name and scope (udf values are the org's data, not summarised).
    public static AuditChange Audited(LinkedAccountRow row, string auditEvent)
    {
        ArgumentNullException.ThrowIfNull(row);
        return new(row.OrgId, row.Environment, auditEvent, AuditResources.LinkedAccount, row.Id, row.AccountId, new { row.Name, row.Scope });
    }

    // Integrations and their credentials go with the account (foreign-key cascade).
    public static Task<int> DeleteAsync(DbTx tx, string id, CancellationToken ct) =>
        tx.ExecuteAsync("delete from linked_accounts where id = @id", new { id }, ct);
}

// LA1's `env_variable_name` / `env_variable_value` filter.
public sealed record VariableFilter(string Name, string? Value);

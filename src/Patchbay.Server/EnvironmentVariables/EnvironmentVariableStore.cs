using Patchbay.Audit;
using Patchbay.Data;
using Patchbay.Http;

namespace Patchbay.EnvironmentVariables;

// All of the environment variables' SQL: definitions (per org) and values (per environment and scope target).
public sealed class EnvironmentVariableStore(Db db)
{
    const string DefinitionColumns = "id, org_id, name, description, scope, var_format, encrypted, created_at, updated_at";

    const string ValueSelect = """
        select v.id, v.definition_id, v.org_id, v.environment, v.linked_account_row_id, la.account_id, v.workflow_id, v.value,
               v.sealed_value, v.created_at, v.updated_at, d.name, d.scope, d.encrypted
        from env_values v
        join env_definitions d on d.id = v.definition_id
        left join linked_accounts la on la.id = v.linked_account_row_id
        """;

    // ---- definitions ----

    // An org has few definitions: the name filter (a regular expression) and paging are applied by the caller.
    public Task<IReadOnlyList<VariableDefinitionRow>> DefinitionsAsync(string orgId, string? scope, string? format, CancellationToken ct) =>
        db.QueryAsync<VariableDefinitionRow>($"""
            select {DefinitionColumns} from env_definitions
            where org_id = @orgId {(scope is null ? "" : "and scope = @scope")} {(format is null ? "" : "and var_format = @format")}
            order by created_at, id
            """, new { orgId, scope, format }, ct);

    public Task<VariableDefinitionRow?> DefinitionAsync(string orgId, string id, CancellationToken ct) =>
        db.WithConnectionAsync(c => DefinitionAsync(c, orgId, id, ct), ct);

    public static Task<VariableDefinitionRow?> DefinitionAsync(DbTx tx, string orgId, string id, CancellationToken ct) =>
        tx.QueryFirstOrDefaultAsync<VariableDefinitionRow>(
            $"select {DefinitionColumns} from env_definitions where id = @id and org_id = @orgId", new { id, orgId }, ct);

    public static Task InsertDefinitionAsync(DbTx tx, VariableDefinitionRow row, CancellationToken ct) =>
        tx.ExecuteAsync($"""
            insert into env_definitions ({DefinitionColumns})
            values (@Id, @OrgId, @Name, @Description, @Scope, @VarFormat, @Encrypted, @CreatedAt, @UpdatedAt)
            """, row, ct);

    public static Task UpdateDefinitionAsync(DbTx tx, VariableDefinitionRow row, CancellationToken ct) =>
        tx.ExecuteAsync("""
            update env_definitions set name = @Name, description = @Description, scope = @Scope, var_format = @VarFormat,
                encrypted = @Encrypted, updated_at = @UpdatedAt
            where id = @Id and org_id = @OrgId
            """, row, ct);

    public static Task<long> ValueCountAsync(DbTx tx, string definitionId, CancellationToken ct) =>
        tx.ExecuteScalarAsync<long>("select count(*) from env_values where definition_id = @definitionId", new { definitionId }, ct);

    // Its values go with it (foreign-key cascade).
    public static Task<int> DeleteDefinitionAsync(DbTx tx, string orgId, string id, CancellationToken ct) =>
        tx.ExecuteAsync("delete from env_definitions where id = @id and org_id = @orgId", new { id, orgId }, ct);

    // ---- values ----

    // The value of a definition for one environment and target (null ids: none of that kind).
    public Task<VariableValueRow?> ValueForAsync(string definitionId, string environment, string? accountRowId, string? workflowId, CancellationToken ct) =>
        db.WithConnectionAsync(c => ValueForAsync(c, definitionId, environment, accountRowId, workflowId, ct), ct);

    public static Task<VariableValueRow?> ValueForAsync(DbTx tx, string definitionId, string environment, string? accountRowId, string? workflowId,
        CancellationToken ct) =>
        tx.QueryFirstOrDefaultAsync<VariableValueRow>($"""
            {ValueSelect}
            where v.definition_id = @definitionId and v.environment = @environment
              and coalesce(v.linked_account_row_id, '') = @account and coalesce(v.workflow_id, '') = @workflow
            """, new { definitionId, environment, account = accountRowId ?? "", workflow = workflowId ?? "" }, ct);

    public Task<VariableValueRow?> ValueAsync(string orgId, string environment, string id, CancellationToken ct) =>
        db.QueryFirstOrDefaultAsync<VariableValueRow>($"{ValueSelect} where v.id = @id and v.org_id = @orgId and v.environment = @environment",
            new { id, orgId, environment }, ct);

    public static async Task InsertValueAsync(DbTx tx, VariableValueRow row, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(tx);
        ArgumentNullException.ThrowIfNull(row);
        await tx.ExecuteAsync("""
            insert into env_values (id, definition_id, org_id, environment, linked_account_row_id, workflow_id, value, sealed_value, created_at, updated_at)
            values (@Id, @DefinitionId, @OrgId, @Environment, @LinkedAccountRowId, @WorkflowId, @Value, @SealedValue, @CreatedAt, @UpdatedAt)
            """, row, ct);
        await AuditLog.RecordAsync(tx, Audited(row, AuditEvents.VariableValueSet), row.UpdatedAt, ct);
    }

    public static async Task UpdateValueAsync(DbTx tx, VariableValueRow row, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(tx);
        ArgumentNullException.ThrowIfNull(row);
        await tx.ExecuteAsync("update env_values set value = @Value, sealed_value = @SealedValue, updated_at = @UpdatedAt where id = @Id", row, ct);
        await AuditLog.RecordAsync(tx, Audited(row, AuditEvents.VariableValueUpdated), row.UpdatedAt, ct);
    }

    // Audit entries name the variable and where its value applies, never the value (encrypted or not).
    public static AuditChange Audited(VariableValueRow row, string auditEvent)
    {
        ArgumentNullException.ThrowIfNull(row);
        return new(row.OrgId, row.Environment, auditEvent, AuditResources.EnvironmentVariable, row.Id, row.AccountId,
            new { row.Name, row.Scope, row.DefinitionId, row.WorkflowId, row.Encrypted });
    }

    // A definition belongs to the org; its entry goes to the environment of the key that changed it.
    public static AuditChange Audited(VariableDefinitionRow row, string environment, string auditEvent)
    {
        ArgumentNullException.ThrowIfNull(row);
        return new(row.OrgId, environment, auditEvent, AuditResources.EnvironmentVariable, row.Id, null,
            new { row.Name, row.Scope, row.VarFormat, row.Encrypted });
    }

    public static Task<int> DeleteValueAsync(DbTx tx, string id, CancellationToken ct) =>
        tx.ExecuteAsync("delete from env_values where id = @id", new { id }, ct);

    // One page of the values of a scope in an environment, optionally of one definition, account or workflow.
    public Task<(IReadOnlyList<VariableValueRow> Rows, long Total)> ValuesAsync(string orgId, string environment, string scope,
        string? definitionId, string? accountRowId, string? workflowId, Page page, CancellationToken ct) =>
        db.WithConnectionAsync(async c =>
        {
            var filter = "v.org_id = @orgId and v.environment = @environment and d.scope = @scope"
                + (definitionId is null ? "" : " and v.definition_id = @definitionId")
                + (accountRowId is null ? "" : " and v.linked_account_row_id = @accountRowId")
                + (workflowId is null ? "" : " and v.workflow_id = @workflowId");
            var args = new { orgId, environment, scope, definitionId, accountRowId, workflowId, page.Limit, page.Offset };
            var total = await c.ExecuteScalarAsync<long>(
                $"select count(*) from env_values v join env_definitions d on d.id = v.definition_id where {filter}", args, ct);
            var rows = await c.QueryAsync<VariableValueRow>($"{ValueSelect} where {filter} order by v.created_at, v.id limit @Limit offset @Offset", args, ct);
            return (rows, total);
        }, ct);

    // Every value an execution of `workflowId` for the account may read: the environment's (org and workspace
    // scope), the account's and the workflow's. The caller picks one per name by scope precedence.
    public Task<IReadOnlyList<VariableValueRow>> ForExecutionAsync(string orgId, string environment, string accountRowId, string workflowId,
        CancellationToken ct) =>
        db.QueryAsync<VariableValueRow>($"""
            {ValueSelect}
            where v.org_id = @orgId and v.environment = @environment
              and (d.scope in (@org, @workspace)
                   or (d.scope = @linkedAccount and v.linked_account_row_id = @accountRowId)
                   or (d.scope = @workflow and v.workflow_id = @workflowId))
            """, new
        {
            orgId, environment, accountRowId, workflowId, org = VariableScopes.Org, workspace = VariableScopes.Workspace,
            linkedAccount = VariableScopes.LinkedAccount, workflow = VariableScopes.Workflow,
        }, ct);
}

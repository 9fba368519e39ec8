using Dapper;
using Patchbay.Data;

namespace Patchbay.Configs;

public sealed record ConfigRow
{
    public required string Id { get; init; }
    public required string OrgId { get; init; }
    public required string Environment { get; init; }
    public required string LinkedAccountRowId { get; init; }
    public required string Slug { get; init; }
    public required string ConfigId { get; init; }
    public string Labels { get; init; } = "{}";
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }
}

// A stored value: app-level fields have WorkflowId "" (AppLevel); password values are sealed, never in Value.
public sealed record ConfigValueRow(string WorkflowId, string FieldId, string? Value, string? SealedValue);

public sealed record ConfigFlagRow
{
    public required string WorkflowId { get; init; }
    public bool Enabled { get; init; }
}

public sealed record FieldDefinitionRow(string Id, string Definition);

// An app's public workflow (a draft) as configs show it: its definition carries its own fields (settings.data_slots).
public sealed record ConfigWorkflowRow(string Id, string Name, string Description, string Definition);

// Everything a config's answer is built from, read together.
public sealed record ConfigSnapshot(
    ConfigRow? Config, IReadOnlyList<FieldDefinitionRow> Definitions, IReadOnlyList<ConfigWorkflowRow> Workflows,
    IReadOnlyList<ConfigValueRow> Values, IReadOnlyList<ConfigFlagRow> Flags);

// Configs, their enabled workflows and field values, and the app-level field definitions.
public sealed partial class ConfigStore(Db db)
{
    public const string AppLevel = "";
    const string MaxWorkflows = "500";

    const string Columns = "id, org_id, environment, linked_account_row_id, slug, config_id, labels, created_at, updated_at";

    const string FindSql = $"""
        select {Columns} from configs where linked_account_row_id = @accountRowId and slug = @slug and config_id = @configId
        """;
    const string DefinitionsSql = """
        select id, definition from config_field_definitions where org_id = @orgId and environment = @environment and slug = @slug order by position, id
        """;
    const string WorkflowsSql = $"""
        select id, name, description, definition from workflows
        where org_id = @orgId and environment = @environment and slug = @slug and draft_id is null and linked_account_row_id is null
        order by created_at, id limit {MaxWorkflows}
        """;
    const string ValuesSql = """
        select v.workflow_id, v.field_id, v.value, v.sealed_value from config_values v
        join configs c on c.id = v.config_row_id
        where c.linked_account_row_id = @accountRowId and c.slug = @slug and c.config_id = @configId
        """;
    const string FlagsSql = """
        select f.workflow_id, f.enabled from config_workflows f
        join configs c on c.id = f.config_row_id
        where c.linked_account_row_id = @accountRowId and c.slug = @slug and c.config_id = @configId
        """;

    static object Args(string orgId, string environment, string accountRowId, string slug, string configId) =>
        new { orgId, environment, accountRowId, slug, configId };

    // One batch on one connection (the read path of get-or-create and GET config).
    public Task<ConfigSnapshot> LoadAsync(string orgId, string environment, string accountRowId, string slug, string configId, CancellationToken ct) =>
        db.QueryMultipleAsync($"{FindSql};\n{DefinitionsSql};\n{WorkflowsSql};\n{ValuesSql};\n{FlagsSql};",
            Args(orgId, environment, accountRowId, slug, configId), async grid =>
            {
                var config = (await grid.ReadAsync<ConfigRow>()).FirstOrDefault();
                var definitions = (await grid.ReadAsync<FieldDefinitionRow>()).AsList();
                var workflows = (await grid.ReadAsync<ConfigWorkflowRow>()).AsList();
                var values = (await grid.ReadAsync<ConfigValueRow>()).AsList();
                var flags = (await grid.ReadAsync<ConfigFlagRow>()).AsList();
                return new ConfigSnapshot(config, definitions, workflows, values, flags);
            }, ct);

    // The same inside a unit of work (the config may be locked by the caller first).
    public static async Task<ConfigSnapshot> LoadAsync(DbTx tx, string orgId, string environment, string accountRowId, string slug, string configId, CancellationToken ct)
    {
        var args = Args(orgId, environment, accountRowId, slug, configId);
        var config = await tx.QueryFirstOrDefaultAsync<ConfigRow>(FindSql, args, ct);
        var definitions = await tx.QueryAsync<FieldDefinitionRow>(DefinitionsSql, args, ct);
        var workflows = await tx.QueryAsync<ConfigWorkflowRow>(WorkflowsSql, args, ct);
        var values = config is null ? [] : await tx.QueryAsync<ConfigValueRow>(ValuesSql, args, ct);
        var flags = config is null ? [] : await tx.QueryAsync<ConfigFlagRow>(FlagsSql, args, ct);
        return new ConfigSnapshot(config, definitions, workflows, values, flags);
    }

    public static Task<ConfigRow?> FindAsync(DbTx tx, string accountRowId, string slug, string configId, CancellationToken ct) =>
        tx.QueryFirstOrDefaultAsync<ConfigRow>(FindSql, new { accountRowId, slug, configId }, ct);

    public static Task InsertAsync(DbTx tx, ConfigRow row, CancellationToken ct) =>
        tx.ExecuteAsync($"""
            insert into configs ({Columns}) values (@Id, @OrgId, @Environment, @LinkedAccountRowId, @Slug, @ConfigId, @Labels, @CreatedAt, @UpdatedAt)
            """, row, ct);

    public static Task TouchAsync(DbTx tx, string id, string labels, DateTimeOffset now, CancellationToken ct) =>
        tx.ExecuteAsync("update configs set labels = @labels, updated_at = @now where id = @id", new { id, labels, now }, ct);

    // Its values and workflow flags go with it (foreign-key cascade).
    public static Task<int> DeleteAsync(DbTx tx, string id, CancellationToken ct) =>
        tx.ExecuteAsync("delete from configs where id = @id", new { id }, ct);

    public Task<IReadOnlyList<(string Id, string ConfigId)>> ListAsync(string accountRowId, string slug, CancellationToken ct) =>
        db.QueryAsync<(string, string)>("select id, config_id from configs where linked_account_row_id = @accountRowId and slug = @slug order by created_at, id",
            new { accountRowId, slug }, ct);

    public static Task SetEnabledAsync(DbTx tx, string configRowId, string workflowId, bool enabled, DateTimeOffset now, CancellationToken ct) =>
        tx.ExecuteAsync("""
            insert into config_workflows (config_row_id, workflow_id, enabled, updated_at) values (@configRowId, @workflowId, @enabled, @now)
            on conflict (config_row_id, workflow_id) do update set enabled = excluded.enabled, updated_at = excluded.updated_at
            """, new { configRowId, workflowId, enabled, now }, ct);

    public static Task SetValueAsync(DbTx tx, string configRowId, string workflowId, string fieldId, string? value, string? sealedValue, DateTimeOffset now, CancellationToken ct) =>
        tx.ExecuteAsync("""
            insert into config_values (config_row_id, workflow_id, field_id, value, sealed_value, updated_at)
            values (@configRowId, @workflowId, @fieldId, @value, @sealedValue, @now)
            on conflict (config_row_id, workflow_id, field_id) do update set value = excluded.value, sealed_value = excluded.sealed_value, updated_at = excluded.updated_at
            """, new { configRowId, workflowId, fieldId, value, sealedValue, now }, ct);

    public static Task<int> ClearValueAsync(DbTx tx, string configRowId, string workflowId, string fieldId, CancellationToken ct) =>
        tx.ExecuteAsync("delete from config_values where config_row_id = @configRowId and workflow_id = @workflowId and field_id = @fieldId",
            new { configRowId, workflowId, fieldId }, ct);

    // The stored values of one config by its row (executions read their config this way).
    public Task<IReadOnlyList<ConfigValueRow>> ValuesAsync(string configRowId, CancellationToken ct) =>
        db.QueryAsync<ConfigValueRow>("select workflow_id, field_id, value, sealed_value from config_values where config_row_id = @configRowId",
            new { configRowId }, ct);

    public Task<ConfigRow?> FindAsync(string accountRowId, string slug, string configId, CancellationToken ct) =>
        db.QueryFirstOrDefaultAsync<ConfigRow>(FindSql, new { accountRowId, slug, configId }, ct);
}

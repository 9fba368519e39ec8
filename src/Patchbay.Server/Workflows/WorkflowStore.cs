using Patchbay.Audit;
using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Patchbay.Data;
using Patchbay.Workflows.Engine;

namespace Patchbay.Workflows;

public sealed record WorkflowRow
{
    public required string Id { get; init; }
    public required string OrgId { get; init; }
    public required string Environment { get; init; }
    public string? LinkedAccountRowId { get; init; }
    public string? DraftId { get; init; }
    public int Version { get; init; }
    public int CurrentVersion { get; init; }
    public bool Published { get; init; }
    public string? LiveVersionId { get; init; }
    public required string Slug { get; init; }
    public required string Name { get; init; }
    public string Description { get; init; } = "";
    public string? Alias { get; init; }
    public string TriggerType { get; init; } = Engine.TriggerTypes.Api;
    public string? TriggerEvent { get; init; }
    public required string Definition { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }

    public bool IsVersion => DraftId is not null;
    public bool IsPrivate => LinkedAccountRowId is not null;
}

// Workflows: drafts (edited through the API) and the immutable versions publishing makes of them.
public sealed class WorkflowStore(Db db)
{
    public const string Columns = """
        id, org_id, environment, linked_account_row_id, draft_id, version, current_version, published, live_version_id, slug, name, description,
        alias, trigger_type, trigger_event, definition, created_at, updated_at
        """;

    // Versions never change, so their parsed graphs are shared by every execution on this node.
    readonly ConcurrentDictionary<string, WorkflowDefinition> definitions = new(StringComparer.Ordinal);

    // False when the alias is taken (aliases are unique per org and environment).
    public Task<bool> CreateAsync(WorkflowRow row, CancellationToken ct) =>
        UnlessAliasTakenAsync(() => db.InTransactionAsync(async tx =>
        {
            var inserted = await tx.ExecuteAsync($"""
                insert into workflows ({Columns})
                values (@Id, @OrgId, @Environment, @LinkedAccountRowId, @DraftId, @Version, @CurrentVersion, @Published, @LiveVersionId, @Slug, @Name,
                        @Description, @Alias, @TriggerType, @TriggerEvent, @Definition, @CreatedAt, @UpdatedAt)
                """, row, ct);
            await AuditAsync(tx, row, AuditEvents.WorkflowCreated, row.UpdatedAt, ct);
            return inserted;
        }, ct));

    // The audit entry of a change to a workflow: its name and slug (and version), the private workflow's account.
    static async Task AuditAsync(DbTx tx, WorkflowRow row, string auditEvent, DateTimeOffset now, CancellationToken ct)
    {
        var accountId = row.LinkedAccountRowId is { } rowId
            ? await tx.QueryFirstOrDefaultAsync<string>("select account_id from linked_accounts where id = @rowId", new { rowId }, ct)
            : null;
        await AuditLog.RecordAsync(tx, new(row.OrgId, row.Environment, auditEvent, AuditResources.Workflow, row.DraftId ?? row.Id, accountId,
            new { row.Name, row.Slug, row.Alias, Version = row.IsVersion ? row.Version : (int?)null }), now, ct);
    }

    async Task<bool> UnlessAliasTakenAsync(Func<Task<int>> write)
    {
        try
        {
            await write();
            return true;
        }
        catch (System.Data.Common.DbException e) when (db.Dialect.IsUniqueViolation(e))
        {
            return false;
        }
    }

    public Task<WorkflowRow?> GetAsync(string orgId, string environment, string id, CancellationToken ct) =>
        db.QueryFirstOrDefaultAsync<WorkflowRow>($"select {Columns} from workflows where id = @id and org_id = @orgId and environment = @environment",
            new { id, orgId, environment }, ct);

    // A draft or version by id, or a draft by its alias.
    public Task<WorkflowRow?> FindAsync(string orgId, string environment, string idOrAlias, CancellationToken ct) =>
        db.QueryFirstOrDefaultAsync<WorkflowRow>($"""
            select {Columns} from workflows where org_id = @orgId and environment = @environment
            and (id = @idOrAlias or (alias = @idOrAlias and draft_id is null))
            order by case when id = @idOrAlias then 0 else 1 end limit 1
            """, new { orgId, environment, idOrAlias }, ct);

    public async Task<WorkflowDefinition> DefinitionAsync(string versionId, CancellationToken ct)
    {
        if (definitions.TryGetValue(versionId, out var cached)) return cached;
        var json = await db.QueryFirstOrDefaultAsync<string>("select definition from workflows where id = @versionId", new { versionId }, ct)
            ?? throw new InvalidOperationException($"Workflow version {versionId} is gone.");
        var definition = WorkflowDefinition.Parse(JsonNode.Parse(json)).Definition
            ?? throw new InvalidOperationException($"Workflow version {versionId} does not parse."); // validated when saved
        if (definitions.Count > 50_000) definitions.Clear();
        return definitions.GetOrAdd(versionId, definition);
    }

    public async Task<(IReadOnlyList<WorkflowRow> Rows, int Total)> ListAsync(
        string orgId, string environment, string? accountRowId, bool privateOnly, string? slug, string? name, bool? published,
        DateTimeOffset? from, DateTimeOffset? to, int page, int limit, CancellationToken ct)
    {
        var where = "org_id = @orgId and environment = @environment and draft_id is null"
            + (privateOnly ? " and linked_account_row_id = @accountRowId"
               : accountRowId is null ? " and linked_account_row_id is null"
               : " and (linked_account_row_id is null or linked_account_row_id = @accountRowId)")
            + (slug is null ? "" : " and slug = @slug")
            + (name is null ? "" : " and lower(name) like @name")
            + (published is null ? "" : " and published = @published")
            + (from is null ? "" : " and created_at >= @from")
            + (to is null ? "" : " and created_at <= @to");
        var args = new { orgId, environment, accountRowId, slug, name = name is null ? null : "%" + name.ToLowerInvariant() + "%", published, from, to, limit, offset = (page - 1) * limit };
        var rows = await db.QueryAsync<WorkflowRow>($"select {Columns} from workflows where {where} order by created_at desc, id desc limit @limit offset @offset", args, ct);
        var total = await db.QueryFirstOrDefaultAsync<int>($"select count(*) from workflows where {where}", args, ct);
        return (rows, total);
    }

    // False when the alias is taken.
    public Task<bool> UpdateDraftAsync(WorkflowRow row, CancellationToken ct) =>
        UnlessAliasTakenAsync(() => db.InTransactionAsync(async tx =>
        {
            var updated = await tx.ExecuteAsync("""
                update workflows set name = @Name, description = @Description, alias = @Alias, trigger_type = @TriggerType, trigger_event = @TriggerEvent,
                    definition = @Definition, updated_at = @UpdatedAt
                where id = @Id and draft_id is null
                """, row, ct);
            if (updated > 0) await AuditAsync(tx, row, AuditEvents.DraftWorkflowUpdated, row.UpdatedAt, ct);
            return updated;
        }, ct));

    // The live version behind an id (a version's own, or a draft's) or alias: what executes. Null when there is none
    // (unknown, never published, or a version that is no longer the published one).
    public async Task<WorkflowRow?> LiveVersionAsync(string orgId, string environment, string idOrAlias, CancellationToken ct)
    {
        var workflow = await FindAsync(orgId, environment, idOrAlias, ct);
        if (workflow is null) return null;
        if (workflow.IsVersion) return workflow.Published ? workflow : null;
        return workflow.LiveVersionId is { } live ? await GetAsync(orgId, environment, live, ct) : null;
    }

    // Snapshots the draft as its next version, which becomes the live one.
    public Task<WorkflowRow> PublishAsync(WorkflowRow draft, string newId, DateTimeOffset now, CancellationToken ct) =>
        db.InTransactionAsync(async tx =>
        {
            // Two publishes of one draft at once take turns (SQLite's single writer does this by itself).
            await tx.Dialect.LockRowAsync(tx, "workflows", draft.Id, ct);
            var version = 1 + await tx.QueryFirstOrDefaultAsync<int>("select coalesce(max(version), 0) from workflows where draft_id = @Id", new { draft.Id }, ct);
            var row = draft with { Id = newId, DraftId = draft.Id, Version = version, CurrentVersion = version, Published = true, LiveVersionId = null, CreatedAt = now, UpdatedAt = now };
            await tx.ExecuteAsync("update workflows set published = @no where draft_id = @Id", new { no = false, draft.Id }, ct);
            await tx.ExecuteAsync($"""
                insert into workflows ({Columns})
                values (@Id, @OrgId, @Environment, @LinkedAccountRowId, @DraftId, @Version, @CurrentVersion, @Published, @LiveVersionId, @Slug, @Name,
                        @Description, @Alias, @TriggerType, @TriggerEvent, @Definition, @CreatedAt, @UpdatedAt)
                """, row with { Alias = null }, ct);
            await tx.ExecuteAsync("""
                update workflows set current_version = @version, published = @yes, live_version_id = @newId, updated_at = @now where id = @Id
                """, new { version, yes = true, newId, now, draft.Id }, ct);
            await AuditAsync(tx, row, AuditEvents.WorkflowPublished, now, ct);
            return row;
        }, ct);

    public Task UnpublishAsync(WorkflowRow version, DateTimeOffset now, CancellationToken ct) =>
        db.InTransactionAsync(async tx =>
        {
            await tx.ExecuteAsync("update workflows set published = @no where draft_id = @DraftId", new { no = false, version.DraftId }, ct);
            await tx.ExecuteAsync("update workflows set published = @no, live_version_id = null, updated_at = @now where id = @DraftId",
                new { no = false, now, version.DraftId }, ct);
            await AuditAsync(tx, version, AuditEvents.WorkflowUnpublished, now, ct);
        }, ct);

    public Task<int> DeleteAsync(WorkflowRow draft, DateTimeOffset now, CancellationToken ct) =>
        db.InTransactionAsync(async tx =>
        {
            var deleted = await tx.ExecuteAsync("delete from workflows where id = @Id and draft_id is null", new { draft.Id }, ct);
            if (deleted > 0) await AuditAsync(tx, draft, AuditEvents.WorkflowDeleted, now, ct);
            return deleted;
        }, ct);

    public async Task<(IReadOnlyList<WorkflowRow> Rows, int Total)> VersionsAsync(string draftId, int page, int limit, CancellationToken ct)
    {
        var rows = await db.QueryAsync<WorkflowRow>($"""
            select {Columns} from workflows where draft_id = @draftId order by version desc limit @limit offset @offset
            """, new { draftId, limit, offset = (page - 1) * limit }, ct);
        return (rows, await db.QueryFirstOrDefaultAsync<int>("select count(*) from workflows where draft_id = @draftId", new { draftId }, ct));
    }
}

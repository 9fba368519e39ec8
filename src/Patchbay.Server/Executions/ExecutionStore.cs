using Patchbay.Data;
using Patchbay.Http;

namespace Patchbay.Executions;

// Executions and their node runs: every SQL text of the feature. This file: rows and reads. Claims with a lease are in
// ExecutionStore.Claims.cs, group-committed checkpoints in ExecutionStore.Checkpoints.cs, what steps change besides
// the execution row (webhook waits, child executions) in ExecutionStore.Effects.cs.
public sealed partial class ExecutionStore(Db db, Workers.Outbox outbox)
{
    const string Columns = """
        id, org_id, environment, linked_account_row_id, account_id, config_id, workflow_id, workflow_draft_id, workflow_name, slug, name,
        status, type, source, instance_tag, idempotency_key, payload, state, return_value, return_status, error, current_node, nodes_total,
        nodes_done, run_at, lease_owner, lease_until, timeout_at, parent_execution_id, parent_node_id, created_at, updated_at, completed_at
        """;

    const string Insert = $"""
        insert into executions ({Columns})
        values (@Id, @OrgId, @Environment, @LinkedAccountRowId, @AccountId, @ConfigId, @WorkflowId, @WorkflowDraftId, @WorkflowName, @Slug, @Name,
                @Status, @Type, @Source, @InstanceTag, @IdempotencyKey, @Payload, @State, @ReturnValue, @ReturnStatus, @Error, @CurrentNode, @NodesTotal,
                @NodesDone, @RunAt, @LeaseOwner, @LeaseUntil, @TimeoutAt, @ParentExecutionId, @ParentNodeId, @CreatedAt, @UpdatedAt, @CompletedAt)
        """;

    public Task CreateAsync(ExecutionRow row, CancellationToken ct) => db.ExecuteAsync(Insert, row, ct);

    public static Task CreateAsync(DbTx tx, ExecutionRow row, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(tx);
        return tx.ExecuteAsync(Insert, row, ct);
    }

    public Task<ExecutionRow?> GetAsync(string id, CancellationToken ct) =>
        db.QueryFirstOrDefaultAsync<ExecutionRow>($"select {Columns} from executions where id = @id", new { id }, ct);

    public Task<IReadOnlyList<NodeRunRow>> NodeRunsAsync(string executionId, CancellationToken ct) =>
        db.QueryAsync<NodeRunRow>("select * from execution_nodes where execution_id = @executionId order by seq", new { executionId }, ct);

    // A page of the executions the filter lets through, newest first unless it asks otherwise, and how many there are.
    public async Task<(IReadOnlyList<ExecutionRow> Rows, int Total)> ListAsync(ExecutionFilter filter, Page page, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentNullException.ThrowIfNull(page);
        var where = new List<string> { "org_id = @OrgId", "environment = @Environment" };
        if (filter.Status is not null) where.Add("status = @Status");
        if (filter.Slugs.Count > 0) where.Add(db.Dialect.InList("slug", "Slugs"));
        if (filter.WorkflowName is not null) where.Add("lower(workflow_name) like @WorkflowName");
        if (filter.WorkflowId is not null) where.Add("(workflow_draft_id = @WorkflowId or workflow_id = @WorkflowId)");
        if (filter.ExecutionId is not null) where.Add("id = @ExecutionId");
        if (filter.From is not null) where.Add("created_at >= @From");
        if (filter.To is not null) where.Add("created_at <= @To");
        if (filter.Type is not null) where.Add("type = @Type");
        switch (filter.Source)
        {
            case ExecutionSourceKind.ApiCall: where.Add("source = @ApiCall"); break;
            case ExecutionSourceKind.Schedule: where.Add("source = @Schedule"); break;
            case ExecutionSourceKind.Event: where.Add("source not in (@ApiCall, @Schedule, @Datasource)"); break;
            case null: break;
        }
        if (filter.AccountId is not null) where.Add("account_id = @AccountId");
        var order = filter.Ascending ? "asc" : "desc";
        var args = new
        {
            filter.OrgId, filter.Environment, filter.Status, Slugs = filter.Slugs.ToArray(), WorkflowName = "%" + filter.WorkflowName?.ToLowerInvariant() + "%",
            filter.WorkflowId, filter.ExecutionId, filter.From, filter.To, filter.Type, filter.AccountId,
            ApiCall = ExecutionSources.ApiCall, Schedule = ExecutionSources.Schedule, Datasource = ExecutionSources.Datasource, page.Limit, page.Offset,
        };
        var condition = string.Join(" and ", where);
        var rows = await db.QueryAsync<ExecutionRow>(
            $"select {Columns} from executions where {condition} order by created_at {order}, id {order} limit @Limit offset @Offset", args, ct);
        var total = await db.QueryFirstOrDefaultAsync<int>($"select count(*) from executions where {condition}", args, ct);
        return (rows, total);
    }

    // Whether an event with this idempotency key started executions for the account since `since` (call it holding
    // the key's lock, see ExecutionService.FireAsync).
    public static Task<bool> IsDuplicateEventAsync(DbTx tx, string orgId, string environment, string accountRowId, string idempotencyKey,
        DateTimeOffset since, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(tx);
        return tx.QueryFirstOrDefaultAsync<bool>("""
            select exists (select 1 from executions where org_id = @orgId and environment = @environment and idempotency_key = @idempotencyKey
                           and linked_account_row_id = @accountRowId and created_at > @since)
            """, new { orgId, environment, accountRowId, idempotencyKey, since }, ct);
    }

    // Asks a running execution to stop: a worker holding it finishes its node and stops; one that is parked stops at once.
    public Task<bool> StopAsync(string id, DateTimeOffset now, CancellationToken ct) =>
        db.InTransactionAsync(async tx => await tx.ExecuteAsync($"""
            update executions set status = '{ExecutionStatus.Stopping}', run_at = @now, updated_at = @now
            where id = @id and status = '{ExecutionStatus.Running}'
            """, new { id, now }, ct) == 1, ct);
}

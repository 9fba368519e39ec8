using System.Threading.Channels;
using Dapper;
using Patchbay.Data;
using Patchbay.Workflows;
using Patchbay.Workflows.Engine;

namespace Patchbay.Executions;

public static class ExecutionStatus
{
    public const string Running = "RUNNING";
    public const string Completed = "COMPLETED";
    public const string Errored = "ERRORED";
    public const string Stopping = "STOPPING";
    public const string Stopped = "STOPPED";
    public const string TimedOut = "TIMED_OUT";
    public const string Duplicate = "DUPLICATE";

    public static readonly IReadOnlyList<string> All = [Completed, Errored, Running, Stopped, Stopping, TimedOut, Duplicate];

    public static bool IsFinal(string status) => status is Completed or Errored or Stopped or TimedOut or Duplicate;
}

public sealed record ExecutionRow
{
    public required string Id { get; init; }
    public required string OrgId { get; init; }
    public required string Environment { get; init; }
    public required string LinkedAccountRowId { get; init; }
    public required string AccountId { get; init; }
    public required string ConfigId { get; init; }
    public required string WorkflowId { get; init; }
    public required string WorkflowDraftId { get; init; }
    public required string WorkflowName { get; init; }
    public required string Slug { get; init; }
    public required string Name { get; init; }
    public required string Status { get; init; }
    public required string Type { get; init; }
    public required string Source { get; init; }
    public string? InstanceTag { get; init; }
    public string? IdempotencyKey { get; init; }
    public required string Payload { get; init; }
    public required string State { get; init; }
    public string? ReturnValue { get; init; }
    public int? ReturnStatus { get; init; }
    public string? Error { get; init; }
    public string? CurrentNode { get; init; }
    public int NodesTotal { get; init; }
    public int NodesDone { get; init; }
    public DateTimeOffset? RunAt { get; init; }
    public string? LeaseOwner { get; init; }
    public DateTimeOffset? LeaseUntil { get; init; }
    public DateTimeOffset? TimeoutAt { get; init; }
    public string? ParentExecutionId { get; init; }
    public string? ParentNodeId { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }
    public DateTimeOffset? CompletedAt { get; init; }
}

public sealed record NodeRunRow
{
    public required string ExecutionId { get; init; }
    public int Seq { get; init; }
    public required string NodeId { get; init; }
    public required string NodeName { get; init; }
    public required string NodeType { get; init; }
    public required string Status { get; init; }
    public int Attempts { get; init; }
    public int MaxAttempts { get; init; }
    public string? Input { get; init; }
    public string? Output { get; init; }
    public string? Error { get; init; }
    public DateTimeOffset StartedAt { get; init; }
    public DateTimeOffset FinishedAt { get; init; }
    public int ExecutionMs { get; init; }
}

public sealed record WaitRow(string Id, string ExecutionId, string NodeId, string? Body, DateTimeOffset? ReceivedAt);

// What a step changes besides the execution row, written in the same transaction.
public sealed class StepEffects
{
    public (string Id, string NodeId)? CreateWait { get; set; }
    public string? DeleteWait { get; set; }
    public ExecutionRow? Child { get; set; }
}

public sealed record Checkpoint(
    string Id, string Owner, string State, string Status, DateTimeOffset? RunAt, bool KeepLease, string? CurrentNode,
    NodeRecord? Record, DateTimeOffset StartedAt, string? ReturnValue, int? ReturnStatus, string? Error, string? ParentExecutionId,
    StepEffects? Effects, DateTimeOffset Now, bool MayHaveWaits = true);

// Executions and their node runs. Workers claim due executions with a lease (FOR UPDATE SKIP LOCKED on PostgreSQL);
// every step is one checkpoint: the state, the finished node run and the step's effects in one transaction, applied
// only while the lease is still held. Checkpoints from concurrent executions are committed together (group commit).
public sealed class ExecutionStore(Db db)
{
    public const string Columns = """
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

    readonly Channel<(Checkpoint Checkpoint, TaskCompletionSource<string?> Done)> queue = Channel.CreateUnbounded<(Checkpoint, TaskCompletionSource<string?>)>();
    int draining;

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

    // Executions come due at run_at (new, retried, resumed after a delay or a webhook).
    static readonly LeasedWork Due = new("executions", "run_at <= @now", "run_at");

    public Task<IReadOnlyList<ExecutionRow>> ClaimAsync(string owner, DateTimeOffset now, DateTimeOffset until, int limit, CancellationToken ct) =>
        Due.ClaimAsync<ExecutionRow>(db, owner, now, until - now, limit, ct, returning: Columns);

    // Only the executions still running here: one that this server dropped must not be kept from the others.
    public Task<int> RenewLeasesAsync(string owner, string[] ids, DateTimeOffset until, CancellationToken ct) =>
        Due.RenewAsync(db, owner, ids, until, ct);

    public Task<WaitRow?> GetWaitAsync(string id, CancellationToken ct) =>
        db.QueryFirstOrDefaultAsync<WaitRow>("select id, execution_id, node_id, body, received_at from execution_waits where id = @id", new { id }, ct);

    public Task<IReadOnlyList<WaitRow>> WaitsAsync(string executionId, CancellationToken ct) =>
        db.QueryAsync<WaitRow>("select id, execution_id, node_id, body, received_at from execution_waits where execution_id = @executionId", new { executionId }, ct);

    // A webhook for a waiting node (by the hash of its id, see WebhookIds): its body is kept and the execution woken.
    // False when no execution waits on it.
    public Task<bool> ReceiveWebhookAsync(string id, string body, DateTimeOffset now, CancellationToken ct) =>
        db.InTransactionAsync(async tx =>
        {
            var executionId = await tx.QueryFirstOrDefaultAsync<string>(
                "update execution_waits set body = @body, received_at = @now where id = @id and received_at is null returning execution_id", new { id, body, now }, ct);
            if (executionId is null) return false;
            await tx.ExecuteAsync("update executions set run_at = @now where id = @executionId and status = 'RUNNING'", new { executionId, now }, ct);
            return true;
        }, ct);

    // Asks a running execution to stop: a worker holding it finishes its node and stops; one that is parked stops at once.
    public Task<bool> StopAsync(string id, DateTimeOffset now, CancellationToken ct) =>
        db.InTransactionAsync(async tx => await tx.ExecuteAsync(
            "update executions set status = 'STOPPING', run_at = @now, updated_at = @now where id = @id and status = 'RUNNING'", new { id, now }, ct) == 1, ct);

    // Commits a step (with whatever other steps are waiting). Returns the execution's status after it, or null when
    // the lease was lost (another node reclaimed the execution): the step is then discarded.
    public Task<string?> CheckpointAsync(Checkpoint checkpoint)
    {
        var done = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
        queue.Writer.TryWrite((checkpoint, done));
        if (Interlocked.CompareExchange(ref draining, 1, 0) == 0) _ = Task.Run(DrainAsync);
        return done.Task;
    }

    async Task DrainAsync()
    {
        while (true)
        {
            var batch = new List<(Checkpoint Checkpoint, TaskCompletionSource<string?> Done)>();
            while (batch.Count < 256 && queue.Reader.TryRead(out var item)) batch.Add(item);
            if (batch.Count == 0)
            {
                Volatile.Write(ref draining, 0);
                if (queue.Reader.TryPeek(out _) && Interlocked.CompareExchange(ref draining, 1, 0) == 0) continue;
                return;
            }
            try
            {
                var results = await db.InTransactionAsync(tx => ApplyAllAsync(tx, [.. batch.Select(b => b.Checkpoint)]), CancellationToken.None);
                for (var i = 0; i < batch.Count; i++) batch[i].Done.TrySetResult(results[i]);
            }
            catch (Exception) when (batch.Count > 1)
            {
                // One bad step must not sink the others: commit them one by one.
                foreach (var (checkpoint, completion) in batch)
                {
                    try { completion.TrySetResult(await db.InTransactionAsync(tx => ApplyAsync(tx, checkpoint), CancellationToken.None)); }
                    catch (Exception e) { completion.TrySetException(e); }
                }
            }
            catch (Exception e)
            {
                batch[0].Done.TrySetException(e);
            }
        }
    }

    // The common steps (no effects, no parent, nothing to clean up) of a whole group go to PostgreSQL as one command:
    // one round trip, one commit. The others follow one by one in the same transaction.
    static async Task<string?[]> ApplyAllAsync(DbTx tx, Checkpoint[] batch)
    {
        var results = new string?[batch.Length];
        // SQLite is in-process: a round trip costs nothing, and its parameter binding is linear in the parameter count,
        // so one long command would cost more than it saves. PostgreSQL gets the batch.
        var simple = tx.Dialect.BatchesStatements ? Enumerable.Range(0, batch.Length).Where(i => IsSimple(batch[i])).ToList() : [];
        if (simple.Count > 0)
        {
            var sql = new System.Text.StringBuilder();
            var parameters = new DynamicParameters();
            foreach (var i in simple)
            {
                var c = batch[i];
                foreach (var (name, value) in Arguments(c)) parameters.Add(name + i, value);
                if (c.Record is { } r)
                {
                    foreach (var (name, value) in RecordArguments(c, r)) parameters.Add(name + i, value);
                    sql.Append(Suffix(InsertRecordIfLeased, i)).Append(";\n");
                }
                sql.Append(Suffix(UpdateSql(c.KeepLease), i)).Append(";\n");
            }
            using (var grid = await tx.Connection.QueryMultipleAsync(new CommandDefinition(sql.ToString(), parameters, tx.Transaction)))
            {
                foreach (var i in simple) results[i] = (await grid.ReadAsync<string>()).FirstOrDefault();
            }
            // Rare: asked to stop while the node ran, or the lease was lost. The first stops here; the second stays null.
            foreach (var i in simple.Where(i => results[i] is null))
            {
                results[i] = await tx.QueryFirstOrDefaultAsync<string>(UpdateStoppingSql, Parameters(Arguments(batch[i])), CancellationToken.None);
            }
        }
        for (var i = 0; i < batch.Length; i++)
        {
            if (!simple.Contains(i)) results[i] = await ApplyAsync(tx, batch[i]);
        }
        return results;
    }

    static DynamicParameters Parameters(IEnumerable<KeyValuePair<string, object?>> values)
    {
        var parameters = new DynamicParameters();
        foreach (var (name, value) in values) parameters.Add(name, value);
        return parameters;
    }

    static bool IsSimple(Checkpoint c) =>
        c.Effects is null or { CreateWait: null, DeleteWait: null, Child: null } && c.ParentExecutionId is null && !(ExecutionStatus.IsFinal(c.Status) && c.MayHaveWaits);

    static string Suffix(string sql, int i) => System.Text.RegularExpressions.Regex.Replace(sql, @"@([A-Za-z]+)", m => "@" + m.Groups[1].Value + i);

    static Dictionary<string, object?> Arguments(Checkpoint c) => new()
    {
        ["State"] = c.State, ["Status"] = c.Status, ["RunAt"] = c.RunAt, ["CurrentNode"] = c.CurrentNode, ["Done"] = c.Record is null ? 0 : 1,
        ["ReturnValue"] = c.ReturnValue, ["ReturnStatus"] = c.ReturnStatus, ["Error"] = c.Error, ["Now"] = c.Now, ["Id"] = c.Id, ["Owner"] = c.Owner,
        ["CompletedAt"] = ExecutionStatus.IsFinal(c.Status) ? c.Now : null,
    };

    static Dictionary<string, object?> RecordArguments(Checkpoint c, NodeRecord r) => new()
    {
        ["Seq"] = r.Seq, ["NodeId"] = r.NodeId, ["NodeName"] = r.NodeName, ["NodeType"] = r.NodeType, ["NodeStatus"] = r.Status, ["Attempts"] = r.Attempts,
        ["MaxAttempts"] = r.MaxAttempts, ["Input"] = r.Input?.ToJsonString(), ["Output"] = r.Output?.ToJsonString(), ["NodeError"] = r.Error,
        ["StartedAt"] = c.StartedAt, ["Ms"] = (int)Math.Max(0, (c.Now - c.StartedAt).TotalMilliseconds),
    };

    const string InsertRecord = """
        insert into execution_nodes (execution_id, seq, node_id, node_name, node_type, status, attempts, max_attempts, input, output, error,
                                     started_at, finished_at, execution_ms)
        values (@Id, @Seq, @NodeId, @NodeName, @NodeType, @NodeStatus, @Attempts, @MaxAttempts, @Input, @Output, @NodeError, @StartedAt, @Now, @Ms)
        """;

    // Before the update, while the lease is still this server's: the node run is recorded only if the step will count.
    const string InsertRecordIfLeased = """
        insert into execution_nodes (execution_id, seq, node_id, node_name, node_type, status, attempts, max_attempts, input, output, error,
                                     started_at, finished_at, execution_ms)
        select @Id, @Seq, @NodeId, @NodeName, @NodeType, @NodeStatus, @Attempts, @MaxAttempts, @Input, @Output, @NodeError, @StartedAt, @Now, @Ms
        where exists (select 1 from executions where id = @Id and lease_owner = @Owner)
        """;

    static string UpdateSql(bool keepLease) => $"""
        update executions set state = @State, status = @Status, run_at = @RunAt, {(keepLease ? "" : "lease_owner = null, lease_until = null,")} current_node = @CurrentNode,
            nodes_done = nodes_done + @Done, return_value = coalesce(@ReturnValue, return_value),
            return_status = coalesce(@ReturnStatus, return_status), error = coalesce(@Error, error), updated_at = @Now, completed_at = @CompletedAt
        where id = @Id and lease_owner = @Owner and status <> 'STOPPING'
        returning status
        """;

    // Asked to stop while the node ran: the step still counts, and the execution stops here.
    const string UpdateStoppingSql = """
        update executions set state = @State, status = 'STOPPED', run_at = null, lease_owner = null, lease_until = null,
            current_node = @CurrentNode, nodes_done = nodes_done + @Done, updated_at = @Now, completed_at = @Now
        where id = @Id and lease_owner = @Owner and status = 'STOPPING'
        returning status
        """;

    static async Task<string?> ApplyAsync(DbTx tx, Checkpoint c)
    {
        var args = Parameters(Arguments(c));
        var status = await tx.QueryFirstOrDefaultAsync<string>(UpdateSql(c.KeepLease), args, CancellationToken.None)
            ?? await tx.QueryFirstOrDefaultAsync<string>(UpdateStoppingSql, args, CancellationToken.None);
        if (status is null) return null;

        if (c.Record is { } r)
        {
            await tx.ExecuteAsync(InsertRecord, Parameters(Arguments(c).Concat(RecordArguments(c, r))), CancellationToken.None);
        }
        if (c.Effects is { } e)
        {
            if (e.CreateWait is { } wait)
            {
                await tx.ExecuteAsync("insert into execution_waits (id, execution_id, node_id, created_at) values (@WaitId, @Id, @NodeId, @Now)",
                    new { WaitId = wait.Id, c.Id, wait.NodeId, c.Now }, CancellationToken.None);
            }
            if (e.DeleteWait is { } waitId) await tx.ExecuteAsync("delete from execution_waits where id = @waitId", new { waitId }, CancellationToken.None);
            if (e.Child is { } child) await CreateAsync(tx, child, CancellationToken.None);
        }
        if (ExecutionStatus.IsFinal(status))
        {
            await tx.ExecuteAsync("delete from execution_waits where execution_id = @Id", new { c.Id }, CancellationToken.None);
            // A parent waiting on this execution in a call-workflow node looks again.
            if (c.ParentExecutionId is { } parent)
            {
                await tx.ExecuteAsync("update executions set run_at = @Now where id = @parent and status in ('RUNNING', 'STOPPING') and lease_owner is null",
                    new { c.Now, parent }, CancellationToken.None);
            }
        }
        return status;
    }
}

using System.Text;
using System.Text.RegularExpressions;
using System.Threading.Channels;
using Dapper;
using Patchbay.Data;
using Patchbay.Workflows.Engine;

namespace Patchbay.Executions;

// Every step is one checkpoint: the state, the finished node run and the step's effects in one transaction, applied
// only while the lease is still held. Checkpoints from concurrent executions are committed together (group commit).
public sealed partial class ExecutionStore
{
    readonly Channel<(Checkpoint Checkpoint, TaskCompletionSource<string?> Done)> queue = Channel.CreateUnbounded<(Checkpoint, TaskCompletionSource<string?>)>();
    int draining;

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
                    try { completion.TrySetResult((await db.InTransactionAsync(tx => ApplyAllAsync(tx, [checkpoint]), CancellationToken.None))[0]); }
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
    async Task<string?[]> ApplyAllAsync(DbTx tx, Checkpoint[] batch)
    {
        var results = new string?[batch.Length];
        // SQLite is in-process: a round trip costs nothing, and its parameter binding is linear in the parameter count,
        // so one long command would cost more than it saves. PostgreSQL gets the batch.
        var simple = tx.Dialect.BatchesStatements ? Enumerable.Range(0, batch.Length).Where(i => HasNoEffects(batch[i])).ToList() : [];
        if (simple.Count > 0)
        {
            var sql = new StringBuilder();
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
        await PublishFinishedAsync(tx, batch, results);
        for (var i = 0; i < batch.Length; i++)
        {
            if (results[i] is not null && batch[i].Effects is { HumanTask: { } task, HumanTaskCreated: { } created })
                await created.EnqueueAsync(outbox, tx, HumanTasks.HumanTaskTopics.Created, task.OrgId, task.Environment, CancellationToken.None);
        }
        return results;
    }

    // Executions that ended in this transaction are announced in it too: the message exists exactly when the final
    // status committed (a step whose lease was lost announces nothing).
    async Task PublishFinishedAsync(DbTx tx, Checkpoint[] batch, string?[] results)
    {
        if (!outbox.Publishes(ExecutionTopics.Finished)) return;
        for (var i = 0; i < batch.Length; i++)
        {
            if (results[i] is not { } status || !ExecutionStatus.IsFinal(status)) continue;
            var e = await tx.QueryFirstOrDefaultAsync<ExecutionRow>($"select {Columns} from executions where id = @Id", new { batch[i].Id }, CancellationToken.None);
            if (e is null) continue;
            var finished = new ExecutionFinished(e.Id, e.WorkflowDraftId, e.WorkflowName, e.AccountId, e.ConfigId, e.Status, e.Error, e.CompletedAt,
                e.Slug, e.ReturnValue);
            await outbox.EnqueueAsync(tx, Workers.OutboxMessage.Of(ExecutionTopics.Finished, e.OrgId, e.Environment, finished), batch[i].Now, CancellationToken.None);
        }
    }

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
        await ApplyEffectsAsync(tx, c, status);
        return status;
    }

    static DynamicParameters Parameters(IEnumerable<KeyValuePair<string, object?>> values)
    {
        var parameters = new DynamicParameters();
        foreach (var (name, value) in values) parameters.Add(name, value);
        return parameters;
    }

    static string Suffix(string sql, int i) => Regex.Replace(sql, @"@([A-Za-z]+)", m => "@" + m.Groups[1].Value + i);

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
        where id = @Id and lease_owner = @Owner and status <> '{ExecutionStatus.Stopping}'
        returning status
        """;

    // Asked to stop while the node ran: the step still counts, and the execution stops here.
    const string UpdateStoppingSql = $"""
        update executions set state = @State, status = '{ExecutionStatus.Stopped}', run_at = null, lease_owner = null, lease_until = null,
            current_node = @CurrentNode, nodes_done = nodes_done + @Done, updated_at = @Now, completed_at = @Now
        where id = @Id and lease_owner = @Owner and status = '{ExecutionStatus.Stopping}'
        returning status
        """;
}

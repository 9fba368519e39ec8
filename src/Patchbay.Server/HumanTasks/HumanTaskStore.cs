using Patchbay.Data;
using Patchbay.Executions;
using Patchbay.Workers;
using Patchbay.Workflows;

namespace Patchbay.HumanTasks;

// Every SQL text of human tasks. A task's status moves once, from WAITING to SUBMITTED or TIMEOUT, by a conditional
// update: the first submission (or the expiry) wins, on any number of servers; the other finds the row changed. The
// update that wins announces it through the outbox in its own transaction (HumanTaskTopics).
public sealed class HumanTaskStore(Db db, WorkflowStore workflows)
{
    const string Columns = """
        id, org_id, environment, execution_id, node_id, name, description, form_structure, ui_structure, task_group, data, receiver_emails,
        status, expires_at, submitted_data, submitted_at, created_at, updated_at
        """;

    // Expired tasks still marked WAITING, for the expiry worker.
    static readonly LeasedWork Expired = new("human_tasks", $"status = '{HumanTaskStatus.Waiting}' and expires_at <= @now", "expires_at");

    // In the checkpoint of the step that parks the execution on the task: the task exists exactly when the wait does.
    public static Task CreateAsync(DbTx tx, HumanTaskRow row)
    {
        ArgumentNullException.ThrowIfNull(tx);
        return tx.ExecuteAsync($"""
            insert into human_tasks ({Columns})
            values (@Id, @OrgId, @Environment, @ExecutionId, @NodeId, @Name, @Description, @FormStructure, @UiStructure, @TaskGroup, @Data, @ReceiverEmails,
                    @Status, @ExpiresAt, @SubmittedData, @SubmittedAt, @CreatedAt, @UpdatedAt)
            """, row, CancellationToken.None);
    }

    // When an execution ends (completed elsewhere, stopped, timed out) its unanswered tasks can no longer be answered.
    public static Task CloseForExecutionAsync(DbTx tx, string executionId, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(tx);
        return tx.ExecuteAsync($"""
            update human_tasks set status = '{HumanTaskStatus.Timeout}', updated_at = @now
            where execution_id = @executionId and status = '{HumanTaskStatus.Waiting}'
            """, new { executionId, now }, CancellationToken.None);
    }

    public Task<HumanTaskRow?> GetAsync(string hash, CancellationToken ct) =>
        db.QueryFirstOrDefaultAsync<HumanTaskRow>($"select {Columns} from human_tasks where id = @hash", new { hash }, ct);

    // The submission: stores the data, wakes the execution and announces it, in one transaction. False when the task
    // was no longer WAITING or had expired by `now` (someone else's submission or the expiry came first).
    public Task<bool> SubmitAsync(string hash, string data, Outbox outbox, DateTimeOffset now, CancellationToken ct) =>
        db.InTransactionAsync(async tx =>
        {
            // '' for a standalone task (no execution to wake; its owner polls for the answer).
            var executionId = await tx.QueryFirstOrDefaultAsync<string>($"""
                update human_tasks set status = '{HumanTaskStatus.Submitted}', submitted_data = @data, submitted_at = @now, updated_at = @now
                where id = @hash and status = '{HumanTaskStatus.Waiting}' and expires_at > @now
                returning coalesce(execution_id, '')
                """, new { hash, data, now }, ct);
            if (executionId is null) return false;
            if (executionId.Length > 0) await ExecutionStore.WakeAsync(tx, executionId, now, ct);
            await AnnounceAsync(tx, outbox, HumanTaskTopics.Submitted, hash, now, ct);
            return true;
        }, ct);

    // Marks the task TIMEOUT (announced in the same transaction) if it is still WAITING and has expired by `now`;
    // returns the task as it is afterwards.
    public async Task<HumanTaskRow?> ExpireAsync(string hash, Outbox outbox, DateTimeOffset now, CancellationToken ct)
    {
        await db.InTransactionAsync(async tx =>
        {
            var changed = await tx.ExecuteAsync($"""
                update human_tasks set status = '{HumanTaskStatus.Timeout}', updated_at = @now, lease_owner = null, lease_until = null
                where id = @hash and status = '{HumanTaskStatus.Waiting}' and expires_at <= @now
                """, new { hash, now }, ct);
            if (changed == 1) await AnnounceAsync(tx, outbox, HumanTaskTopics.TimedOut, hash, now, ct);
        }, ct);
        return await GetAsync(hash, ct);
    }

    // A task's submission or expiry, written to the outbox in `tx`: the task's execution (its account, workflow, app)
    // and node. The node's name comes from the workflow version the execution runs (its id when that is gone).
    async Task AnnounceAsync(DbTx tx, Outbox outbox, string topic, string hash, DateTimeOffset now, CancellationToken ct)
    {
        if (!outbox.Publishes(topic)) return;
        var c = await tx.QueryFirstOrDefaultAsync<HumanTaskContext>("""
            select t.org_id, t.environment, t.execution_id, t.node_id, e.account_id, e.workflow_id, e.workflow_draft_id, e.slug
            from human_tasks t join executions e on e.id = t.execution_id
            where t.id = @hash
            """, new { hash }, ct);
        if (c is null) return;
        var name = c.NodeId;
        try
        {
            if ((await workflows.DefinitionAsync(c.WorkflowId, ct)).ById.TryGetValue(c.NodeId, out var node)) name = node.Name;
        }
        catch (InvalidOperationException)
        {
            // The version was deleted: the node's id stands for its name.
        }
        await new HumanTaskEvent(hash, null, c.ExecutionId, c.WorkflowDraftId, c.AccountId, c.Slug, c.NodeId, name, now)
            .EnqueueAsync(outbox, tx, topic, c.OrgId, c.Environment, ct);
    }

    // The expiry worker's batch: expired WAITING tasks, leased to `owner`, turned TIMEOUT with their executions woken
    // announced (one transaction per task). Returns how many were claimed.
    public async Task<int> ExpireDueAsync(string owner, Outbox outbox, DateTimeOffset now, TimeSpan lease, int batch, CancellationToken ct)
    {
        var claimed = await Expired.ClaimAsync<ExpiredTask>(db, owner, now, lease, batch, ct, returning: "id, execution_id");
        foreach (var task in claimed)
        {
            await db.InTransactionAsync(async tx =>
            {
                var changed = await tx.ExecuteAsync($"""
                    update human_tasks set status = '{HumanTaskStatus.Timeout}', updated_at = @now, lease_owner = null, lease_until = null
                    where id = @Id and lease_owner = @owner and status = '{HumanTaskStatus.Waiting}'
                    """, new { task.Id, owner, now }, ct);
                if (changed == 1)
                {
                    if (task.ExecutionId is not null) await ExecutionStore.WakeAsync(tx, task.ExecutionId, now, ct);
                    await AnnounceAsync(tx, outbox, HumanTaskTopics.TimedOut, task.Id, now, ct);
                }
                return changed;
            }, ct);
        }
        return claimed.Count;
    }

    sealed record ExpiredTask
    {
        public required string Id { get; init; }
        public string? ExecutionId { get; init; }
    }
}

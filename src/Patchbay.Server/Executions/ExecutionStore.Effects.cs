using Patchbay.Data;

namespace Patchbay.Executions;

// What steps change besides the execution row: the waits of wait-for-webhook nodes (and the webhooks that end them),
// the tasks of human-task nodes, child executions of call-workflow nodes, and the parent a finished child wakes.
public sealed partial class ExecutionStore
{
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
            await WakeAsync(tx, executionId, now, ct);
            return true;
        }, ct);

    // A parked execution's wait ended (a webhook, a human task's submission or expiry): it comes due now.
    public static Task WakeAsync(DbTx tx, string executionId, DateTimeOffset now, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(tx);
        return tx.ExecuteAsync($"update executions set run_at = @now where id = @executionId and status = '{ExecutionStatus.Running}'", new { executionId, now }, ct);
    }

    // In the step's transaction, after its update succeeded with `status`.
    static async Task ApplyEffectsAsync(DbTx tx, Checkpoint c, string status)
    {
        if (c.Effects is { } e)
        {
            if (e.CreateWait is { } wait)
            {
                await tx.ExecuteAsync("insert into execution_waits (id, execution_id, node_id, created_at) values (@WaitId, @Id, @NodeId, @Now)",
                    new { WaitId = wait.Id, c.Id, wait.NodeId, c.Now }, CancellationToken.None);
            }
            if (e.DeleteWait is { } waitId) await tx.ExecuteAsync("delete from execution_waits where id = @waitId", new { waitId }, CancellationToken.None);
            if (e.Child is { } child) await CreateAsync(tx, child, CancellationToken.None);
            if (e.HumanTask is { } task) await HumanTasks.HumanTaskStore.CreateAsync(tx, task);
        }
        if (ExecutionStatus.IsFinal(status))
        {
            await tx.ExecuteAsync("delete from execution_waits where execution_id = @Id", new { c.Id }, CancellationToken.None);
            await HumanTasks.HumanTaskStore.CloseForExecutionAsync(tx, c.Id, c.Now);
            // A parent waiting on this execution in a call-workflow node looks again.
            if (c.ParentExecutionId is { } parent)
            {
                await tx.ExecuteAsync($"""
                    update executions set run_at = @Now
                    where id = @parent and status in ('{ExecutionStatus.Running}', '{ExecutionStatus.Stopping}') and lease_owner is null
                    """, new { c.Now, parent }, CancellationToken.None);
            }
        }
    }

    // Whether a step touches nothing but the execution row and its node run (so it can join a batched command).
    static bool HasNoEffects(Checkpoint c) =>
        c.Effects is null or { CreateWait: null, DeleteWait: null, Child: null, HumanTask: null } && c.ParentExecutionId is null && !(ExecutionStatus.IsFinal(c.Status) && c.MayHaveWaits);
}

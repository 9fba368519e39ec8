using Patchbay.Workflows.Engine;

namespace Patchbay.Executions;

// What a step changes besides the execution row, written in the same transaction.
public sealed class StepEffects
{
    public (string Id, string NodeId)? CreateWait { get; set; }
    public string? DeleteWait { get; set; }
    public ExecutionRow? Child { get; set; }
    public HumanTasks.HumanTaskRow? HumanTask { get; set; }
    // The task's "created" event (with the reference its public id derives from, see WebhookIds), for the email and
    // the webhook that carry its link.
    public HumanTasks.HumanTaskEvent? HumanTaskCreated { get; set; }
}

// One step of an execution, committed as a unit by ExecutionStore.CheckpointAsync while `Owner` holds the lease.
public sealed record Checkpoint
{
    public required string Id { get; init; }
    public required string Owner { get; init; }
    public required string State { get; init; }
    public required string Status { get; init; }
    public DateTimeOffset? RunAt { get; init; }
    // Still this server's after the step (it goes on to the next node at once); otherwise the lease is released.
    public bool KeepLease { get; init; }
    public string? CurrentNode { get; init; }
    // The node run the step finished, if any.
    public NodeRecord? Record { get; init; }
    public DateTimeOffset StartedAt { get; init; }
    public string? ReturnValue { get; init; }
    public int? ReturnStatus { get; init; }
    public string? Error { get; init; }
    public string? ParentExecutionId { get; init; }
    public StepEffects? Effects { get; init; }
    public required DateTimeOffset Now { get; init; }
    // False when the workflow has no wait-for-webhook or human-task node: a final step then has no waits to close.
    public bool MayHaveWaits { get; init; } = true;
}

using System.Text.Json.Serialization;
using Patchbay.Data;
using Patchbay.Workers;

namespace Patchbay.HumanTasks;

// The outbox payload of a task's events (HumanTaskTopics): the task's row id (a hash), what the workflow's owner
// routes by (execution, workflow, account, app, node) and when. `reference` (created only) is what the task's public
// id derives from: the id and its link are rebuilt by whoever sends them (an email, a webhook), so the outbox holds no
// more than the execution's state already does, never the id itself.
public sealed record HumanTaskEvent(
    [property: JsonPropertyName("task")] string TaskHash,
    [property: JsonPropertyName("reference"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Reference,
    [property: JsonPropertyName("execution_id")] string ExecutionId,
    [property: JsonPropertyName("workflow_id")] string WorkflowId,
    [property: JsonPropertyName("linked_account_id")] string LinkedAccountId,
    [property: JsonPropertyName("slug")] string Slug,
    [property: JsonPropertyName("node_id")] string NodeId,
    [property: JsonPropertyName("node_name")] string NodeName,
    [property: JsonPropertyName("at")] DateTimeOffset At)
{
    // Written in `tx`, the transaction of the change it announces (nothing when no feature listens to the topic).
    public Task EnqueueAsync(Outbox outbox, DbTx tx, string topic, string orgId, string environment, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(outbox);
        return outbox.EnqueueAsync(tx, OutboxMessage.Of(topic, orgId, environment, this), At, ct);
    }
}

// The task's execution as its events describe it (HumanTaskStore.EventAsync).
public sealed record HumanTaskContext
{
    public required string OrgId { get; init; }
    public required string Environment { get; init; }
    public required string ExecutionId { get; init; }
    public required string NodeId { get; init; }
    public required string AccountId { get; init; }
    public required string WorkflowId { get; init; }
    public required string WorkflowDraftId { get; init; }
    public required string Slug { get; init; }
}

using System.Text.Json.Nodes;
using Patchbay.Data;
using Patchbay.Workflows;
using Patchbay.Workflows.Engine;

namespace Patchbay.Executions;

// A new execution of a workflow version, due now, at the definition's start node.
public static class ExecutionFactory
{
    public static ExecutionRow New(WorkflowRow version, WorkflowDefinition definition, string orgId, string environment, string accountRowId, string accountId,
        string configId, JsonNode payload, string type, string source, string? instanceTag, string? idempotencyKey, DateTimeOffset now, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(version);
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(payload);
        return new ExecutionRow
        {
            Id = Ids.New(now), OrgId = orgId, Environment = environment, LinkedAccountRowId = accountRowId, AccountId = accountId, ConfigId = configId,
            WorkflowId = version.Id, WorkflowDraftId = version.DraftId ?? version.Id, WorkflowName = version.Name, Slug = version.Slug,
            Name = name ?? $"Execution for workflow {version.DraftId ?? version.Id}", Status = ExecutionStatus.Running, Type = type, Source = source,
            InstanceTag = instanceTag, IdempotencyKey = idempotencyKey, Payload = payload.ToJsonString(), State = ExecutionState.Begin(definition).Serialize(),
            NodesTotal = definition.Nodes.Count, RunAt = now, TimeoutAt = definition.Timeout is { } t ? now + t : null, CreatedAt = now, UpdatedAt = now,
        };
    }
}

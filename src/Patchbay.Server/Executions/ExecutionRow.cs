namespace Patchbay.Executions;

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

// One finished node run of an execution (`execution_nodes`).
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

// A wait-for-webhook node's wait (`execution_waits`), keyed by the hash of its URL's id (see WebhookIds).
public sealed record WaitRow(string Id, string ExecutionId, string NodeId, string? Body, DateTimeOffset? ReceivedAt);

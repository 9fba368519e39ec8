namespace Patchbay.HumanTasks;

// `status` of a human task (HT1): waiting for its person, answered, or past its expiry unanswered.
public static class HumanTaskStatus
{
    public const string Waiting = "WAITING";
    public const string Submitted = "SUBMITTED";
    public const string Timeout = "TIMEOUT";
}

// One human task (`human_tasks`): a human_task node's form (its execution waits), or a standalone approval (no
// execution: an MCP server's held tool call, Mcp/McpApprovals). `Id` is the SHA-256 of the form's public id (see HumanTaskIds); JSON columns hold
// text: the form's JSON Schema, its UI hints, the prefilled data, the receivers and, once answered, the submitted data.
public sealed record HumanTaskRow
{
    public required string Id { get; init; }
    public required string OrgId { get; init; }
    public required string Environment { get; init; }
    public string? ExecutionId { get; init; }
    public required string NodeId { get; init; }
    public required string Name { get; init; }
    public required string Description { get; init; }
    public required string FormStructure { get; init; }
    public required string UiStructure { get; init; }
    public string? TaskGroup { get; init; }
    public required string Data { get; init; }
    public required string ReceiverEmails { get; init; }
    public required string Status { get; init; }
    public DateTimeOffset ExpiresAt { get; init; }
    public string? SubmittedData { get; init; }
    public DateTimeOffset? SubmittedAt { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }
}

namespace Patchbay.Executions;

// Which executions a list shows (EX1). A null (or empty) criterion lets everything through.
public sealed record ExecutionFilter(string OrgId, string Environment)
{
    // A linked account (or a session) sees only its own executions.
    public string? AccountId { get; init; }
    public string? Status { get; init; }
    public IReadOnlyList<string> Slugs { get; init; } = [];
    // A part of the workflow's name, any case.
    public string? WorkflowName { get; init; }
    // The workflow's draft or one of its versions.
    public string? WorkflowId { get; init; }
    public string? ExecutionId { get; init; }
    public DateTimeOffset? From { get; init; }
    public DateTimeOffset? To { get; init; }
    public string? Type { get; init; }
    public ExecutionSourceKind? Source { get; init; }
    public bool Ascending { get; init; }
}

public enum ExecutionSourceKind { ApiCall, Schedule, Event }

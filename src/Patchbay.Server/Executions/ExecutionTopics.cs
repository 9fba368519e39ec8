using System.Text.Json.Serialization;

namespace Patchbay.Executions;

// What the executions feature tells other features through the outbox (Workers/Outbox.cs), written in the same
// transaction as the change.
public static class ExecutionTopics
{
    // An execution reached a final status (COMPLETED, ERRORED, STOPPED, TIMED_OUT).
    public const string Finished = "execution.finished";
}

public sealed record ExecutionFinished(
    [property: JsonPropertyName("execution_id")] string ExecutionId,
    [property: JsonPropertyName("workflow_id")] string WorkflowId,
    [property: JsonPropertyName("workflow_name")] string WorkflowName,
    [property: JsonPropertyName("linked_account_id")] string LinkedAccountId,
    [property: JsonPropertyName("config_id")] string ConfigId,
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("error")] string? Error,
    [property: JsonPropertyName("completed_at")] DateTimeOffset? CompletedAt,
    [property: JsonPropertyName("slug")] string Slug,
    [property: JsonPropertyName("return_value")] string? ReturnValue);

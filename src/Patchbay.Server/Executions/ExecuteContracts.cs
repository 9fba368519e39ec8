using Patchbay.Http;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Patchbay.Executions;

// WF8/WF9 without sync_execution: queued. v1 answers the id alone.
public sealed record ExecutionQueued(
    [property: JsonPropertyName("message"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Message,
    [property: JsonPropertyName("execution_id")] string ExecutionId);

// WF9 (v1) with sync_execution.
public sealed record SyncExecutionV1(
    [property: JsonPropertyName("return_value")] JsonNode? ReturnValue,
    [property: JsonPropertyName("execution_id")] string ExecutionId,
    [property: JsonPropertyName("status")] string Status);

// WF8 (v2) with sync_execution, answered with the workflow's own status code.
public sealed record SyncExecutionV2(
    [property: JsonPropertyName("execution_id")] string ExecutionId,
    [property: JsonPropertyName("return_value")] JsonNode? ReturnValue,
    [property: JsonPropertyName("errored")] bool Errored,
    [property: JsonPropertyName("status_code")] int StatusCode,
    [property: JsonPropertyName("executed_by_thanos")] bool ExecutedByThanos,
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("execution_error"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] MessageResponse? ExecutionError);


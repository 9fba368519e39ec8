using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Patchbay.Executions;

// Refold's execution documents (refold-api.md §3.12; OpenAPI `/api/v2/public/execution`): Mongo-style names.

// An execution in a list (EX1), and the head of one read in full (EX2).
public record ExecutionSummary
{
    [JsonPropertyName("_id")] public required string Id { get; init; }
    [JsonPropertyName("name")] public required string Name { get; init; }
    [JsonPropertyName("org_id")] public required string OrgId { get; init; }
    [JsonPropertyName("environment")] public required string Environment { get; init; }
    [JsonPropertyName("status")] public required string Status { get; init; }
    [JsonPropertyName("associated_application")] public required AssociatedRef AssociatedApplication { get; init; }
    [JsonPropertyName("associated_workflow")] public required AssociatedRef AssociatedWorkflow { get; init; }
    [JsonPropertyName("workflow_version_id")] public required string WorkflowVersionId { get; init; }
    [JsonPropertyName("trigger_application_event")] public required string TriggerApplicationEvent { get; init; }
    [JsonPropertyName("linked_account_id")] public required string LinkedAccountId { get; init; }
    [JsonPropertyName("config_id")] public required string ConfigId { get; init; }
    [JsonPropertyName("type_of_execution")] public required string TypeOfExecution { get; init; }
    [JsonPropertyName("is_child_instance")] public required bool IsChildInstance { get; init; }
    [JsonPropertyName("is_seed")] public bool IsSeed => false;
    [JsonPropertyName("executed_by_thanos")] public bool ExecutedByThanos => false;
    [JsonPropertyName("createdAt")] public required DateTimeOffset CreatedAt { get; init; }
    [JsonPropertyName("updatedAt")] public required DateTimeOffset UpdatedAt { get; init; }

    [JsonPropertyName("instance_tag"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? InstanceTag { get; init; }

    [JsonPropertyName("parent_execution_id"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? ParentExecutionId { get; init; }

    [JsonPropertyName("completion_time"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public DateTimeOffset? CompletionTime { get; init; }

    // Milliseconds from start to completion.
    [JsonPropertyName("instance_execution_time"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? InstanceExecutionTime { get; init; }
}

public sealed record AssociatedRef(
    [property: JsonPropertyName("_id")] string Id,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("icon")] string Icon);

// An execution read in full (EX2): node by node, with its payload and what it returned.
public sealed record ExecutionResponse : ExecutionSummary
{
    [SetsRequiredMembers]
    public ExecutionResponse(ExecutionSummary summary, IReadOnlyList<ExecutionNodeResponse> nodes, int completionPercentage, JsonNode? payload)
        : base(summary)
    {
        Nodes = nodes;
        CompletionPercentage = completionPercentage;
        Payload = payload;
    }

    [JsonPropertyName("nodes")] public IReadOnlyList<ExecutionNodeResponse> Nodes { get; init; }
    [JsonPropertyName("completion_percentage")] public int CompletionPercentage { get; init; }
    [JsonPropertyName("payload")] public JsonNode? Payload { get; init; }

    // Absent until the execution returns something; a JsonElement rather than a JsonNode because a workflow may
    // return JSON null, which is present (`"return_value": null`) and which a JsonNode cannot hold.
    [JsonPropertyName("return_value"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public JsonElement? ReturnValue { get; init; }

    [JsonPropertyName("return_status"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? ReturnStatus { get; init; }

    [JsonPropertyName("error"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Error { get; init; }
}

// An entry of `nodes`: a node that ran, or the node the execution is on now.
[JsonDerivedType(typeof(NodeRunResponse))]
[JsonDerivedType(typeof(CurrentNodeResponse))]
public abstract record ExecutionNodeResponse(
    [property: JsonPropertyName("node_id")] string NodeId,
    [property: JsonPropertyName("node_status")] string NodeStatus,
    [property: JsonPropertyName("attempts_made")] int AttemptsMade)
{
    [JsonPropertyName("is_batch")] public bool IsBatch => false;
}

// A node run, finished. `input_data` and `latest_output` are the node's own JSON (null when it had none).
public sealed record NodeRunResponse(
    string NodeId,
    [property: JsonPropertyName("node_name")] string NodeName,
    [property: JsonPropertyName("node_type")] string NodeType,
    string NodeStatus,
    int AttemptsMade,
    [property: JsonPropertyName("maximum_attempts")] int MaximumAttempts,
    [property: JsonPropertyName("execution_time")] int ExecutionTime,
    [property: JsonPropertyName("input_data")] JsonNode? InputData,
    [property: JsonPropertyName("latest_output")] JsonNode? LatestOutput,
    [property: JsonPropertyName("started_at")] DateTimeOffset StartedAt,
    [property: JsonPropertyName("finished_at")] DateTimeOffset FinishedAt,
    [property: JsonPropertyName("error"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Error)
    : ExecutionNodeResponse(NodeId, NodeStatus, AttemptsMade);

// The node a running execution is on: waiting (a delay, a webhook, a child execution) or about to run.
public sealed record CurrentNodeResponse(
    string NodeId,
    string NodeStatus,
    int AttemptsMade,
    [property: JsonPropertyName("latest_output")] CurrentNodeOutput LatestOutput)
    : ExecutionNodeResponse(NodeId, NodeStatus, AttemptsMade);

public sealed record CurrentNodeOutput(
    [property: JsonPropertyName("node_id")] string NodeId,
    [property: JsonPropertyName("webhook_url"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? WebhookUrl,
    [property: JsonPropertyName("child_execution_id"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? ChildExecutionId,
    [property: JsonPropertyName("until"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DateTimeOffset? Until)
{
    // A human_task node: the task's id and its hosted form's URL, for the workflow's owner to route to the person.
    [JsonPropertyName("human_task_id"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? HumanTaskId { get; init; }

    [JsonPropertyName("url"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Url { get; init; }
}

// EX7 (2023): the plainer list's documents.
public sealed record LegacyExecutionResponse(
    [property: JsonPropertyName("_id")] string Id,
    [property: JsonPropertyName("createdAt")] DateTimeOffset CreatedAt,
    [property: JsonPropertyName("environment")] string Environment,
    [property: JsonPropertyName("linked_account_id")] string LinkedAccountId,
    [property: JsonPropertyName("org_id")] string OrgId,
    [property: JsonPropertyName("status")] string Status);


public sealed record RerunExecutionResponse(
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("id")] string Id);

// What an execution returned (null until it returns), and its status.
public sealed record ExecutionResultResponse(
    [property: JsonPropertyName("response")] JsonNode? Response,
    [property: JsonPropertyName("status")] string Status);

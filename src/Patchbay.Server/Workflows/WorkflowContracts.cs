using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Patchbay.Http;

namespace Patchbay.Workflows;

// Refold's workflow document (WF1–WF7; OpenAPI `Workflow`). The graph (`settings`, `nodes`, `edges`) is the user's
// own JSON and stays JSON.
public sealed record WorkflowResponse(
    [property: JsonPropertyName("_id")] string Id,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("description")] string Description,
    [property: JsonPropertyName("icon")] string Icon,
    [property: JsonPropertyName("slug")] string Slug,
    [property: JsonPropertyName("org_id")] string OrgId,
    [property: JsonPropertyName("environment")] string Environment,
    [property: JsonPropertyName("published")] bool Published,
    [property: JsonPropertyName("autoEnable")] bool AutoEnable,
    [property: JsonPropertyName("hide_in_config")] bool HideInConfig,
    // Refold's name for "private to one linked account" (true when the workflow belongs to an account).
    [property: JsonPropertyName("public_access_workflow")] bool PublicAccessWorkflow,
    [property: JsonPropertyName("associated_application")] string AssociatedApplication,
    [property: JsonPropertyName("is_v2")] bool IsV2,
    [property: JsonPropertyName("settings")] JsonNode Settings,
    [property: JsonPropertyName("nodes")] JsonNode? Nodes,
    [property: JsonPropertyName("edges")] JsonNode? Edges,
    [property: JsonPropertyName("version")] int Version,
    [property: JsonPropertyName("current_version")] int CurrentVersion,
    [property: JsonPropertyName("trigger_type")] string TriggerType,
    [property: JsonPropertyName("createdAt")] DateTimeOffset CreatedAt,
    [property: JsonPropertyName("updatedAt")] DateTimeOffset UpdatedAt,
    [property: JsonPropertyName("workflow_alias"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? WorkflowAlias,
    [property: JsonPropertyName("trigger_event"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? TriggerEvent,
    [property: JsonPropertyName("associated_workflow"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? AssociatedWorkflow,
    [property: JsonPropertyName("live_version_id"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? LiveVersionId)
{
    public static WorkflowResponse From(WorkflowRow w)
    {
        ArgumentNullException.ThrowIfNull(w);
        var definition = JsonNode.Parse(w.Definition)!.AsObject();
        var autoEnable = definition["settings"]?["autoEnable"] is JsonValue a && a.GetValueKind() == System.Text.Json.JsonValueKind.True;
        return new(w.Id, w.Name, w.Description, "", w.Slug, w.OrgId, w.Environment, w.Published, autoEnable, false, w.IsPrivate, w.Slug, true,
            definition["settings"]?.DeepClone() ?? new JsonObject(), definition["nodes"]?.DeepClone(), definition["edges"]?.DeepClone(),
            w.Version, w.CurrentVersion, w.TriggerType, w.CreatedAt, w.UpdatedAt, w.Alias, w.TriggerEvent, w.DraftId, w.LiveVersionId);
    }
}

public sealed record WorkflowCreated([property: JsonPropertyName("workflow")] WorkflowResponse Workflow);

public sealed record WorkflowDeleted(
    [property: JsonPropertyName("success")] bool Success,
    [property: JsonPropertyName("triggers_deregistered")] bool TriggersDeregistered,
    [property: JsonPropertyName("message")] string Message,
    [property: JsonPropertyName("successfullyDeletedTriggers")] bool SuccessfullyDeletedTriggers);

// WF12.
public sealed record WorkflowVersionResponse(
    [property: JsonPropertyName("version")] int Version,
    [property: JsonPropertyName("_id")] string Id,
    [property: JsonPropertyName("published")] bool Published,
    [property: JsonPropertyName("createdAt")] DateTimeOffset CreatedAt);

// WF10: the workflows a linked account has enabled, with their app.
public sealed record EnabledWorkflowResponse(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("description")] string Description,
    [property: JsonPropertyName("icon")] string Icon,
    [property: JsonPropertyName("createdAt")] DateTimeOffset CreatedAt,
    [property: JsonPropertyName("updatedAt")] DateTimeOffset UpdatedAt,
    [property: JsonPropertyName("config_id")] string ConfigId,
    [property: JsonPropertyName("application")] EnabledWorkflowApp Application);

public sealed record EnabledWorkflowApp(
    [property: JsonPropertyName("_id")] string Id,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("icon")] string Icon,
    [property: JsonPropertyName("description")] string Description);

// WF11: the start node's sample payload and the settings' JSON schema (both the user's JSON), and a readable summary.
public sealed record RequestStructureResponse(
    [property: JsonPropertyName("payload")] JsonNode? Payload,
    [property: JsonPropertyName("schema")] JsonNode? Schema,
    [property: JsonPropertyName("schema_interpreted")] IReadOnlyDictionary<string, string>? SchemaInterpreted);

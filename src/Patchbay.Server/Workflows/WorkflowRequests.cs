using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Patchbay.Workflows;

// Create and update bodies (WF2, WF4), for the API reference; WorkflowInput parses them. `nodes`, `edges` and `settings`
// are the workflow's graph (validated as a whole); `autoEnable` and `data_slots` at the top level (Refold's workflow
// document) are kept in `settings`. Create needs a name; update changes what it is sent.
public sealed record CreateWorkflowRequest(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("slug")] string? Slug = null,
    [property: JsonPropertyName("associated_application")] string? AssociatedApplication = null,
    [property: JsonPropertyName("description")] string? Description = null,
    [property: JsonPropertyName("workflow_alias")] string? WorkflowAlias = null,
    [property: JsonPropertyName("nodes")] JsonArray? Nodes = null,
    [property: JsonPropertyName("edges")] JsonArray? Edges = null,
    [property: JsonPropertyName("settings")] JsonObject? Settings = null,
    [property: JsonPropertyName("autoEnable")] bool? AutoEnable = null,
    [property: JsonPropertyName("data_slots")] JsonArray? DataSlots = null);

public sealed record UpdateWorkflowRequest(
    [property: JsonPropertyName("name")] string? Name = null,
    [property: JsonPropertyName("slug")] string? Slug = null,
    [property: JsonPropertyName("associated_application")] string? AssociatedApplication = null,
    [property: JsonPropertyName("description")] string? Description = null,
    [property: JsonPropertyName("workflow_alias")] string? WorkflowAlias = null,
    [property: JsonPropertyName("nodes")] JsonArray? Nodes = null,
    [property: JsonPropertyName("edges")] JsonArray? Edges = null,
    [property: JsonPropertyName("settings")] JsonObject? Settings = null,
    [property: JsonPropertyName("autoEnable")] bool? AutoEnable = null,
    [property: JsonPropertyName("data_slots")] JsonArray? DataSlots = null);

// WF7: publish the draft as a new version, or unpublish.
public sealed record PublishWorkflowRequest([property: JsonPropertyName("published")] bool Published);


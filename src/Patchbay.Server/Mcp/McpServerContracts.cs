using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Patchbay.Mcp;

// MC2's answer: the new entry's id, name and description (201).
public sealed record McpServerCreated(
    [property: JsonPropertyName("_id")] string Id,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("description")] string Description);

// The MCP entry (OpenAPI `MCPCrud`). `associated_apps[].actions/workflows` are answered as id strings, the form
// Refold's schema types them with (the object form {id,name,description} is accepted on input). Fields never set are
// absent rather than null. `linked_account_id` and `enabled` are Patchbay's additions.
public sealed record McpServerResponse(
    [property: JsonPropertyName("_id")] string Id,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("description")] string Description,
    [property: JsonPropertyName("agent_name"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? AgentName,
    [property: JsonPropertyName("primary_color"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? PrimaryColor,
    [property: JsonPropertyName("secondary_color"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? SecondaryColor,
    [property: JsonPropertyName("base_prompt"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? BasePrompt,
    [property: JsonPropertyName("safe_mode")] bool SafeMode,
    [property: JsonPropertyName("enabled")] bool Enabled,
    [property: JsonPropertyName("suggestions")] IReadOnlyList<McpSuggestion> Suggestions,
    [property: JsonPropertyName("associated_org_id")] string AssociatedOrgId,
    [property: JsonPropertyName("linked_account_id")] string LinkedAccountId,
    [property: JsonPropertyName("associated_apps")] IReadOnlyList<McpAssociatedApp> AssociatedApps,
    [property: JsonPropertyName("chains")] JsonArray Chains,
    [property: JsonPropertyName("notebooks")] IReadOnlyList<JsonObject> Notebooks,
    [property: JsonPropertyName("resources")] IReadOnlyList<JsonObject> Resources,
    [property: JsonPropertyName("environment")] string Environment,
    [property: JsonPropertyName("createdAt")] DateTimeOffset CreatedAt,
    [property: JsonPropertyName("updatedAt")] DateTimeOffset UpdatedAt);

public sealed record McpSuggestion(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("prompt")] string Prompt);

// One app of a server: its slug and the ids of the actions and workflows it exposes as tools. Stored in this shape.
public sealed record McpAssociatedApp(
    [property: JsonPropertyName("slug")] string Slug,
    [property: JsonPropertyName("workflows")] IReadOnlyList<string> Workflows,
    [property: JsonPropertyName("actions")] IReadOnlyList<string> Actions);

// MC2's body, for the API reference (McpServerInput parses it).
public sealed record CreateMcpServerRequest(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("description")] string Description);

// MC4's body: patch semantics, only the fields sent are written. `associated_apps[].actions` and `.workflows` take ids
// or objects {id, name, description}.
public sealed record UpdateMcpServerRequest(
    [property: JsonPropertyName("name")] string? Name = null,
    [property: JsonPropertyName("description")] string? Description = null,
    [property: JsonPropertyName("associated_apps")] IReadOnlyList<JsonObject>? AssociatedApps = null,
    [property: JsonPropertyName("suggestions")] IReadOnlyList<McpSuggestion>? Suggestions = null,
    [property: JsonPropertyName("agent_name")] string? AgentName = null,
    [property: JsonPropertyName("primary_color")] string? PrimaryColor = null,
    [property: JsonPropertyName("secondary_color")] string? SecondaryColor = null,
    [property: JsonPropertyName("chains")] IReadOnlyList<JsonObject>? Chains = null,
    [property: JsonPropertyName("base_prompt")] string? BasePrompt = null,
    [property: JsonPropertyName("safe_mode")] bool? SafeMode = null,
    [property: JsonPropertyName("enabled")] bool? Enabled = null);

using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Patchbay.Configs;

// A config as Refold answers it (OpenAPI `GetApplicationConfigDTO`, §3.9).
public sealed record ConfigResponse(
    [property: JsonPropertyName("slug")] string Slug,
    [property: JsonPropertyName("config_id")] string ConfigId,
    [property: JsonPropertyName("field_errors")] IReadOnlyList<FieldError> FieldErrors,
    [property: JsonPropertyName("fields")] IReadOnlyList<ConfigFieldResponse> Fields,
    [property: JsonPropertyName("workflows")] IReadOnlyList<ConfigWorkflowResponse> Workflows);

// `icon` is "" as on every workflow Patchbay answers (its workflows have no icon).
public sealed record ConfigWorkflowResponse(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("description")] string Description,
    [property: JsonPropertyName("icon")] string Icon,
    [property: JsonPropertyName("enabled")] bool Enabled,
    [property: JsonPropertyName("fields")] IReadOnlyList<ConfigFieldResponse> Fields);

// A field with its value in a config (OpenAPI `IFieldInConfig`). `value` is absent while unset; a password's is
// "[REDACTED]". `options` is absent with disable_field_options; a dependent field has none until its parent has a value.
public sealed record ConfigFieldResponse
{
    [JsonPropertyName("id")] public required string Id { get; init; }
    [JsonPropertyName("name")] public required string Name { get; init; }
    [JsonPropertyName("field_type")] public required string FieldType { get; init; }
    [JsonPropertyName("required")] public bool Required { get; init; }
    [JsonPropertyName("multiple")] public bool Multiple { get; init; }
    [JsonPropertyName("hidden")] public bool Hidden { get; init; }
    [JsonPropertyName("help_text"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? HelpText { get; init; }
    [JsonPropertyName("placeholder"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Placeholder { get; init; }
    [JsonPropertyName("parent"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Parent { get; init; }
    [JsonPropertyName("dynamic_slot_identifier")] public required string DynamicSlotIdentifier { get; init; }
    [JsonPropertyName("options"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public IReadOnlyList<FieldOption>? Options { get; init; }
    // A map field's left side as {value: name}.
    [JsonPropertyName("labels")] public required IReadOnlyDictionary<string, string> Labels { get; init; }
    [JsonPropertyName("defaultValue")] public JsonNode? DefaultValue { get; init; }
    [JsonPropertyName("has_dynamic_map_fields")] public bool HasDynamicMapFields { get; init; }
    [JsonPropertyName("dynamic_map_field_object_name"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? DynamicMapFieldObjectName { get; init; }
    [JsonPropertyName("data_source"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public DataSource? DataSource { get; init; }
    [JsonPropertyName("rule_columns"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public IReadOnlyList<RuleColumn>? RuleColumns { get; init; }
    [JsonPropertyName("mapping"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public MapSides? Mapping { get; init; }
    [JsonPropertyName("value"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public JsonNode? Value { get; init; }
    // Only on FD2's answer: what went wrong listing this field's options.
    [JsonPropertyName("field_errors"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public IReadOnlyList<FieldError>? FieldErrors { get; init; }
}

public sealed record MapSides(
    [property: JsonPropertyName("lhs")] MapSide Lhs,
    [property: JsonPropertyName("rhs")] MapSide Rhs);

public sealed record MapSide(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("options"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<FieldOption>? Options,
    [property: JsonPropertyName("multiple")] bool Multiple);

// field_errors[]: {id, name, error: {message}}.
public sealed record FieldError(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("error")] FieldErrorDetail Error);

public sealed record FieldErrorDetail([property: JsonPropertyName("message")] string Message);

// CF7.
public sealed record ConfigIdEntry(
    [property: JsonPropertyName("_id")] string Id,
    [property: JsonPropertyName("config_id")] string ConfigId);

// CF8: the app's public workflows and whether each is enabled in the config.
public sealed record ConfigToggleResponse([property: JsonPropertyName("workflows")] IReadOnlyList<ConfigToggleWorkflow> Workflows);

public sealed record ConfigToggleWorkflow(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("description")] string Description,
    [property: JsonPropertyName("enabled")] bool Enabled,
    [property: JsonPropertyName("data_slots")] IReadOnlyList<ConfigFieldResponse> DataSlots);

// FD5 (the LEG/SDK shape): the right-hand side and the operators for the chosen left-hand column.
public sealed record RuleEngineResponse(
    [property: JsonPropertyName("rule_column")] RuleEngineColumn RuleColumn,
    [property: JsonPropertyName("conditional_code_stdout")] IReadOnlyList<string> ConditionalCodeStdout);

public sealed record RuleEngineColumn(
    [property: JsonPropertyName("rhs")] RuleEngineSide Rhs,
    [property: JsonPropertyName("operator")] RuleEngineSide Operator);

public sealed record RuleEngineSide(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("options")] IReadOnlyList<FieldOption> Options);

// ---- request bodies (they document the bodies; ConfigInput parses them) ----

// CF1, CF2: `fields` (or `application_data_slots`) is a map {fieldId: value} or an array of {id, value};
// workflows' `fields` (or `data_slots`) likewise. `labels` (or `map_fields_object`) is [{name, value}] or
// {group: [{name, value}]}.
public sealed record InstallConfigRequest(
    [property: JsonPropertyName("slug")] string Slug,
    [property: JsonPropertyName("config_id")] string? ConfigId = null,
    [property: JsonPropertyName("labels")] JsonNode? Labels = null,
    [property: JsonPropertyName("map_fields_object")] JsonNode? MapFieldsObject = null,
    [property: JsonPropertyName("fields")] JsonNode? Fields = null,
    [property: JsonPropertyName("application_data_slots")] JsonNode? ApplicationDataSlots = null,
    [property: JsonPropertyName("workflows")] IReadOnlyList<InstallConfigWorkflow>? Workflows = null);

public sealed record InstallConfigWorkflow(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("enabled")] bool? Enabled = null,
    [property: JsonPropertyName("fields")] JsonNode? Fields = null,
    [property: JsonPropertyName("data_slots")] JsonNode? DataSlots = null);

public sealed record ConfigFieldValueRequest([property: JsonPropertyName("value")] JsonNode? Value);

public sealed record RuleEngineRequest([property: JsonPropertyName("rule_column")] JsonNode RuleColumn);

public sealed record ToggleWorkflowRequest([property: JsonPropertyName("enabled")] bool Enabled);

// Patchbay's management API: one app-level field definition (FieldDefinition's shape, without `id`).
public sealed record FieldDefinitionRequest(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("field_type")] string FieldType,
    [property: JsonPropertyName("required")] bool? Required,
    [property: JsonPropertyName("multiple")] bool? Multiple,
    [property: JsonPropertyName("hidden")] bool? Hidden,
    [property: JsonPropertyName("help_text")] string? HelpText,
    [property: JsonPropertyName("placeholder")] string? Placeholder,
    [property: JsonPropertyName("parent")] string? Parent,
    [property: JsonPropertyName("defaultValue")] JsonNode? DefaultValue,
    [property: JsonPropertyName("options")] IReadOnlyList<FieldOption>? Options,
    [property: JsonPropertyName("labels")] IReadOnlyList<FieldOption>? Labels,
    [property: JsonPropertyName("dynamic_map_field_object_name")] string? DynamicMapFieldObjectName,
    [property: JsonPropertyName("data_source")] DataSource? DataSource,
    [property: JsonPropertyName("rule_columns")] IReadOnlyList<RuleColumn>? RuleColumns);

// Events of item 6 (outbox payloads).
public sealed record ConfigEvent(
    [property: JsonPropertyName("linked_account_id")] string LinkedAccountId,
    [property: JsonPropertyName("slug")] string Slug,
    [property: JsonPropertyName("config_id")] string ConfigId,
    [property: JsonPropertyName("at")] DateTimeOffset At,
    [property: JsonPropertyName("workflow_id"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? WorkflowId = null);

using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Patchbay.Actions;

// AC1: one action of an app.
public sealed record ActionSummary(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("action_id")] string ActionId,
    [property: JsonPropertyName("description")] string Description,
    [property: JsonPropertyName("tag")] string Tag)
{
    public static ActionSummary Of(ActionManifest action)
    {
        ArgumentNullException.ThrowIfNull(action);
        return new(action.Name, action.ActionId, action.Description, action.Tag);
    }
}

// AC2: one parameter of an action.
public sealed record ActionParameterResponse(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("label")] string Label,
    [property: JsonPropertyName("required")] bool Required,
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("description"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Description,
    [property: JsonPropertyName("options"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<ActionOption>? Options)
{
    public static ActionParameterResponse Of(ActionParameter parameter)
    {
        ArgumentNullException.ThrowIfNull(parameter);
        return new(parameter.Name, parameter.Label, parameter.Required, parameter.Type, parameter.Description,
            parameter.Options?.Select(o => new ActionOption(o.Name, o.Value)).ToList());
    }
}

public sealed record ActionOption(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("value")] string Value);

// AC3: the action's result. `error` says why it failed (absent on success).
public sealed record ActionExecuteResponse(
    [property: JsonPropertyName("node_status")] string NodeStatus,
    [property: JsonPropertyName("data")] JsonNode Data,
    [property: JsonPropertyName("http_status")] int HttpStatus,
    [property: JsonPropertyName("error"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Error)
{
    public static ActionExecuteResponse Of(ActionResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return new(result.NodeStatus, result.Data, result.HttpStatus, result.Error);
    }
}

// AC3's body: one key per parameter of the action (AC2), values as strings or JSON of the parameter's type.
public sealed record ActionExecuteRequest
{
    [JsonExtensionData] public Dictionary<string, System.Text.Json.JsonElement>? Parameters { get; init; }
}

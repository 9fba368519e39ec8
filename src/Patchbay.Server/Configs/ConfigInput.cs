using System.Text.Json;
using System.Text.Json.Nodes;
using Patchbay.Http;
using Patchbay.Workflows.Engine;

namespace Patchbay.Configs;

public sealed record ValueChange(string FieldId, JsonNode? Value);

public sealed record WorkflowChange(string Id, bool? Enabled, IReadOnlyList<ValueChange> Values);

// The body of get-or-create and update (CF1, CF2): slug, config_id, labels (three formats, or map_fields_object),
// fields (or application_data_slots) and workflows [{id, enabled, fields | data_slots}].
public sealed record ConfigInput(string Slug, string? ConfigId, Labels? Labels, IReadOnlyList<ValueChange> Values, IReadOnlyList<WorkflowChange> Workflows)
{
    const int MaxChanges = 1000;

    public bool ChangesSomething => Labels is not null || Values.Count > 0 || Workflows.Count > 0;

    public static ConfigInput Parse(JsonObject body)
    {
        ArgumentNullException.ThrowIfNull(body);
        var slug = Limits.Check(Text(body, "slug"), "slug", Limits.Identifier);
        if (string.IsNullOrWhiteSpace(slug)) throw new ApiException(ApiError.Validation("'slug' is required"));
        var configId = ConfigIdFrom(Text(body, "config_id"), "config_id");
        var labelsNode = body["labels"] ?? body["map_fields_object"];
        var labels = labelsNode is null ? null : Labels.FromBody(labelsNode, body.ContainsKey("labels") ? "labels" : "map_fields_object");
        var values = ReadValues(body["fields"] ?? body["application_data_slots"], body.ContainsKey("fields") ? "fields" : "application_data_slots");
        var workflows = new List<WorkflowChange>();
        switch (body["workflows"])
        {
            case null:
                break;
            case JsonArray list:
                for (var i = 0; i < list.Count; i++)
                {
                    var path = $"workflows[{i}]";
                    if (list[i] is not JsonObject w) throw new ApiException(ApiError.Validation($"'{path}' must be an object"));
                    var id = Limits.Check(Text(w, "id", path), path + ".id", Limits.Identifier);
                    if (string.IsNullOrEmpty(id)) throw new ApiException(ApiError.Validation($"'{path}.id' is required"));
                    bool? enabled = w["enabled"] switch
                    {
                        null => null,
                        JsonValue v when v.GetValueKind() is JsonValueKind.True or JsonValueKind.False => v.GetValue<bool>(),
                        _ => throw new ApiException(ApiError.Validation($"'{path}.enabled' must be true or false")),
                    };
                    var slots = w.ContainsKey("fields") ? "fields" : "data_slots";
                    workflows.Add(new WorkflowChange(id, enabled, ReadValues(w[slots], $"{path}.{slots}")));
                }
                break;
            default:
                throw new ApiException(ApiError.Validation("'workflows' must be an array of {id, enabled, fields}"));
        }
        if (values.Count + workflows.Sum(w => w.Values.Count + 1) > MaxChanges)
            throw new ApiException(ApiError.Validation($"A config update may change at most {MaxChanges} values"));
        return new ConfigInput(slug.Trim(), configId, labels, values, workflows);
    }

    // A map {fieldId: value} (the JS SDK) or an array of fields [{id, value, …}] (OpenAPI); array items without a
    // `value` leave the field as it is.
    static List<ValueChange> ReadValues(JsonNode? node, string path)
    {
        var changes = new List<ValueChange>();
        switch (node)
        {
            case null:
                break;
            case JsonObject map:
                foreach (var (id, value) in map) changes.Add(new ValueChange(Limits.Check(id, path + " key", Limits.Identifier)!, value?.DeepClone()));
                break;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    if (array[i] is not JsonObject field || Text(field, "id", $"{path}[{i}]") is not { Length: > 0 } id)
                        throw new ApiException(ApiError.Validation($"'{path}[{i}]' must be a field with an 'id'"));
                    if (field.ContainsKey("value")) changes.Add(new ValueChange(Limits.Check(id, $"{path}[{i}].id", Limits.Identifier)!, field["value"]?.DeepClone()));
                }
                break;
            default:
                throw new ApiException(ApiError.Validation($"'{path}' must be an object {{fieldId: value}} or an array of fields"));
        }
        if (changes.GroupBy(c => c.FieldId, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } dup)
            throw new ApiException(ApiError.Validation($"'{path}' sets the field {dup.Key} twice"));
        return changes;
    }

    // config_id from a body, header, query or path: trimmed, bounded; empty means the default.
    public static string? ConfigIdFrom(string? value, string name)
    {
        if (string.IsNullOrWhiteSpace(value)) return null;
        value = value.Trim();
        if (value.Length > Limits.Identifier || value.Any(char.IsControl))
            throw new ApiException(ApiError.Validation($"'{name}' must be 1 to {Limits.Identifier} printable characters"));
        return value;
    }

    static string? Text(JsonObject o, string name, string? path = null) => o[name] switch
    {
        null => null,
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        _ => throw new ApiException(ApiError.Validation($"'{(path is null ? name : path + "." + name)}' must be a string")),
    };

    // FD3's body: {value}.
    public static JsonNode? FieldValue(JsonObject body, out bool present)
    {
        ArgumentNullException.ThrowIfNull(body);
        present = body.ContainsKey("value");
        return body["value"]?.DeepClone();
    }

    // FD5's body: {rule_column: {lhs}} (the SDKs) or a field-shaped rule_column {name | value, …} (OpenAPI).
    public static string RuleColumnLhs(JsonObject body)
    {
        ArgumentNullException.ThrowIfNull(body);
        if (body["rule_column"] is not JsonObject column) throw new ApiException(ApiError.Validation("'rule_column' (an object) is required"));
        return WorkflowDefinition.Text(column["lhs"]) ?? WorkflowDefinition.Text(column["value"]) ?? WorkflowDefinition.Text(column["name"])
            ?? throw new ApiException(ApiError.Validation("'rule_column.lhs' is required"));
    }
}

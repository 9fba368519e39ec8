using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Patchbay.Http;

namespace Patchbay.Configs;

// The kinds of config field (refold-api.md §6 "Config field"), one definition each.
public static class FieldTypes
{
    public const string Text = "text";
    public const string Textarea = "textarea";
    public const string Number = "number";
    public const string Email = "email";
    public const string Url = "url";
    public const string Password = "password";
    public const string Date = "date";
    public const string Json = "json";
    public const string Select = "select";
    public const string Map = "map";
    public const string RuleEngine = "rule_engine";

    public static readonly IReadOnlyList<string> All = [Text, Textarea, Number, Email, Url, Password, Date, Json, Select, Map, RuleEngine];
}

// The column types of a rule-engine field and the operators each allows (the condition node's operator names).
public static class RuleColumnTypes
{
    public const string Text = "text";
    public const string Number = "number";
    public const string Select = "select";

    public static IReadOnlyList<string> OperatorsFor(string type) => type switch
    {
        Number => ["equals", "not_equals", "greater_than", "less_than", "greater_or_equal", "less_or_equal"],
        Select => ["equals", "not_equals"],
        _ => ["equals", "not_equals", "contains", "not_contains", "is_empty", "is_not_empty"],
    };
}

public sealed record FieldOption(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("value")] string Value);

// Options produced by running one of the org's public workflows (its Response node's body).
public sealed record DataSource([property: JsonPropertyName("workflow_id")] string WorkflowId);

public sealed record RuleColumn(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("value")] string Value,
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("options"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<FieldOption>? Options);

// One field as its developer defined it (stored as this JSON; workflow-level fields come from a workflow's
// settings.data_slots in the same shape).
public sealed record FieldDefinition
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
    [JsonPropertyName("defaultValue"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public JsonNode? DefaultValue { get; init; }
    [JsonPropertyName("options"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public IReadOnlyList<FieldOption>? Options { get; init; }
    // A map field's left side: fixed labels, or the config's label group of this name (set when the config is created).
    [JsonPropertyName("labels"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public IReadOnlyList<FieldOption>? Labels { get; init; }
    [JsonPropertyName("dynamic_map_field_object_name"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? LabelsFrom { get; init; }
    [JsonPropertyName("data_source"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public DataSource? DataSource { get; init; }
    [JsonPropertyName("rule_columns"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public IReadOnlyList<RuleColumn>? RuleColumns { get; init; }

    public bool IsSecret => FieldType == FieldTypes.Password;

    public string Serialize() => JsonSerializer.Serialize(this, ApiJson.Options);

    public static FieldDefinition Deserialize(string json) =>
        JsonSerializer.Deserialize<FieldDefinition>(json, ApiJson.Options) ?? throw new InvalidOperationException("Empty field definition.");
}

// Reads a field definition from a developer's JSON (the management API, a workflow's data_slots), with messages that
// name the property at fault.
public static class FieldDefinitionInput
{
    const int MaxOptions = 1000;

    public static FieldDefinition Parse(JsonNode? node, string path, string id)
    {
        if (node is not JsonObject o) throw Invalid($"'{path}' must be an object");
        var name = Str(o, "name", path) is { Length: > 0 } n ? Limits.Check(n, path + ".name", Limits.Name)! : throw Invalid($"'{path}.name' is required");
        var type = Str(o, "field_type", path) ?? Str(o, "type", path) ?? FieldTypes.Text;
        if (!FieldTypes.All.Contains(type)) throw Invalid($"'{path}.field_type' must be one of {string.Join(", ", FieldTypes.All)}");
        var field = new FieldDefinition
        {
            Id = id, Name = name, FieldType = type,
            Required = Bool(o, "required", path), Multiple = Bool(o, "multiple", path), Hidden = Bool(o, "hidden", path),
            HelpText = Limits.Check(Str(o, "help_text", path), path + ".help_text", Limits.Text),
            Placeholder = Limits.Check(Str(o, "placeholder", path), path + ".placeholder", Limits.Name),
            Parent = Limits.Check(Str(o, "parent", path), path + ".parent", Limits.Identifier),
            Options = o["options"] is null ? null : Options(o["options"], path + ".options"),
            Labels = o["labels"] is null ? null : Options(o["labels"], path + ".labels"),
            LabelsFrom = Limits.Check(Str(o, "dynamic_map_field_object_name", path), path + ".dynamic_map_field_object_name", Limits.Identifier),
            DataSource = o["data_source"] switch
            {
                null => null,
                JsonObject ds when Str(ds, "workflow_id", path + ".data_source") is { Length: > 0 } w => new DataSource(Limits.Check(w, path + ".data_source.workflow_id", Limits.Identifier)!),
                _ => throw Invalid($"'{path}.data_source' must be {{\"workflow_id\": \"…\"}}"),
            },
            RuleColumns = o["rule_columns"] is null ? null : Columns(o["rule_columns"], path + ".rule_columns"),
        };
        if (field.Multiple && field.FieldType is not (FieldTypes.Select or FieldTypes.Map))
            throw Invalid($"'{path}.multiple' applies to select and map fields only");
        if (field.FieldType is FieldTypes.Select && field.Options is null && field.DataSource is null)
            throw Invalid($"'{path}': a select field needs 'options' or a 'data_source'");
        if (field.FieldType is FieldTypes.Map && field.Options is null && field.DataSource is null)
            throw Invalid($"'{path}': a map field needs 'options' (its right side) or a 'data_source'");
        if (field.FieldType is FieldTypes.RuleEngine && field.RuleColumns is not { Count: > 0 })
            throw Invalid($"'{path}': a rule_engine field needs 'rule_columns'");
        if (o["defaultValue"] is { } d)
        {
            // The default must be a value the field accepts (checked against static options only).
            var error = FieldValues.Check(field, d, labels: null, out _);
            if (error is not null) throw Invalid($"'{path}.defaultValue': {error}");
            if (field.IsSecret) throw Invalid($"'{path}.defaultValue': a password field has no default");
            field = field with { DefaultValue = d.DeepClone() };
        }
        return field;
    }

    // Options (and labels) as [{name, value}], or an object {value: name}.
    public static List<FieldOption> Options(JsonNode? node, string path)
    {
        var list = new List<FieldOption>();
        switch (node)
        {
            case JsonArray a:
                foreach (var item in a)
                {
                    list.Add(item switch
                    {
                        JsonObject io when Scalar(io["value"]) is { } v => new FieldOption(Limits.Check(Scalar(io["name"]) ?? v, path + ".name", Limits.Name)!, Limits.Check(v, path + ".value", Limits.Identifier)!),
                        JsonValue when Scalar(item) is { } s => new FieldOption(s, Limits.Check(s, path, Limits.Identifier)!),
                        _ => throw Invalid($"'{path}' must hold {{name, value}} items"),
                    });
                }
                break;
            case JsonObject o:
                foreach (var (value, name) in o)
                    list.Add(new FieldOption(Scalar(name) ?? throw Invalid($"'{path}.{value}' must be a string"), Limits.Check(value, path, Limits.Identifier)!));
                break;
            default:
                throw Invalid($"'{path}' must be an array of {{name, value}}");
        }
        if (list.Count > MaxOptions) throw Invalid($"'{path}' may hold at most {MaxOptions} items");
        if (list.GroupBy(x => x.Value, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } dup)
            throw Invalid($"'{path}' has the value '{dup.Key}' twice");
        return list;
    }

    static List<RuleColumn> Columns(JsonNode? node, string path)
    {
        if (node is not JsonArray a) throw Invalid($"'{path}' must be an array");
        var columns = new List<RuleColumn>();
        foreach (var item in a)
        {
            if (item is not JsonObject c) throw Invalid($"'{path}' must hold {{name, value, type}} objects");
            var value = Str(c, "value", path) ?? Str(c, "name", path) ?? throw Invalid($"'{path}' items need a 'value'");
            var type = Str(c, "type", path) ?? RuleColumnTypes.Text;
            if (type is not (RuleColumnTypes.Text or RuleColumnTypes.Number or RuleColumnTypes.Select))
                throw Invalid($"'{path}.type' must be text, number or select");
            var options = c["options"] is null ? null : Options(c["options"], path + ".options");
            if (type == RuleColumnTypes.Select && options is null) throw Invalid($"'{path}': a select column needs 'options'");
            columns.Add(new RuleColumn(Limits.Check(Str(c, "name", path) ?? value, path + ".name", Limits.Name)!, Limits.Check(value, path + ".value", Limits.Identifier)!, type, options));
        }
        return columns;
    }

    public static string? Scalar(JsonNode? node) => node is JsonValue v
        ? v.GetValueKind() switch
        {
            JsonValueKind.String => v.GetValue<string>(),
            JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => v.ToJsonString(),
            _ => null,
        }
        : null;

    static string? Str(JsonObject o, string name, string path) => o[name] switch
    {
        null => null,
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        _ => throw Invalid($"'{path}.{name}' must be a string"),
    };

    static bool Bool(JsonObject o, string name, string path) => o[name] switch
    {
        null => false,
        JsonValue v when v.GetValueKind() is JsonValueKind.True or JsonValueKind.False => v.GetValue<bool>(),
        _ => throw Invalid($"'{path}.{name}' must be true or false"),
    };

    static ApiException Invalid(string message) => new(ApiError.Validation(message));
}

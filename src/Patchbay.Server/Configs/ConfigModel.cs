using System.Text.Json;
using System.Text.Json.Nodes;
using Patchbay.Http;

namespace Patchbay.Configs;

// An app's public workflow with the fields it declares (settings.data_slots) and whether new configs enable it.
public sealed record WorkflowFields(string Id, string Name, string Description, IReadOnlyList<FieldDefinition> Fields, bool AutoEnable, string? SlotError);

// A config's fields, workflows, values and flags, parsed from a snapshot: what answers and checks are built from.
public sealed class ConfigModel
{
    ConfigModel(ConfigSnapshot snapshot, IReadOnlyList<FieldDefinition> appFields, IReadOnlyList<WorkflowFields> workflows, Labels labels)
    {
        Snapshot = snapshot;
        AppFields = appFields;
        Workflows = workflows;
        LabelGroups = labels;
        values = snapshot.Values.ToDictionary(v => (v.WorkflowId, v.FieldId));
        flags = snapshot.Flags.ToDictionary(f => f.WorkflowId, f => f.Enabled, StringComparer.Ordinal);
    }

    readonly Dictionary<(string, string), ConfigValueRow> values;
    readonly Dictionary<string, bool> flags;

    public ConfigSnapshot Snapshot { get; }
    public ConfigRow? Config => Snapshot.Config;
    public IReadOnlyList<FieldDefinition> AppFields { get; }
    public IReadOnlyList<WorkflowFields> Workflows { get; }
    public Labels LabelGroups { get; }

    // Parsed definitions by their stored text (the same few texts are read on every request).
    static readonly System.Collections.Concurrent.ConcurrentDictionary<string, FieldDefinition> ParsedFields = new(StringComparer.Ordinal);
    static readonly System.Collections.Concurrent.ConcurrentDictionary<(string Id, string Definition), WorkflowFields> ParsedWorkflows = new();
    const int CacheLimit = 10_000;

    public static ConfigModel From(ConfigSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        if (ParsedFields.Count > CacheLimit) ParsedFields.Clear();
        if (ParsedWorkflows.Count > CacheLimit) ParsedWorkflows.Clear();
        var appFields = snapshot.Definitions.Select(d => ParsedFields.GetOrAdd(d.Definition, text => Materialized(FieldDefinition.Deserialize(text)))).ToList();
        var workflows = snapshot.Workflows.Select(w => ParsedWorkflows.GetOrAdd((w.Id, w.Definition), _ => Materialized(ParseWorkflow(w)))
            with { Name = w.Name, Description = w.Description }).ToList();
        return new ConfigModel(snapshot, appFields, workflows, Labels.Parse(snapshot.Config?.Labels));
    }

    // Cached definitions are read by concurrent requests: their JSON defaults are walked once here, so that no reader
    // triggers a JsonNode's lazy initialization at the same time as another.
    static FieldDefinition Materialized(FieldDefinition field)
    {
        Walk(field.DefaultValue);
        return field;
    }

    static WorkflowFields Materialized(WorkflowFields workflow)
    {
        foreach (var field in workflow.Fields) Walk(field.DefaultValue);
        return workflow;
    }

    static void Walk(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var (_, value) in o) Walk(value);
                break;
            case JsonArray a:
                foreach (var item in a) Walk(item);
                break;
        }
    }

    // The same config with one value replaced (null: cleared), as it reads after that write.
    public ConfigModel WithValue(string scope, string fieldId, ConfigValueRow? value)
    {
        var values = Snapshot.Values.Where(v => v.WorkflowId != scope || v.FieldId != fieldId).ToList();
        if (value is not null) values.Add(value);
        return new ConfigModel(Snapshot with { Values = values }, AppFields, Workflows, LabelGroups);
    }

    static WorkflowFields ParseWorkflow(ConfigWorkflowRow w)
    {
        var settings = JsonNode.Parse(w.Definition)?["settings"] as JsonObject;
        var autoEnable = settings?["autoEnable"] is JsonValue a && a.GetValueKind() == JsonValueKind.True;
        var (fields, error) = ParseSlots(settings);
        return new WorkflowFields(w.Id, w.Name, w.Description, fields, autoEnable, error);
    }

    // The fields a workflow declares in its settings.data_slots (each {id?, name, field_type, …}; the name is the id
    // when there is none), or why they are not valid.
    public static (IReadOnlyList<FieldDefinition> Fields, string? Error) ParseSlots(JsonObject? settings)
    {
        var fields = new List<FieldDefinition>();
        switch (settings?["data_slots"])
        {
            case null:
                return (fields, null);
            case JsonArray slots:
                try
                {
                    for (var i = 0; i < slots.Count; i++)
                    {
                        var id = FieldDefinitionInput.Scalar(slots[i]?["id"]) ?? FieldDefinitionInput.Scalar(slots[i]?["name"]) ?? $"slot_{i}";
                        fields.Add(FieldDefinitionInput.Parse(slots[i], $"settings.data_slots[{i}]", Limits.Check(id, $"settings.data_slots[{i}].id", Limits.Identifier)!));
                    }
                }
                catch (ApiException e)
                {
                    return ([], e.Error.Message);
                }
                if (fields.GroupBy(f => f.Id, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } dup)
                    return ([], $"'settings.data_slots' has the id '{dup.Key}' twice");
                if (fields.FirstOrDefault(f => f.Parent is { } p && (p == f.Id || fields.All(o => o.Id != p))) is { } orphan)
                    return ([], $"'settings.data_slots': the parent of '{orphan.Id}' is not another of its fields");
                return (fields, null);
            default:
                return ([], "'settings.data_slots' must be an array of fields");
        }
    }

    // A field by id: the app's (scope ""), or, with a workflow, that workflow's own.
    public (FieldDefinition Field, string Scope)? Find(string fieldId, string? workflowId)
    {
        if (workflowId is null)
        {
            if (AppFields.FirstOrDefault(f => f.Id == fieldId) is { } app) return (app, ConfigStore.AppLevel);
            return null;
        }
        var workflow = Workflows.FirstOrDefault(w => w.Id == workflowId);
        return workflow?.Fields.FirstOrDefault(f => f.Id == fieldId) is { } own ? (own, workflow.Id) : null;
    }

    public WorkflowFields? Workflow(string id) => Workflows.FirstOrDefault(w => w.Id == id);

    public IReadOnlyList<FieldDefinition> FieldsOf(string scope) =>
        scope == ConfigStore.AppLevel ? AppFields : Workflow(scope)?.Fields ?? [];

    public ConfigValueRow? Stored(string scope, string fieldId) => values.GetValueOrDefault((scope, fieldId));

    public bool IsEnabled(string workflowId) => flags.GetValueOrDefault(workflowId);

    // The field's value as stored (a password's sealed value is not opened here), else its default.
    public JsonNode? PlainValue(string scope, FieldDefinition field)
    {
        ArgumentNullException.ThrowIfNull(field);
        if (Stored(scope, field.Id) is { } stored) return stored.Value is null ? null : JsonNode.Parse(stored.Value);
        return field.DefaultValue?.DeepClone();
    }

    public bool HasValue(string scope, FieldDefinition field) =>
        Stored(scope, field.Id) is not null || field.DefaultValue is not null;

    // A map field's left side: its own labels, or the config's label group it names (or the config's ungrouped
    // labels); null when there are none to check against.
    public IReadOnlyList<FieldOption>? LabelsFor(FieldDefinition field)
    {
        ArgumentNullException.ThrowIfNull(field);
        if (field.Labels is not null) return field.Labels;
        if (field.FieldType != FieldTypes.Map) return null;
        return LabelGroups.Find(field.LabelsFrom);
    }
}

// A config's dynamic labels: [{name, value}] (the JS SDK), {group: [{name, value}]} (Node SDK, OpenAPI) — stored as
// the grouped object, the array under the group "".
public sealed record Labels(IReadOnlyDictionary<string, IReadOnlyList<FieldOption>> Groups)
{
    public static readonly Labels None = new(new Dictionary<string, IReadOnlyList<FieldOption>>());

    public IReadOnlyList<FieldOption>? Find(string? group) =>
        group is not null && Groups.TryGetValue(group, out var named) ? named : Groups.GetValueOrDefault("");

    public string Serialize() => JsonSerializer.Serialize(Groups, ApiJson.Options);

    public static Labels Parse(string? json) =>
        json is null or "{}" ? None
        : new(JsonSerializer.Deserialize<Dictionary<string, List<FieldOption>>>(json, ApiJson.Options)!
            .ToDictionary(g => g.Key, g => (IReadOnlyList<FieldOption>)g.Value));

    const int MaxGroups = 100;

    // The body's labels in any of the three formats (a 400 naming the field otherwise); empty groups are dropped, so
    // `[]` means no labels.
    public static Labels FromBody(JsonNode? node, string path)
    {
        var labels = Read(node, path);
        if (labels.Groups.Count > MaxGroups) throw new ApiException(ApiError.Validation($"'{path}' may hold at most {MaxGroups} groups"));
        var kept = labels.Groups.Where(g => g.Value.Count > 0).ToDictionary(g => g.Key, g => g.Value, StringComparer.Ordinal);
        return kept.Count == 0 ? None : new Labels(kept);
    }

    static Labels Read(JsonNode? node, string path)
    {
        switch (node)
        {
            case null:
                return None;
            case JsonArray:
                return new(new Dictionary<string, IReadOnlyList<FieldOption>> { [""] = FieldDefinitionInput.Options(node, path) });
            case JsonObject o:
                var groups = new Dictionary<string, IReadOnlyList<FieldOption>>(StringComparer.Ordinal);
                foreach (var (group, items) in o)
                {
                    Limits.Check(group, path + " key", Limits.Identifier);
                    // {group: [{name, value}]}, or a flat {value: name} object (one ungrouped list).
                    if (items is JsonArray) groups[group] = FieldDefinitionInput.Options(items, $"{path}.{group}");
                    else return new(new Dictionary<string, IReadOnlyList<FieldOption>> { [""] = FieldDefinitionInput.Options(o, path) });
                }
                return new(groups);
            default:
                throw new ApiException(ApiError.Validation($"'{path}' must be an array of {{name, value}} or an object of such arrays"));
        }
    }
}

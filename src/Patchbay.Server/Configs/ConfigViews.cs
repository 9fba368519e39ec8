using System.Text.Json.Nodes;
using Patchbay.LinkedAccounts;

namespace Patchbay.Configs;

// How options are listed while answering: `Disabled` (disable_field_options: none at all), `Static` (fixed options
// only; datasource fields show none), `Resolve` (datasource workflows run, with `Payload` as their input).
public sealed record OptionMode(bool Disabled, bool RunDatasources, JsonObject? Payload)
{
    public static readonly OptionMode Static = new(false, false, null);

    public static OptionMode From(HttpRequest request, JsonObject? payload = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.Headers["disable_field_options"].ToString().Equals("true", StringComparison.OrdinalIgnoreCase)
            ? new OptionMode(true, false, null)
            : new OptionMode(false, true, payload);
    }
}

// Builds the wire answers (config, one field, CF8's workflow list) from a ConfigModel.
public sealed class ConfigViews(DatasourceRunner datasources)
{
    public async Task<ConfigResponse> ConfigAsync(ConfigModel model, LinkedAccountRow account, string slug, string configId, OptionMode mode, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(model);
        var errors = new List<FieldError>();
        var fields = new List<ConfigFieldResponse>(model.AppFields.Count);
        foreach (var f in model.AppFields) fields.Add(await FieldAsync(model, account, configId, ConfigStore.AppLevel, f, mode, errors, ct));
        var workflows = new List<ConfigWorkflowResponse>(model.Workflows.Count);
        foreach (var w in model.Workflows)
        {
            if (w.SlotError is { } slotError) errors.Add(new FieldError(w.Id, w.Name, new FieldErrorDetail("The workflow's data_slots are invalid: " + slotError)));
            var own = new List<ConfigFieldResponse>(w.Fields.Count);
            foreach (var f in w.Fields) own.Add(await FieldAsync(model, account, configId, w.Id, f, mode, errors, ct));
            workflows.Add(new ConfigWorkflowResponse(w.Id, w.Name, w.Description, model.IsEnabled(w.Id), own));
        }
        return new ConfigResponse(slug, configId, errors, fields, workflows);
    }

    public ConfigToggleResponse Toggle(ConfigModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return new ConfigToggleResponse([.. model.Workflows.Select(w => new ConfigToggleWorkflow(w.Id, w.Name, w.Description, model.IsEnabled(w.Id),
            [.. w.Fields.Select(f => View(model, w.Id, f, f.DataSource is null ? f.Options : null, mode: OptionMode.Static))]))]);
    }

    public async Task<ConfigFieldResponse> FieldAsync(ConfigModel model, LinkedAccountRow account, string configId, string scope, FieldDefinition field,
        OptionMode mode, List<FieldError> errors, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(field);
        ArgumentNullException.ThrowIfNull(errors);
        IReadOnlyList<FieldOption>? options = field.Options;
        JsonNode? parentValue = null;
        var waitsForParent = false;
        if (field.Parent is { } parentId)
        {
            var parent = model.FieldsOf(scope).FirstOrDefault(p => p.Id == parentId);
            parentValue = parent is null ? null : model.PlainValue(scope, parent);
            waitsForParent = parentValue is null;
        }
        if (waitsForParent)
        {
            options = field.Options is null && field.DataSource is null ? null : [];
        }
        else if (field.DataSource is not null)
        {
            options = null;
            if (mode.RunDatasources && !mode.Disabled)
            {
                var payload = (JsonObject?)mode.Payload?.DeepClone() ?? [];
                payload.TryAdd("field_id", field.Id);
                payload.TryAdd("config_id", configId);
                if (parentValue is not null) payload.TryAdd("parent_value", parentValue.DeepClone());
                var (listed, error) = await datasources.RunAsync(account, configId, field, payload, ct);
                if (error is not null) errors.Add(new FieldError(field.Id, field.Name, new FieldErrorDetail(error)));
                options = listed ?? [];
            }
        }
        // A value stored before its field's definition changed may no longer fit it: shown, and said.
        if (!field.IsSecret && model.Stored(scope, field.Id)?.Value is { } text
            && FieldValues.Check(field, JsonNode.Parse(text), model.LabelsFor(field), out _) is { } misfit)
        {
            errors.Add(new FieldError(field.Id, field.Name, new FieldErrorDetail("The stored value no longer fits the field: it " + misfit)));
        }
        return View(model, scope, field, options, mode);
    }

    static ConfigFieldResponse View(ConfigModel model, string scope, FieldDefinition field, IReadOnlyList<FieldOption>? options, OptionMode mode)
    {
        var labels = model.LabelsFor(field);
        var stored = model.Stored(scope, field.Id);
        JsonNode? value = stored is null ? null
            : field.IsSecret ? (stored.SealedValue is null ? null : JsonValue.Create(FieldValues.Redacted))
            : stored.Value is null ? null : JsonNode.Parse(stored.Value);
        var isMap = field.FieldType == FieldTypes.Map;
        var shown = mode.Disabled ? null : options;
        return new ConfigFieldResponse
        {
            Id = field.Id, Name = field.Name, FieldType = field.FieldType, Required = field.Required, Multiple = field.Multiple, Hidden = field.Hidden,
            HelpText = field.HelpText, Placeholder = field.Placeholder, Parent = field.Parent,
            DynamicSlotIdentifier = field.DataSource is { } ds ? $"dynamic:workflow:{ds.WorkflowId}" : field.Options is not null ? "options" : "text",
            Options = shown,
            Labels = (labels ?? []).GroupBy(l => l.Value, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First().Name, StringComparer.Ordinal),
            DefaultValue = field.DefaultValue?.DeepClone() ?? JsonValue.Create(""),
            HasDynamicMapFields = isMap && field.Labels is null,
            DynamicMapFieldObjectName = isMap ? field.LabelsFrom : null,
            DataSource = field.DataSource, RuleColumns = field.RuleColumns,
            Mapping = isMap ? new MapSides(new MapSide("Fields", mode.Disabled ? null : labels ?? [], false), new MapSide(field.Name, shown, field.Multiple)) : null,
            Value = value,
        };
    }
}

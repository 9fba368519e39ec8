using System.Text.Json.Nodes;
using Patchbay.Executions;

namespace Patchbay.Configs;

// What executions read from configs: enabled flags, and the {{config}} template root — `config.fields` holds the
// app's fields and the running workflow's own (by id and by name; the workflow's win on a clash), also apart as
// `config.app_fields` and `config.workflow_fields`. Password values are opened here, for the engine only.
public sealed class ConfigResolver(ConfigStore store, Vault.Vault vault) : IWorkflowConfigs
{
    public Task<bool> IsEnabledAsync(string accountRowId, string slug, string configId, string workflowDraftId, CancellationToken ct) =>
        store.IsEnabledAsync(accountRowId, slug, configId, workflowDraftId, ct);

    public async Task<ConfigContext> ContextAsync(ExecutionRow execution, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(execution);
        var model = ConfigModel.From(await store.LoadAsync(execution.OrgId, execution.Environment, execution.LinkedAccountRowId, execution.Slug,
            execution.ConfigId, ct));
        var secrets = new List<string>();
        var appFields = await ValuesAsync(model, ConfigStore.AppLevel, model.AppFields, secrets, ct);
        var own = model.Workflow(execution.WorkflowDraftId);
        var workflowFields = own is null ? [] : await ValuesAsync(model, own.Id, own.Fields, secrets, ct);
        var fields = (JsonObject)appFields.DeepClone();
        foreach (var (key, value) in workflowFields) fields[key] = value?.DeepClone();
        var root = new JsonObject
        {
            ["id"] = execution.ConfigId, ["slug"] = execution.Slug, ["fields"] = fields, ["app_fields"] = appFields, ["workflow_fields"] = workflowFields,
        };
        return new ConfigContext(root, secrets);
    }

    async Task<JsonObject> ValuesAsync(ConfigModel model, string scope, IReadOnlyList<FieldDefinition> fields, List<string> secrets, CancellationToken ct)
    {
        var values = new JsonObject();
        foreach (var field in fields)
        {
            JsonNode? value;
            if (field.IsSecret)
            {
                var sealedValue = model.Config is { } config ? model.Stored(scope, field.Id)?.SealedValue : null;
                if (sealedValue is null)
                {
                    value = null;
                }
                else
                {
                    var plain = (await vault.OpenAsync(sealedValue, ConfigWriter.SealContext(model.Config!.Id, scope, field.Id), ct)).Value;
                    if (plain.Length > 0) secrets.Add(plain);
                    value = JsonValue.Create(plain);
                }
            }
            else
            {
                value = model.PlainValue(scope, field);
            }
            values[field.Id] = value;
            values[field.Name] = value?.DeepClone();
        }
        return values;
    }
}

using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using Patchbay.Executions;
using Patchbay.Http;
using Patchbay.LinkedAccounts;
using Patchbay.Workflows;

namespace Patchbay.Configs;

// Lists a field's options by running its datasource workflow (one of the org's public, published workflows) for the
// config's account, synchronously and within ConfigOptions.DatasourceTimeout. The workflow answers through a Response
// node with [{name, value}] (or strings, or {options: […]}); anything else is the field's error, not the request's.
public sealed class DatasourceRunner(WorkflowStore workflows, ExecutionService executions, IOptions<ConfigOptions> options)
{
    public async Task<(IReadOnlyList<FieldOption>? Options, string? Error)> RunAsync(
        LinkedAccountRow account, string configId, FieldDefinition field, JsonObject payload, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(account);
        ArgumentNullException.ThrowIfNull(field);
        var source = field.DataSource ?? throw new ArgumentException("The field has no datasource.", nameof(field));
        var version = await workflows.LiveVersionAsync(account.OrgId, account.Environment, source.WorkflowId, ct);
        if (version is null || version.IsPrivate) return (null, $"Datasource workflow {source.WorkflowId} has no published version");
        var timeout = options.Value.DatasourceTimeout;
        var run = await executions.StartAsync(version, account, configId, payload, sync: true, ExecutionSources.Datasource, null, ct,
            name: $"Datasource for field {field.Id}", syncTimeout: timeout);
        if (run.Status == ExecutionStatus.Running) return (null, $"Datasource workflow did not answer within {timeout.TotalSeconds:0.#} s (execution {run.Id})");
        if (run.Status != ExecutionStatus.Completed) return (null, $"Datasource workflow failed (execution {run.Id}): {run.Error ?? run.Status}");
        var answer = run.ReturnValue is null ? null : JsonNode.Parse(run.ReturnValue);
        if (answer is JsonObject o && o["options"] is JsonArray inner) answer = inner;
        if (answer is not JsonArray list) return (null, $"Datasource workflow answered no options (execution {run.Id}); its Response node must return [{{name, value}}]");
        try
        {
            return (FieldDefinitionInput.Options(list, "options"), null);
        }
        catch (ApiException e)
        {
            return (null, $"Datasource workflow answered unusable options (execution {run.Id}): {e.Error.Message}");
        }
    }
}

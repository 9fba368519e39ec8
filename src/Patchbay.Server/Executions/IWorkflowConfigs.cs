using System.Text.Json.Nodes;

namespace Patchbay.Executions;

// What executions need from configs (implemented by Configs/, which sits above executions): whether a public
// workflow is enabled in an account's config, and the config's values that templates read as {{config.…}}.
public interface IWorkflowConfigs
{
    Task<bool> IsEnabledAsync(string accountRowId, string slug, string configId, string workflowDraftId, CancellationToken ct);

    Task<ConfigContext> ContextAsync(ExecutionRow execution, CancellationToken ct);
}

// `Config` is the {{config}} template root; `Secrets` are opened password values, kept out of recorded node runs.
public sealed record ConfigContext(JsonObject Config, IReadOnlyList<string> Secrets);

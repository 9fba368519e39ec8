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
public sealed record ConfigContext(JsonObject Config, IReadOnlyList<string> Secrets)
{
    public JsonNode? Redact(JsonNode? node)
    {
        if (Secrets.Count == 0 || node is null) return node;
        var text = node.ToJsonString();
        var redacted = text;
        // In JSON text a secret appears in its escaped form; replacing that keeps the text valid JSON.
        foreach (var secret in Secrets) redacted = redacted.Replace(System.Text.Json.JsonSerializer.Serialize(secret)[1..^1], "[REDACTED]", StringComparison.Ordinal);
        return ReferenceEquals(redacted, text) || redacted == text ? node : JsonNode.Parse(redacted);
    }

    public string? Redact(string? text)
    {
        if (text is null) return null;
        foreach (var secret in Secrets) text = text.Replace(secret, "[REDACTED]", StringComparison.Ordinal);
        return text;
    }
}

using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using Patchbay.Executions;
using Patchbay.LinkedAccounts;
using Patchbay.Workflows;

namespace Patchbay.Mcp;

// Workflow tools: the live version of each workflow an associated app lists, when it belongs to that app and is
// public or private to the caller's account. A call runs it synchronously for that account (the execute API's path),
// with the tool's arguments as the payload. Workflows can change anything, so they count as write tools.
public sealed class McpWorkflowTools(WorkflowStore workflows, ExecutionService executions, LinkedAccountStore accounts, IOptions<WorkflowOptions> options)
    : IMcpToolSource
{
    static readonly JsonObject Schema = new()
    {
        ["type"] = "object",
        ["description"] = "The workflow's input payload (any JSON object).",
        ["additionalProperties"] = true,
    };

    public string Kind => McpToolKinds.Workflow;

    public async Task<IReadOnlyList<McpToolSpec>> ListAsync(McpCallContext context, McpAssociatedApp app, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(app);
        var tools = new List<McpToolSpec>();
        foreach (var id in app.Workflows)
        {
            if (await LiveAsync(context, app.Slug, id, ct) is not { } version) continue;
            var description = version.Description is { Length: > 0 } d ? d : $"Runs the workflow \"{version.Name}\" of {app.Slug}.";
            tools.Add(new McpToolSpec(McpToolNames.For(app.Slug, version.Name, Kind), description, (JsonObject)Schema.DeepClone(), Kind, app.Slug, id, IsWrite: true));
        }
        return tools;
    }

    async Task<WorkflowRow?> LiveAsync(McpCallContext context, string slug, string id, CancellationToken ct)
    {
        var version = await workflows.LiveVersionAsync(context.OrgId, context.Environment, id, ct);
        if (version is null || version.Slug != slug) return null;
        return version.IsPrivate && version.LinkedAccountRowId != context.AccountRowId ? null : version;
    }

    public async Task<McpToolOutcome> CallAsync(McpCallContext context, McpToolSpec tool, JsonObject arguments, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(tool);
        var version = await LiveAsync(context, tool.Slug, tool.TargetId, ct);
        if (version is null) return McpToolOutcome.Failed("The workflow is no longer published");
        var account = await accounts.FindAsync(context.OrgId, context.Environment, context.AccountId, ct);
        if (account is null) return McpToolOutcome.Failed("The linked account no longer exists");
        var row = await executions.StartAsync(version, account, account.AccountId, arguments, sync: true, ExecutionSources.ApiCall, instanceTag: null, ct,
            syncTimeout: options.Value.SyncTimeout);
        var returnValue = row.ReturnValue is null ? null : JsonNode.Parse(row.ReturnValue);
        return row.Status switch
        {
            ExecutionStatus.Completed => McpToolOutcome.Ok(returnValue),
            ExecutionStatus.Running or ExecutionStatus.Stopping => McpToolOutcome.Failed(
                $"The workflow is still running (execution {row.Id}); its result will be in the execution's record", new JsonObject { ["execution_id"] = row.Id }),
            _ => McpToolOutcome.Failed(row.Error ?? $"The workflow ended {row.Status}", new JsonObject { ["execution_id"] = row.Id }),
        };
    }
}

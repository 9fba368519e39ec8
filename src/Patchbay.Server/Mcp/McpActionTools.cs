using System.Text.Json.Nodes;
using Patchbay.Actions;
using Patchbay.Http;

namespace Patchbay.Mcp;

// Action tools: the actions an associated app lists (an app that lists neither actions nor workflows offers all of its
// actions), with input schemas from the actions' typed parameters. A call runs the action for the server's account
// with its connection's credentials (ActionRunner); a write action (non-GET, or flagged) is held on a safe-mode server.
public sealed class McpActionTools(ActionCatalog catalog, ActionRunner runner) : IMcpToolSource
{
    public string Kind => McpToolKinds.Action;

    public Task<IReadOnlyList<McpToolSpec>> ListAsync(McpCallContext context, McpAssociatedApp app, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(app);
        var all = catalog.List(app.Slug);
        if (all is null) return Task.FromResult<IReadOnlyList<McpToolSpec>>([]);
        var chosen = app.Actions.Count > 0 ? app.Actions.Select(id => all.FirstOrDefault(a => a.ActionId == id)).OfType<ActionManifest>()
            : app.Workflows.Count == 0 ? all : [];
        IReadOnlyList<McpToolSpec> tools = [.. chosen.Select(a => new McpToolSpec(McpToolNames.For(app.Slug, a.ActionId, Kind),
            $"{a.Name}: {a.Description}", Schema(a), Kind, app.Slug, a.ActionId, a.Writes))];
        return Task.FromResult(tools);
    }

    // JSON Schema of the action's parameters: text and select (enum of the options' values) are strings, json any value.
    public static JsonObject Schema(ActionManifest action)
    {
        ArgumentNullException.ThrowIfNull(action);
        var properties = new JsonObject();
        foreach (var p in action.Parameters)
        {
            var schema = new JsonObject { ["title"] = p.Label };
            switch (p.Type)
            {
                case ActionParameterTypes.Number: schema["type"] = "number"; break;
                case ActionParameterTypes.Boolean: schema["type"] = "boolean"; break;
                case ActionParameterTypes.Json: break; // any JSON value
                case ActionParameterTypes.Select:
                    schema["type"] = "string";
                    if (p.Options is { Count: > 0 } options) schema["enum"] = new JsonArray([.. options.Select(o => (JsonNode?)JsonValue.Create(o.Value))]);
                    break;
                default: schema["type"] = "string"; break;
            }
            if (p.Description is { Length: > 0 } description) schema["description"] = description;
            properties[p.Name] = schema;
        }
        var result = new JsonObject { ["type"] = "object", ["properties"] = properties };
        var required = action.Parameters.Where(p => p.Required).Select(p => (JsonNode?)JsonValue.Create(p.Name)).ToArray();
        if (required.Length > 0) result["required"] = new JsonArray(required);
        return result;
    }

    public async Task<McpToolOutcome> CallAsync(McpCallContext context, McpToolSpec tool, JsonObject arguments, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(tool);
        try
        {
            var result = await runner.ExecuteAsync(context.OrgId, context.Environment, context.AccountId, tool.Slug, tool.TargetId, arguments, ct);
            return result.Succeeded
                ? McpToolOutcome.Ok(result.Data)
                : McpToolOutcome.Failed(result.Error ?? $"The action failed (HTTP {result.HttpStatus})",
                    new JsonObject { ["http_status"] = result.HttpStatus, ["response"] = result.Data.DeepClone() });
        }
        catch (ApiException e)
        {
            // A missing parameter, no connection, an expired one: the agent reads why.
            return McpToolOutcome.Failed(e.Error.Message);
        }
    }
}

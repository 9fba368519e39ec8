using System.Text;
using System.Text.Json.Nodes;

namespace Patchbay.Mcp;

// What a tool runs: one of the app's actions, or one of its workflows.
public static class McpToolKinds
{
    public const string Action = "action";
    public const string Workflow = "workflow";
}

// One tool as a server offers it to a caller. `IsWrite`: a safe-mode server holds its calls for approval.
public sealed record McpToolSpec(string Name, string Description, JsonObject InputSchema, string Kind, string Slug, string TargetId, bool IsWrite);

// How a tool call ended: `{"success":true,"data":…}` or `{"success":false,"error":…}` on the wire.
public sealed record McpToolOutcome(bool Success, JsonNode? Data, string? Error)
{
    public static McpToolOutcome Ok(JsonNode? data) => new(true, data, null);

    public static McpToolOutcome Failed(string error, JsonNode? data = null) => new(false, data, error);

    public JsonObject ToJson()
    {
        var json = new JsonObject { ["success"] = Success };
        if (Data is not null || Success) json["data"] = Data?.DeepClone();
        if (Error is not null) json["error"] = Error;
        return json;
    }
}

// A kind of tool: lists an associated app's tools of its kind for the caller's account, and runs one for it.
public interface IMcpToolSource
{
    string Kind { get; }

    Task<IReadOnlyList<McpToolSpec>> ListAsync(McpCallContext context, McpAssociatedApp app, CancellationToken ct);

    Task<McpToolOutcome> CallAsync(McpCallContext context, McpToolSpec tool, JsonObject arguments, CancellationToken ct);
}

public static class McpToolNames
{
    const int MaxLength = 128;

    // `{app_slug}_{name}_{action|workflow}`, in the characters tool names allow (letters, digits, underscores).
    public static string For(string slug, string name, string kind)
    {
        var middle = Clean(name);
        var head = Clean(slug);
        var room = MaxLength - head.Length - kind.Length - 2;
        if (middle.Length > room) middle = middle[..Math.Max(1, room)];
        return $"{head}_{middle}_{kind}";
    }

    // A second tool of the same name: the target's id goes before the kind.
    public static string Disambiguate(string name, string kind, string id)
    {
        var suffix = $"_{Clean(id)}_{kind}";
        var head = name[..^(kind.Length + 1)];
        return (head.Length + suffix.Length > MaxLength ? head[..(MaxLength - suffix.Length)] : head) + suffix;
    }

    static string Clean(string text)
    {
        var builder = new StringBuilder(text.Length);
        foreach (var c in text.ToLowerInvariant())
        {
            var keep = char.IsAsciiLetterOrDigit(c) ? c : '_';
            if (keep == '_' && (builder.Length == 0 || builder[^1] == '_')) continue;
            builder.Append(keep);
        }
        var result = builder.ToString().TrimEnd('_');
        return result.Length == 0 ? "x" : result;
    }
}

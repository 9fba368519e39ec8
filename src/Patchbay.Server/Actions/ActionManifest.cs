using System.Text.Json.Nodes;
using Patchbay.Apps;

namespace Patchbay.Actions;

// One operation of an app, as written in the `actions` of Apps/Catalog/<slug>.json (docs/actions.md): a request
// template against the app's base URL, filled from typed parameters and sent with the connection's credentials.
public sealed record ActionManifest
{
    public required string ActionId { get; init; }
    public required string Name { get; init; }
    public required string Description { get; init; }
    public string Tag { get; init; } = ActionTags.Default;
    public string Method { get; init; } = "GET";

    // Relative to the connection's base URL; `{{param}}` placeholders are percent-encoded. An absolute URL may put a
    // connection value in its host (`https://{{connection.instance_url|host}}/…`), never a parameter.
    public required string Path { get; init; }
    public Dictionary<string, string> Query { get; init; } = [];
    public Dictionary<string, string> Headers { get; init; } = [];
    public JsonNode? Body { get; init; }
    public string BodyEncoding { get; init; } = BodyEncodings.Json;
    public List<ActionParameter> Parameters { get; init; } = [];

    // Whether the action changes data at the provider; by default every method but GET and HEAD does.
    public bool? Write { get; init; }

    // The auth types whose connections can run it (default: all of the app's).
    public List<string>? AuthTypes { get; init; }

    public bool Writes => Write ?? Method is not ("GET" or "HEAD");
}

public sealed record ActionParameter
{
    public required string Name { get; init; }
    public required string Label { get; init; }
    public bool Required { get; init; }
    public string Type { get; init; } = ActionParameterTypes.Text;
    public string? Description { get; init; }
    public List<FieldOption>? Options { get; init; }
}

public static class ActionParameterTypes
{
    public const string Text = "text";
    public const string Number = "number";
    public const string Boolean = "boolean";
    public const string Json = "json";
    public const string Select = "select";

    public static readonly IReadOnlySet<string> All = new HashSet<string> { Text, Number, Boolean, Json, Select };
}

public static class ActionTags
{
    // Refold tags its actions with the version of its action engine.
    public const string Default = "v2";
}

public static class ActionMethods
{
    // In the order the HTTP Request action offers them.
    public static readonly IReadOnlyList<string> Ordered = ["GET", "POST", "PUT", "PATCH", "DELETE"];
    public static readonly IReadOnlySet<string> All = new HashSet<string>(Ordered);
}

// What a node or an MCP tool call gets back: Refold's AC3 result plus whether the action writes.
public sealed record ActionResult(string NodeStatus, JsonNode Data, int HttpStatus, bool Writes, string? Error = null)
{
    public bool Succeeded => NodeStatus == ActionNodeStatus.Success;
}

public static class ActionNodeStatus
{
    public const string Success = "Success";
    public const string Failed = "Failed";
}

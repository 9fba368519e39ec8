using System.Text.Json;
using System.Text.Json.Nodes;

namespace Patchbay.Workflows.Engine;

public sealed record WorkflowNode(string Id, string Type, string Name, JsonObject Data, int MaximumAttempts);

public sealed record WorkflowEdge(string Id, string Source, string Target, string? SourceHandle);

// A workflow graph as stored (refold-api.md §6 Workflow/Node), parsed and checked. Nodes run along edges from the
// single start node; a node with several outgoing edges starts each branch in turn; conditions, switches and loops
// pick edges by their sourceHandle. The graph is acyclic: repetition is a loop node's job.
public sealed class WorkflowDefinition
{
    public static readonly IReadOnlySet<string> Types = new HashSet<string>(StringComparer.Ordinal)
    {
        NodeTypes.Start, NodeTypes.Http, NodeTypes.Code, NodeTypes.Condition, NodeTypes.Switch, NodeTypes.Loop,
        NodeTypes.Delay, NodeTypes.WaitWebhook, NodeTypes.CallWorkflow, NodeTypes.Response, NodeTypes.HumanTask,
        NodeTypes.Table, NodeTypes.Dataref, NodeTypes.Datastore, NodeTypes.Action,
    };

    // Upper bounds that keep every computed instant and timer in range (a year; 30 days for a whole execution).
    public const double MaxWaitSeconds = 366 * 24 * 3600;
    public const double MaxTimeoutSeconds = 30 * 24 * 3600;

    WorkflowDefinition(List<WorkflowNode> nodes, List<WorkflowEdge> edges, JsonObject settings)
    {
        Nodes = nodes;
        Edges = edges;
        Settings = settings;
        ById = nodes.ToDictionary(n => n.Id, StringComparer.Ordinal);
        Outgoing = edges.ToLookup(e => e.Source, StringComparer.Ordinal);
        Start = nodes.Single(n => n.Type == NodeTypes.Start);
    }

    public IReadOnlyList<WorkflowNode> Nodes { get; }
    public IReadOnlyList<WorkflowEdge> Edges { get; }
    public JsonObject Settings { get; }
    public IReadOnlyDictionary<string, WorkflowNode> ById { get; }
    public ILookup<string, WorkflowEdge> Outgoing { get; }
    public WorkflowNode Start { get; }

    // How the start node says the workflow is triggered: api (default), event, schedule or webhook.
    public string TriggerType => Start.Data["trigger"] is JsonObject t && t["type"]?.GetValueKind() == JsonValueKind.String ? t["type"]!.GetValue<string>() : TriggerTypes.Api;

    public string? TriggerEvent => Start.Data["trigger"] is JsonObject t && t["event"]?.GetValueKind() == JsonValueKind.String ? t["event"]!.GetValue<string>() : null;

    public TimeSpan? Timeout => Settings["timeout"] is JsonValue v && v.TryGetValue<double>(out var seconds) && seconds > 0 ? TimeSpan.FromSeconds(seconds) : null;

    // The graph a new workflow starts with: one start node called by the API.
    public static JsonObject Empty() => new()
    {
        ["nodes"] = new JsonArray(new JsonObject
        {
            ["id"] = "1", ["type"] = NodeTypes.Start, ["name"] = "Start", ["data"] = new JsonObject { ["trigger"] = new JsonObject { ["type"] = TriggerTypes.Api } },
        }),
        ["edges"] = new JsonArray(),
        ["settings"] = new JsonObject(),
    };

    // Parses and validates; errors name the node or edge at fault.
    public static (WorkflowDefinition? Definition, string? Error) Parse(JsonNode? json, Func<string, string?>? checkCode = null)
    {
        if (json is not JsonObject root) return (null, "The workflow definition must be an object with nodes and edges");
        if (root["nodes"] is not JsonArray nodeArray || nodeArray.Count == 0) return (null, "'nodes' must be a non-empty array");
        if (root["edges"] is not null and not JsonArray) return (null, "'edges' must be an array");
        if (root["settings"] is not null and not JsonObject) return (null, "'settings' must be an object");

        var nodes = new List<WorkflowNode>();
        foreach (var item in nodeArray)
        {
            if (item is not JsonObject n) return (null, "Each node must be an object");
            var id = Text(n["id"]);
            if (string.IsNullOrWhiteSpace(id)) return (null, "Each node needs an 'id'");
            var type = Text(n["type"]);
            if (type is null || !Types.Contains(type))
                return (null, $"Node '{id}' has unknown type '{type}' (known: {string.Join(", ", Types.Order(StringComparer.Ordinal))})");
            if (nodes.Any(x => x.Id == id)) return (null, $"Node id '{id}' is used twice");
            var data = n["data"] switch { null => new JsonObject(), JsonObject o => (JsonObject)o.DeepClone(), _ => null };
            if (data is null) return (null, $"Node '{id}': 'data' must be an object");
            var attempts = 1;
            if (n["maximum_attempts"] is JsonNode a)
            {
                if (a.GetValueKind() != JsonValueKind.Number || !a.AsValue().TryGetValue<int>(out attempts) || attempts is < 1 or > 10)
                    return (null, $"Node '{id}': 'maximum_attempts' must be an integer from 1 to 10");
            }
            nodes.Add(new WorkflowNode(id, type, Text(n["name"]) ?? id, data, attempts));
        }
        var starts = nodes.Count(n => n.Type == NodeTypes.Start);
        if (starts != 1) return (null, $"A workflow has exactly one start node ({starts} found)");

        var edges = new List<WorkflowEdge>();
        var ids = nodes.Select(n => n.Id).ToHashSet(StringComparer.Ordinal);
        var index = 0;
        foreach (var item in (JsonArray?)root["edges"] ?? [])
        {
            index++;
            if (item is not JsonObject e) return (null, "Each edge must be an object");
            var id = Text(e["id"]) ?? $"e{index}";
            var source = Text(e["source"]);
            var target = Text(e["target"]);
            if (source is null || !ids.Contains(source)) return (null, $"Edge '{id}' starts at unknown node '{source}'");
            if (target is null || !ids.Contains(target)) return (null, $"Edge '{id}' points to unknown node '{target}'");
            if (nodes.First(n => n.Id == target).Type == NodeTypes.Start) return (null, $"Edge '{id}' points to the start node");
            edges.Add(new WorkflowEdge(id, source, target, Text(e["sourceHandle"])));
        }
        var definition = new WorkflowDefinition(nodes, edges, (JsonObject?)root["settings"]?.DeepClone() ?? []);
        if (definition.Settings["timeout"] is JsonNode timeout
            && (timeout.GetValueKind() != JsonValueKind.Number || timeout.GetValue<double>() is <= 0 or > MaxTimeoutSeconds))
        {
            return (null, $"'settings.timeout' must be a positive number of seconds, at most {MaxTimeoutSeconds:0} (30 days)");
        }
        var error = definition.FindCycle() ?? nodes.Select(n => CheckNode(definition, n, checkCode)).FirstOrDefault(e => e is not null);
        return error is null ? (definition, null) : (null, error);
    }

    string? FindCycle()
    {
        var state = new Dictionary<string, int>(StringComparer.Ordinal); // 1 visiting, 2 done
        string? Visit(string id)
        {
            state[id] = 1;
            foreach (var edge in Outgoing[id])
            {
                var seen = state.GetValueOrDefault(edge.Target);
                if (seen == 1) return $"Node '{edge.Target}' is part of a cycle (edge '{edge.Id}'); use a loop node to repeat steps";
                if (seen == 0 && Visit(edge.Target) is { } found) return found;
            }
            state[id] = 2;
            return null;
        }
        foreach (var node in Nodes)
        {
            if (state.GetValueOrDefault(node.Id) == 0 && Visit(node.Id) is { } error) return error;
        }
        return null;
    }

    static string? CheckNode(WorkflowDefinition definition, WorkflowNode node, Func<string, string?>? checkCode)
    {
        var d = node.Data;
        string? Need(string key, string what) => d[key] is null ? $"Node '{node.Id}' ({node.Type}) needs '{key}': {what}" : null;
        string? Handles(params string[] allowed)
        {
            var wrong = definition.Outgoing[node.Id].FirstOrDefault(e => e.SourceHandle is null || !allowed.Contains(e.SourceHandle));
            return wrong is null ? null : $"Edge '{wrong.Id}' from {node.Type} node '{node.Id}' needs a sourceHandle ({string.Join(" or ", allowed)})";
        }
        switch (node.Type)
        {
            case NodeTypes.Http:
                if (d["url"] is null && (d["app"] is null || d["path"] is null)) return $"Node '{node.Id}' (http) needs 'url', or 'app' and 'path'";
                if (Text(d["method"]) is { } m && !new[] { "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD" }.Contains(m.ToUpperInvariant()))
                    return $"Node '{node.Id}' (http): unsupported method '{m}'";
                return null;
            case NodeTypes.Code:
                if (Text(d["code"]) is not { Length: > 0 } code) return $"Node '{node.Id}' (code) needs 'code': a JavaScript function body that returns a value";
                return checkCode?.Invoke(code) is { } syntax ? $"Node '{node.Id}' (code): {syntax}" : null;
            case NodeTypes.Condition:
                if (d["expression"] is null && d["left"] is null) return $"Node '{node.Id}' (condition) needs 'expression', or 'left', 'operator' and 'right'";
                if (Text(d["expression"]) is { } expression && checkCode?.Invoke("return (" + expression + ");") is { } bad) return $"Node '{node.Id}' (condition): {bad}";
                if (d["left"] is not null && !Conditions.Operators.Contains(Text(d["operator"]) ?? ""))
                    return $"Node '{node.Id}' (condition): 'operator' must be one of {string.Join(", ", Conditions.Operators)}";
                return Handles("true", "false");
            case NodeTypes.Switch:
                if (Need("value", "the template to switch on") is { } v) return v;
                if (d["cases"] is not JsonArray cases || cases.Any(c => c is not JsonValue))
                    return $"Node '{node.Id}' (switch) needs 'cases': an array of values, each the sourceHandle of its edge";
                return Handles([.. cases.Select(c => Conditions.AsText(c)!), "default"]);
            case NodeTypes.Loop:
                return Need("items", "a template giving the array to iterate") ?? Handles("each", "done");
            case NodeTypes.Delay:
                if (d["seconds"] is null && d["until"] is null) return $"Node '{node.Id}' (delay) needs 'seconds' or 'until'";
                return null;
            case NodeTypes.CallWorkflow:
                return Need("workflow_id", "the id or alias of the workflow to run");
            case NodeTypes.HumanTask:
                if (d["form_structure"] is not JsonObject) return $"Node '{node.Id}' (human_task) needs 'form_structure': a JSON Schema object describing the form";
                if (d["name"] is null) return $"Node '{node.Id}' (human_task) needs 'name': the form's title";
                {
                    var wrong = definition.Outgoing[node.Id].FirstOrDefault(e => e.SourceHandle is not (null or HumanTaskHandles.Submitted or HumanTaskHandles.Timeout));
                    return wrong is null ? null
                        : $"Edge '{wrong.Id}' from human_task node '{node.Id}' has sourceHandle '{wrong.SourceHandle}': use none or '{HumanTaskHandles.Submitted}', or '{HumanTaskHandles.Timeout}' for the expiry branch";
                }
            case NodeTypes.Action:
                if ((Need("app", "the app's slug") ?? Need("action_id", "one of the app's actions (docs/actions.md)")) is { } missing) return missing;
                return d["parameters"] is null or JsonObject ? null : $"Node '{node.Id}' (action): 'parameters' must be an object";
            case NodeTypes.Table:
                return Need("operation", "insert, upsert, update, delete or search") ?? Need("table", "the table's name");
            case NodeTypes.Dataref:
                return Need("operation", "append, put or read") ?? Need("name", "the dataref's name");
            case NodeTypes.Datastore:
                return Need("operation", "set, append or read") ?? Need("name", "the datastore's name");
            case NodeTypes.Response:
                if (d["status"] is JsonNode s && (s.GetValueKind() != JsonValueKind.Number || !s.AsValue().TryGetValue<int>(out var status) || status is < 100 or > 599))
                    return $"Node '{node.Id}' (response): 'status' must be an HTTP status code";
                return null;
            default:
                return null;
        }
    }

    public static string? Text(JsonNode? node) => node?.GetValueKind() == JsonValueKind.String ? node.GetValue<string>() : null;

    public JsonObject ToJson() => new()
    {
        ["nodes"] = new JsonArray([.. Nodes.Select(n => (JsonNode)new JsonObject
        {
            ["id"] = n.Id, ["type"] = n.Type, ["name"] = n.Name, ["data"] = n.Data.DeepClone(), ["maximum_attempts"] = n.MaximumAttempts,
        })]),
        ["edges"] = new JsonArray([.. Edges.Select(e => (JsonNode)new JsonObject
        {
            ["id"] = e.Id, ["source"] = e.Source, ["target"] = e.Target, ["sourceHandle"] = e.SourceHandle,
        })]),
        ["settings"] = Settings.DeepClone(),
    };
}

// What starts a workflow: an API call, an event, a schedule (the start node's trigger type).
public static class TriggerTypes
{
    public const string Api = "api";
    public const string Event = "event";
    public const string Schedule = "schedule";
}

public static class NodeTypes
{
    public const string Start = "start";
    public const string Http = "http";
    public const string Code = "code";
    public const string Condition = "condition";
    public const string Switch = "switch";
    public const string Loop = "loop";
    public const string Delay = "delay";
    public const string WaitWebhook = "wait_webhook";
    public const string CallWorkflow = "call_workflow";
    public const string Response = "response";
    public const string HumanTask = "human_task";

    // Persistent data of the execution's linked account (Tables/DataNodes.cs).
    public const string Table = "table";
    public const string Dataref = "dataref";
    public const string Datastore = "datastore";

    // An action of a connected app, for the execution's linked account (Actions/).
    public const string Action = "action";
}

// The edges out of a human_task node: taken when the form is submitted (an edge without a handle too), or when it expires.
public static class HumanTaskHandles
{
    public const string Submitted = "submitted";
    public const string Timeout = "timeout";
}

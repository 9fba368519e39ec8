using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Patchbay.Workflows.Engine;

// Where an execution stands, stored with it (as JSON) after every node: the pending node runs (tokens; the first
// runs next), the latest output of each node, open loops, the response so far, and what a parked execution waits for.
public sealed class ExecutionState
{
    public int Step { get; set; }
    public List<Token> Tokens { get; set; } = [];
    public Dictionary<string, JsonNode?> Outputs { get; set; } = new(StringComparer.Ordinal);
    public Dictionary<string, LoopFrame> Loops { get; set; } = new(StringComparer.Ordinal);
    public JsonNode? Response { get; set; }
    public int? ResponseStatus { get; set; }
    public WaitState? Waiting { get; set; }
    public int Failures { get; set; }

    static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);

    public static ExecutionState Begin(WorkflowDefinition definition) => new() { Tokens = [new Token(definition.Start.Id, [])] };

    public string Serialize() => JsonSerializer.Serialize(this, Options);

    public static ExecutionState Deserialize(string json) => JsonSerializer.Deserialize<ExecutionState>(json, Options)!;
}

public sealed record Token(string Node, List<string> Frames);

public sealed class LoopFrame
{
    public required string Node { get; init; }
    public required JsonArray Items { get; init; }
    public int Index { get; set; }
    public JsonArray Results { get; init; } = [];
    public required List<string> Parent { get; init; }
}

// Kind: one of WaitKinds.
public sealed record WaitState(string Node, string Kind, DateTimeOffset? Until, string? Ref);

// What a parked execution waits for (stored in its state, so the values are for good).
public static class WaitKinds
{
    public const string Delay = "delay";     // Until
    public const string Webhook = "webhook"; // Ref = the wait's reference (see WebhookIds), Until = its timeout if any
    public const string Child = "child";     // Ref = the child execution's id
    public const string HumanTask = "human_task"; // Ref = the task's reference (see HumanTaskIds), Until = its expiry
}

public sealed record StepPlan(WorkflowNode Node, Token Token, JsonObject Settings, JsonObject Context, int Attempt, WaitState? Resuming)
{
    // The sourceHandles of the node's outgoing edges (a human task errors on expiry when none is "timeout").
    public IReadOnlyList<string?> Handles { get; init; } = [];
}

public abstract record NodeOutcome
{
    public sealed record Done(JsonNode? Output, string? Handle = null) : NodeOutcome;
    public sealed record Failed(string Error, bool Retryable) : NodeOutcome;
    public sealed record Park(WaitState Wait) : NodeOutcome;
}

public sealed record NodeRecord(
    int Seq, string NodeId, string NodeName, string NodeType, string Status, int Attempts, int MaxAttempts, JsonNode? Input, JsonNode? Output, string? Error);

public enum StepResult { Continue, Retry, Parked, Completed, Errored }

public sealed record Advance(StepResult Result, NodeRecord? Record, DateTimeOffset? RunAt, string? Error);

public static class NodeStatus
{
    public const string Success = "Success";
    public const string Errored = "Errored";
    public const string ErroredAndSkipped = "Errored_and_Skipped";
    public const string Waiting = "Waiting";
    public const string Ready = "Ready";
}

// The interpreter. Pure: it reads the definition and the state, says which node runs next with which settings, runs
// the nodes that need no IO, and applies a node's outcome to the state. The execution worker does the IO and stores
// the state after every node (DESIGN.md §4.8).
public static class WorkflowEngine
{
    static readonly HashSet<string> RawKeys = ["code", "expression"]; // JavaScript, not templates

    public static StepPlan? Next(WorkflowDefinition definition, ExecutionState state, JsonObject baseContext)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(state);
        if (state.Tokens.Count == 0) return null;
        var token = state.Tokens[0];
        var node = definition.ById[token.Node];
        var context = (JsonObject)baseContext.DeepClone();
        var nodes = new JsonObject();
        foreach (var (id, output) in state.Outputs) nodes[id] = new JsonObject { ["output"] = output?.DeepClone() };
        context["nodes"] = nodes;
        if (token.Frames.Count > 0 && state.Loops.TryGetValue(token.Frames[^1], out var frame))
            context["loop"] = new JsonObject { ["item"] = frame.Items[frame.Index]?.DeepClone(), ["index"] = frame.Index, ["count"] = frame.Items.Count };
        var settings = new JsonObject();
        foreach (var (key, value) in node.Data) settings[key] = RawKeys.Contains(key) ? value?.DeepClone() : ValueTemplates.Render(value, context);
        var resuming = state.Waiting is { } w && w.Node == node.Id ? w : null;
        return new StepPlan(node, token, settings, context, state.Failures + 1, resuming)
        {
            Handles = [.. definition.Outgoing[node.Id].Select(e => e.SourceHandle)],
        };
    }

    // The outcome of the node types that need no IO; null for the others.
    public static NodeOutcome? RunPure(StepPlan plan, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var s = plan.Settings;
        switch (plan.Node.Type)
        {
            case NodeTypes.Start:
                return new NodeOutcome.Done(plan.Context["payload"]?.DeepClone());
            case NodeTypes.Condition when s["expression"] is null:
                var result = Conditions.Evaluate(s["left"], WorkflowDefinition.Text(s["operator"])!, s["right"]);
                return new NodeOutcome.Done(new JsonObject { ["result"] = result }, result ? "true" : "false");
            case NodeTypes.Switch:
                var value = Conditions.AsText(s["value"]);
                var match = ((JsonArray)s["cases"]!).Select(Conditions.AsText).FirstOrDefault(c => c == value);
                return new NodeOutcome.Done(new JsonObject { ["value"] = s["value"]?.DeepClone(), ["matched"] = match ?? "default" }, match ?? "default");
            case NodeTypes.Loop:
                return s["items"] is JsonArray items
                    ? new NodeOutcome.Done(new JsonObject { ["count"] = items.Count, ["items"] = items.DeepClone() }, "each")
                    : new NodeOutcome.Failed($"'items' is not an array ({ValueTemplates.Describe(s["items"])})", Retryable: false);
            case NodeTypes.Delay:
                if (plan.Resuming is { Until: { } until })
                    return now >= until ? new NodeOutcome.Done(new JsonObject { ["waited_until"] = until.ToString("O", CultureInfo.InvariantCulture) }) : new NodeOutcome.Park(plan.Resuming);
                var at = DelayUntil(s, now);
                return at is null ? new NodeOutcome.Failed("'seconds' must be a number from 0 to 31622400 (a year), or 'until' an ISO 8601 instant", Retryable: false)
                    : at <= now ? new NodeOutcome.Done(new JsonObject { ["waited_until"] = at.Value.ToString("O", CultureInfo.InvariantCulture) })
                    : new NodeOutcome.Park(new WaitState(plan.Node.Id, WaitKinds.Delay, at, null));
            case NodeTypes.Response:
                var status = s["status"] is JsonValue sv && sv.TryGetValue<int>(out var code) && code is >= 100 and <= 599 ? code : 200;
                return new NodeOutcome.Done(new JsonObject { ["status"] = status, ["body"] = s["body"]?.DeepClone() });
            default:
                return null;
        }
    }

    static DateTimeOffset? DelayUntil(JsonObject s, DateTimeOffset now)
    {
        if (s["until"] is JsonNode until)
            return DateTimeOffset.TryParse(ValueTemplates.AsText(until), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) ? at : null;
        var seconds = s["seconds"] switch
        {
            JsonValue v when v.GetValueKind() == JsonValueKind.Number => v.GetValue<double>(),
            JsonValue v when double.TryParse(ValueTemplates.AsText(v), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => d,
            _ => -1,
        };
        return seconds is < 0 or > WorkflowDefinition.MaxWaitSeconds ? null : now.AddSeconds(seconds);
    }

    public static TimeSpan Backoff(int failures) => TimeSpan.FromSeconds(Math.Min(60, Math.Pow(2, failures - 1)));

    // Applies a node's outcome: the node run to record, where the tokens go next, and what the execution does now.
    public static Advance Apply(WorkflowDefinition definition, ExecutionState state, StepPlan plan, NodeOutcome outcome, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(plan);
        var node = plan.Node;
        switch (outcome)
        {
            case NodeOutcome.Park park:
                state.Waiting = park.Wait;
                return new Advance(StepResult.Parked, null, park.Wait.Until, null);

            case NodeOutcome.Failed failed when plan.Attempt < node.MaximumAttempts && failed.Retryable:
                state.Failures++;
                state.Waiting = null;
                return new Advance(StepResult.Retry, null, now + Backoff(state.Failures), failed.Error);

            case NodeOutcome.Failed failed when node.Data["continue_on_error"]?.GetValueKind() == JsonValueKind.True:
                var skipped = Record(state, plan, NodeStatus.ErroredAndSkipped, new JsonObject { ["error"] = failed.Error }, failed.Error);
                Route(definition, state, plan, new JsonObject { ["error"] = failed.Error }, handle: null);
                return Finish(state, skipped);

            case NodeOutcome.Failed failed:
                var errored = Record(state, plan, NodeStatus.Errored, null, failed.Error);
                state.Waiting = null;
                return new Advance(StepResult.Errored, errored, null, $"Node '{node.Name}' ({node.Id}) failed: {failed.Error}");

            case NodeOutcome.Done done:
                var record = Record(state, plan, NodeStatus.Success, done.Output, null);
                if (node.Type == NodeTypes.Response)
                {
                    state.Response = done.Output?["body"]?.DeepClone();
                    state.ResponseStatus = done.Output?["status"] is JsonValue st && st.TryGetValue<int>(out var code) ? code : null;
                }
                if (node.Type == NodeTypes.Loop) StartLoop(definition, state, plan, (JsonArray)done.Output!["items"]!);
                else Route(definition, state, plan, done.Output, done.Handle);
                return Finish(state, record);

            default:
                throw new ArgumentOutOfRangeException(nameof(outcome));
        }
    }

    static Advance Finish(ExecutionState state, NodeRecord record) =>
        new(state.Tokens.Count == 0 ? StepResult.Completed : StepResult.Continue, record, null, null);

    static NodeRecord Record(ExecutionState state, StepPlan plan, string status, JsonNode? output, string? error)
    {
        var record = new NodeRecord(state.Step++, plan.Node.Id, plan.Node.Name, plan.Node.Type, status, plan.Attempt, plan.Node.MaximumAttempts,
            plan.Settings, output?.DeepClone(), error);
        state.Failures = 0;
        state.Waiting = null;
        return record;
    }

    // The finished token gives way to one token per matching edge (depth first); then any loop iteration it closed.
    static void Route(WorkflowDefinition definition, ExecutionState state, StepPlan plan, JsonNode? output, string? handle)
    {
        var token = plan.Token;
        state.Outputs[token.Node] = output?.DeepClone();
        state.Tokens.RemoveAt(0);
        var next = definition.Outgoing[token.Node]
            .Where(e => handle is null || e.SourceHandle == handle || (e.SourceHandle is null && !Branches(plan.Node.Type) && handle != HumanTaskHandles.Timeout))
            .Select(e => new Token(e.Target, [.. token.Frames]))
            .ToList();
        state.Tokens.InsertRange(0, next);
        CloseIterations(definition, state, token.Frames, output);
    }

    static bool Branches(string type) => type is NodeTypes.Condition or NodeTypes.Switch or NodeTypes.Loop;

    static void StartLoop(WorkflowDefinition definition, ExecutionState state, StepPlan plan, JsonArray items)
    {
        var token = plan.Token;
        state.Tokens.RemoveAt(0);
        state.Outputs[token.Node] = new JsonObject { ["count"] = items.Count, ["results"] = new JsonArray() };
        if (items.Count == 0)
        {
            state.Tokens.InsertRange(0, Targets(definition, token.Node, "done", token.Frames));
            CloseIterations(definition, state, token.Frames, state.Outputs[token.Node]);
            return;
        }
        var id = $"{token.Node}@{state.Step}";
        state.Loops[id] = new LoopFrame { Node = token.Node, Items = (JsonArray)items.DeepClone(), Parent = [.. token.Frames] };
        state.Tokens.InsertRange(0, Targets(definition, token.Node, "each", [.. token.Frames, id]));
        CloseIterations(definition, state, [.. token.Frames, id], null); // a loop whose body is empty
    }

    static List<Token> Targets(WorkflowDefinition definition, string node, string handle, List<string> frames) =>
        [.. definition.Outgoing[node].Where(e => e.SourceHandle == handle).Select(e => new Token(e.Target, [.. frames]))];

    // An iteration ends when no token of its frame is left: its last output joins the results, and the next item
    // starts, or the loop ends and its "done" edges continue in the enclosing frame.
    static void CloseIterations(WorkflowDefinition definition, ExecutionState state, List<string> frames, JsonNode? lastOutput)
    {
        while (frames.Count > 0)
        {
            var id = frames[^1];
            if (state.Tokens.Any(t => t.Frames.Contains(id))) return;
            var frame = state.Loops[id];
            frame.Results.Add(lastOutput?.DeepClone());
            frame.Index++;
            if (frame.Index < frame.Items.Count)
            {
                state.Tokens.InsertRange(0, Targets(definition, frame.Node, "each", [.. frame.Parent, id]));
                if (state.Tokens.Any(t => t.Frames.Contains(id))) return;
                continue; // an empty body: the next item ends at once
            }
            state.Loops.Remove(id);
            lastOutput = new JsonObject { ["count"] = frame.Items.Count, ["results"] = frame.Results.DeepClone() };
            state.Outputs[frame.Node] = lastOutput.DeepClone();
            state.Tokens.InsertRange(0, Targets(definition, frame.Node, "done", frame.Parent));
            frames = frame.Parent;
        }
    }
}

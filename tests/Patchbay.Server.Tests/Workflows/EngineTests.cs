using System.Text.Json.Nodes;
using Patchbay.Workflows.Engine;
using Xunit;

namespace Patchbay.Tests.Workflows;

// The interpreter alone: no database, no HTTP. Non-pure nodes are answered by the test.
public sealed class EngineTests
{
    static readonly DateTimeOffset Now = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);

    static WorkflowDefinition Parse(string json)
    {
        var (definition, error) = WorkflowDefinition.Parse(JsonNode.Parse(json));
        Assert.True(definition is not null, error);
        return definition!;
    }

    // Runs to the end, answering non-pure nodes with `io`; returns the node ids in the order they ran.
    static (List<string> Ran, ExecutionState State) Run(WorkflowDefinition definition, JsonNode payload, Func<StepPlan, NodeOutcome> io)
    {
        var state = ExecutionState.Begin(definition);
        var context = new JsonObject { ["payload"] = payload };
        var ran = new List<string>();
        for (var guard = 0; guard < 1000; guard++)
        {
            var plan = WorkflowEngine.Next(definition, state, context);
            if (plan is null) break;
            var outcome = WorkflowEngine.RunPure(plan, Now) ?? io(plan);
            var advance = WorkflowEngine.Apply(definition, state, plan, outcome, Now);
            if (advance.Record is not null) ran.Add(advance.Record.NodeId);
            // Round-trip the state as the worker does between steps.
            state = ExecutionState.Deserialize(state.Serialize());
            if (advance.Result is StepResult.Completed or StepResult.Errored or StepResult.Parked) break;
        }
        return (ran, state);
    }

    [Fact]
    public void Branches_FollowTheConditionsHandle_AndTemplatesKeepTypes()
    {
        var definition = Parse("""
            {"nodes":[{"id":"s","type":"start"},
                      {"id":"c","type":"condition","data":{"left":"{{payload.n}}","operator":"greater_than","right":10}},
                      {"id":"hi","type":"response","data":{"body":{"n":"{{payload.n}}","text":"n={{payload.n}}","obj":"{{payload}}"}}},
                      {"id":"lo","type":"response","data":{"status":202,"body":"low"}}],
             "edges":[{"source":"s","target":"c"},{"source":"c","target":"hi","sourceHandle":"true"},{"source":"c","target":"lo","sourceHandle":"false"}]}
            """);
        var (ran, state) = Run(definition, JsonNode.Parse("""{"n":42}""")!, _ => throw new InvalidOperationException());
        Assert.Equal(["s", "c", "hi"], ran);
        Assert.Equal("""{"n":42,"text":"n=42","obj":{"n":42}}""", state.Response!.ToJsonString());
        var (low, lowState) = Run(definition, JsonNode.Parse("""{"n":1}""")!, _ => throw new InvalidOperationException());
        Assert.Equal(["s", "c", "lo"], low);
        Assert.Equal(202, lowState.ResponseStatus);
    }

    [Fact]
    public void NestedLoops_CollectEachIterationsLastOutput()
    {
        var definition = Parse("""
            {"nodes":[{"id":"s","type":"start"},
                      {"id":"outer","type":"loop","data":{"items":"{{payload.rows}}"}},
                      {"id":"inner","type":"loop","data":{"items":"{{loop.item}}"}},
                      {"id":"cell","type":"code","data":{"code":"x"}},
                      {"id":"r","type":"response","data":{"body":"{{nodes.outer.output.results}}"}}],
             "edges":[{"source":"s","target":"outer"},{"source":"outer","target":"inner","sourceHandle":"each"},
                      {"source":"inner","target":"cell","sourceHandle":"each"},{"source":"outer","target":"r","sourceHandle":"done"}]}
            """);
        var (ran, state) = Run(definition, JsonNode.Parse("""{"rows":[[1,2],[3],[]]}""")!,
            plan => new NodeOutcome.Done(JsonValue.Create(plan.Context["loop"]!["item"]!.GetValue<int>() * 10)));
        Assert.Equal(3, ran.Count(r => r == "cell"));
        // Each outer iteration ends with its inner loop's output: the inner results.
        Assert.Equal("""[{"count":2,"results":[10,20]},{"count":1,"results":[30]},{"count":0,"results":[]}]""", state.Response!.ToJsonString());
        Assert.Empty(state.Loops);
    }

    [Fact]
    public void Delay_Parks_ThenResumesWhenDue()
    {
        var definition = Parse("""
            {"nodes":[{"id":"s","type":"start"},{"id":"d","type":"delay","data":{"seconds":30}},{"id":"r","type":"response","data":{"body":1}}],
             "edges":[{"source":"s","target":"d"},{"source":"d","target":"r"}]}
            """);
        var state = ExecutionState.Begin(definition);
        var context = new JsonObject { ["payload"] = new JsonObject() };
        var start = WorkflowEngine.Next(definition, state, context)!;
        WorkflowEngine.Apply(definition, state, start, WorkflowEngine.RunPure(start, Now)!, Now);
        var delay = WorkflowEngine.Next(definition, state, context)!;
        var parked = WorkflowEngine.Apply(definition, state, delay, WorkflowEngine.RunPure(delay, Now)!, Now);
        Assert.Equal(StepResult.Parked, parked.Result);
        Assert.Equal(Now.AddSeconds(30), parked.RunAt);
        // Woken early: parks again; on time: goes on.
        var early = WorkflowEngine.Next(definition, state, context)!;
        Assert.IsType<NodeOutcome.Park>(WorkflowEngine.RunPure(early, Now.AddSeconds(10)));
        var due = WorkflowEngine.Next(definition, state, context)!;
        var resumed = WorkflowEngine.Apply(definition, state, due, WorkflowEngine.RunPure(due, Now.AddSeconds(30))!, Now.AddSeconds(30));
        Assert.Equal(StepResult.Continue, resumed.Result);
        Assert.Equal("d", resumed.Record!.NodeId);
    }

    [Fact]
    public void Failures_RetryWithBackoff_ThenErrorOrSkip()
    {
        var definition = Parse("""
            {"nodes":[{"id":"s","type":"start"},{"id":"h","type":"http","data":{"url":"http://x.test"},"maximum_attempts":3},
                      {"id":"k","type":"http","data":{"url":"http://x.test","continue_on_error":true}},{"id":"r","type":"response"}],
             "edges":[{"source":"s","target":"h"},{"source":"h","target":"k"},{"source":"k","target":"r"}]}
            """);
        var state = ExecutionState.Begin(definition);
        var context = new JsonObject { ["payload"] = new JsonObject() };
        var start = WorkflowEngine.Next(definition, state, context)!;
        WorkflowEngine.Apply(definition, state, start, WorkflowEngine.RunPure(start, Now)!, Now);
        var failed = new NodeOutcome.Failed("HTTP 503", Retryable: true);
        var first = WorkflowEngine.Apply(definition, state, WorkflowEngine.Next(definition, state, context)!, failed, Now);
        Assert.Equal((StepResult.Retry, Now.AddSeconds(1)), (first.Result, first.RunAt));
        var second = WorkflowEngine.Apply(definition, state, WorkflowEngine.Next(definition, state, context)!, failed, Now);
        Assert.Equal((StepResult.Retry, Now.AddSeconds(2)), (second.Result, second.RunAt));
        var third = WorkflowEngine.Apply(definition, state, WorkflowEngine.Next(definition, state, context)!, new NodeOutcome.Done(JsonValue.Create(1)), Now);
        Assert.Equal(3, third.Record!.Attempts);
        // A permanent failure of a node that continues on error is recorded and skipped.
        var skipped = WorkflowEngine.Apply(definition, state, WorkflowEngine.Next(definition, state, context)!, new NodeOutcome.Failed("HTTP 404", Retryable: false), Now);
        Assert.Equal((StepResult.Continue, "Errored_and_Skipped"), (skipped.Result, skipped.Record!.Status));
        // A permanent failure elsewhere ends the execution.
        var fresh = ExecutionState.Begin(definition);
        var s2 = WorkflowEngine.Next(definition, fresh, context)!;
        WorkflowEngine.Apply(definition, fresh, s2, WorkflowEngine.RunPure(s2, Now)!, Now);
        var errored = WorkflowEngine.Apply(definition, fresh, WorkflowEngine.Next(definition, fresh, context)!, new NodeOutcome.Failed("HTTP 400", Retryable: false), Now);
        Assert.Equal(StepResult.Errored, errored.Result);
        Assert.Equal("Node 'h' (h) failed: HTTP 400", errored.Error);
    }

    [Theory]
    [InlineData("""{"nodes":[{"id":"s","type":"start"},{"id":"s","type":"code","data":{"code":"1"}}]}""", "Node id 's' is used twice")]
    [InlineData("""{"nodes":[{"id":"s","type":"start"},{"id":"w","type":"switch","data":{"value":"x","cases":["a"]}},{"id":"r","type":"response"}],"edges":[{"id":"e","source":"w","target":"r","sourceHandle":"b"}]}""", "Edge 'e' from switch node 'w' needs a sourceHandle (a or default)")]
    [InlineData("""{"nodes":[{"id":"s","type":"start","maximum_attempts":0}]}""", "Node 's': 'maximum_attempts' must be an integer from 1 to 10")]
    [InlineData("""{"nodes":[{"id":"s","type":"start"}],"settings":{"timeout":-1}}""", "'settings.timeout' must be a positive number of seconds, at most 2592000 (30 days)")]
    [InlineData("""{"nodes":[]}""", "'nodes' must be a non-empty array")]
    public void Parse_RefusesBadGraphs(string json, string error) =>
        Assert.Equal(error, WorkflowDefinition.Parse(JsonNode.Parse(json)).Error);

    [Fact]
    public void Templates_ResolvePathsIndexesAndMissingValues()
    {
        var context = JsonNode.Parse("""{"payload":{"items":[{"id":7}],"name":"Ann"},"nodes":{"a":{"output":null}}}""")!;
        Assert.Equal("7", ValueTemplates.Render(JsonValue.Create("{{payload.items[0].id}}"), context)!.ToJsonString());
        Assert.Equal("\"1 items for Ann\"", ValueTemplates.Render(JsonValue.Create("{{payload.items.length}} items for {{ payload.name }}"), context)!.ToJsonString());
        Assert.Null(ValueTemplates.Render(JsonValue.Create("{{payload.missing.deep}}"), context));
        Assert.Equal("\"[]\"", ValueTemplates.Render(JsonValue.Create("[{{nodes.a.output}}]"), context)!.ToJsonString());
    }
}

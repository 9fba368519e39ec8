using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Jint;
using Jint.Native;
using Microsoft.Extensions.Options;

namespace Patchbay.Workflows;

// Runs a code node's JavaScript in Jint with no host access (no CLR interop, no require, no timers, no network): the
// script sees `input` (payload, nodes, loop, execution) as plain JSON and its return value, made JSON, is the node's
// output. Statements, wall time, memory, recursion depth and array size are bounded, so hostile code fails only its
// own node. Scripts are parsed once and cached.
public sealed class CodeSandbox(IOptions<WorkflowOptions> options)
{
    readonly ConcurrentDictionary<string, Prepared<Acornima.Ast.Script>> scripts = new(StringComparer.Ordinal);

    public sealed class ScriptException(string message) : Exception(message);

    static string Wrap(string body) =>
        "(function (input) { \"use strict\"; const payload = input.payload; const nodes = input.nodes; const loop = input.loop;\n" + body + "\n})(__input)";

    // A syntax error in a node's code, for validation on save; null when it parses.
    public static string? SyntaxError(string body)
    {
        try
        {
            Jint.Engine.PrepareScript(Wrap(body));
            return null;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return "JavaScript syntax error: " + e.Message;
        }
    }

    public JsonNode? Run(string body, JsonNode input, CancellationToken ct)
    {
        var o = options.Value;
        var script = scripts.GetOrAdd(body, b => Jint.Engine.PrepareScript(Wrap(b)));
        if (scripts.Count > 10_000) scripts.Clear(); // a bound, not a policy: versions are few, their scripts fewer
        var engine = new Jint.Engine(cfg =>
        {
            cfg.Strict()
                .DisableStringCompilation()
                .LimitMemory(o.CodeMemoryBytes)
                .TimeoutInterval(o.CodeTimeout)
                .MaxStatements(o.CodeMaxStatements)
                .LimitRecursion(o.CodeMaxRecursion)
                .CancellationToken(ct);
            cfg.Constraints.MaxArraySize = (uint)o.CodeMaxArraySize;
        });
        try
        {
            engine.SetValue("__input", new Jint.Native.Json.JsonParser(engine).Parse(input.ToJsonString()));
            var result = engine.Evaluate(script);
            if (result.IsUndefined()) return null;
            var text = new Jint.Native.Json.JsonSerializer(engine).Serialize(result);
            return text.IsUndefined() ? null : JsonNode.Parse(text.AsString());
        }
        catch (Exception e) when (ct.IsCancellationRequested && e is OperationCanceledException or Jint.Runtime.ExecutionCanceledException)
        {
            throw new OperationCanceledException(ct);
        }
        catch (Jint.Runtime.MemoryLimitExceededException)
        {
            throw new ScriptException($"the script used more than {o.CodeMemoryBytes / 1_048_576} MB");
        }
        catch (TimeoutException)
        {
            throw new ScriptException($"the script ran longer than {o.CodeTimeout.TotalMilliseconds:0} ms");
        }
        catch (Jint.Runtime.StatementsCountOverflowException)
        {
            throw new ScriptException($"the script ran more than {o.CodeMaxStatements} statements");
        }
        catch (Jint.Runtime.RecursionDepthOverflowException)
        {
            throw new ScriptException($"the script recursed deeper than {o.CodeMaxRecursion} calls");
        }
        catch (Jint.Runtime.JavaScriptException e)
        {
            throw new ScriptException("the script threw: " + e.Message);
        }
        catch (Exception e) when (e is Jint.JintException or InvalidOperationException or ArgumentException)
        {
            throw new ScriptException("the script failed: " + e.Message);
        }
    }
}

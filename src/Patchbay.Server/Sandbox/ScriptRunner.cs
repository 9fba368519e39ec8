using Jint;
using Jint.Native;
using Jint.Native.Object;

namespace Patchbay.Sandbox;

// The limits a script runs under, passed to the sandbox process on its command line.
public sealed record ScriptLimits(
    TimeSpan Timeout, int MaxStatements, int MaxRecursion, uint MaxArraySize, int MaxOutputBytes, long MemoryBytes)
{
    // Nesting of a script's result (objects and arrays). The result is stored inside the execution's state, which
    // System.Text.Json reads with its default depth of 64, so a result stays well below it.
    public const int MaxOutputDepth = 48;

    // Values a result may hold in all, so that a result that shares sub-objects (a DAG) cannot make its check or its
    // serialization exponential.
    public const int MaxOutputValues = 1_000_000;

    public string[] ToArgs() =>
    [
        $"timeout-ms={(long)Timeout.TotalMilliseconds}", $"statements={MaxStatements}", $"recursion={MaxRecursion}",
        $"array={MaxArraySize}", $"output={MaxOutputBytes}", $"memory={MemoryBytes}",
    ];

    public static ScriptLimits Parse(IEnumerable<string> args)
    {
        var map = args.Select(a => a.Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => long.Parse(p[1], System.Globalization.CultureInfo.InvariantCulture));
        return new(TimeSpan.FromMilliseconds(map["timeout-ms"]), (int)map["statements"], (int)map["recursion"], (uint)map["array"], (int)map["output"], map["memory"]);
    }

    public string TimeMessage => $"the script ran longer than {Timeout.TotalMilliseconds:0} ms";
    public string MemoryMessage => $"the script used more than {MemoryBytes / 1_048_576} MB";
}

// Runs one script in a fresh Jint engine with no host access (no CLR interop, no require, no timers, no network,
// no eval, no blocking Atomics.wait). The script sees `input` as plain JSON; its return value, made JSON, is the
// answer. This runs inside the sandbox process (SandboxProcess), never in the server: whatever a script does to
// this process (a native stack overflow, an allocation the runtime cannot satisfy) ends this process only.
public sealed class ScriptRunner(ScriptLimits limits)
{
    readonly Dictionary<string, Prepared<Acornima.Ast.Script>> scripts = new(StringComparer.Ordinal);

    public sealed class ScriptException(string message) : Exception(message);

    public static string Wrap(string body) =>
        "(function (input) { \"use strict\"; const payload = input.payload; const nodes = input.nodes; const loop = input.loop;\n" + body + "\n})(__input)";

    // A syntax error in a script, for validation on save; null when it parses. Acornima checks its own stack while
    // it parses, so deeply nested source fails here with a message, not a crash.
    public static string? SyntaxError(string body)
    {
        try
        {
            Engine.PrepareScript(Wrap(body));
            return null;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return "JavaScript syntax error: " + e.Message;
        }
    }

    // The result as JSON text, or null when the script returned undefined.
    public string? Run(string body, string inputJson)
    {
        if (!scripts.TryGetValue(body, out var script))
        {
            if (scripts.Count >= 1_000) scripts.Clear(); // a bound, not a policy: one process sees few scripts
            scripts[body] = script = Engine.PrepareScript(Wrap(body));
        }
        var engine = new Engine(cfg =>
        {
            cfg.Strict()
                .DisableStringCompilation()
                .TimeoutInterval(limits.Timeout)
                .MaxStatements(limits.MaxStatements)
                .LimitRecursion(limits.MaxRecursion);
            cfg.Constraints.MaxArraySize = limits.MaxArraySize;
            cfg.Constraints.RegexTimeout = limits.Timeout;
            cfg.Constraints.StackOverflowGuard = true;
            cfg.AgentCanSuspend = false; // Atomics.wait throws instead of blocking
            cfg.Json.MaxParseDepth = 256;
        });
        try
        {
            engine.SetValue("__input", new Jint.Native.Json.JsonParser(engine).Parse(inputJson));
            var result = engine.Evaluate(script);
            if (result.IsUndefined()) return null;
            var budget = ScriptLimits.MaxOutputValues;
            CheckShape(result, 0, ref budget);
            var text = new Jint.Native.Json.JsonSerializer(engine).Serialize(result);
            if (text.IsUndefined()) return null;
            var json = text.AsString();
            if (System.Text.Encoding.UTF8.GetByteCount(json) > limits.MaxOutputBytes)
                throw new ScriptException($"the script's result is larger than {limits.MaxOutputBytes} bytes");
            return json;
        }
        catch (OutOfMemoryException)
        {
            throw new ScriptException(limits.MemoryMessage);
        }
        catch (System.Text.RegularExpressions.RegexMatchTimeoutException)
        {
            throw new ScriptException(limits.TimeMessage + " (in a regular expression)");
        }
        catch (TimeoutException)
        {
            throw new ScriptException(limits.TimeMessage);
        }
        catch (Jint.Runtime.StatementsCountOverflowException)
        {
            throw new ScriptException($"the script ran more than {limits.MaxStatements} statements");
        }
        catch (Jint.Runtime.RecursionDepthOverflowException)
        {
            throw new ScriptException($"the script recursed deeper than {limits.MaxRecursion} calls");
        }
        catch (Jint.Runtime.JavaScriptException e) when (e.Message.Contains("Maximum call stack size exceeded", StringComparison.Ordinal))
        {
            throw new ScriptException("the script nested values or calls too deeply (maximum call stack size exceeded)");
        }
        catch (Jint.Runtime.JavaScriptException e)
        {
            throw new ScriptException("the script threw: " + e.Message);
        }
        catch (InsufficientExecutionStackException)
        {
            throw new ScriptException("the script nested values or calls too deeply");
        }
        catch (Exception e) when (e is JintException or InvalidOperationException or ArgumentException)
        {
            throw new ScriptException("the script failed: " + e.Message);
        }
    }

    // The result must nest at most MaxOutputDepth deep and hold at most MaxOutputValues values in all (shared
    // sub-objects count each time they are reached, as JSON.stringify would write them out each time).
    static void CheckShape(JsValue value, int depth, ref int budget)
    {
        if (--budget < 0)
            throw new ScriptException($"the script's result has more than {ScriptLimits.MaxOutputValues} values");
        if (value is not ObjectInstance obj || value is JsDate) return;
        if (value is Jint.Native.Function.Function) return;
        if (depth >= ScriptLimits.MaxOutputDepth)
            throw new ScriptException($"the script's result is nested deeper than {ScriptLimits.MaxOutputDepth} levels");
        foreach (var key in obj.GetOwnPropertyKeys(Jint.Runtime.Types.String))
        {
            var descriptor = obj.GetOwnProperty(key);
            if (!descriptor.Enumerable) continue;
            CheckShape(obj.Get(key), depth + 1, ref budget);
        }
    }
}

namespace Patchbay.Sandbox;

// The sandbox process: `Patchbay.Server sandbox <limits>`, started by the server (CodeSandbox), never by hand. It
// reads scripts from standard input, runs them one at a time and answers on standard output. It has no
// configuration, no database, no keys and an empty environment; its heap is capped by the runtime
// (DOTNET_GCHeapHardLimit), and the server kills it when a script overruns its time. It exits when the server closes
// its input, so it never outlives the server.
public static class SandboxProcess
{
    public static int Run(string[] args)
    {
        var limits = ScriptLimits.Parse(args);
        var runner = new ScriptRunner(limits);
        var input = Console.OpenStandardInput();
        var output = Console.OpenStandardOutput();

        // A watchdog of its own, in case the server is gone or slow to kill: a script that runs past its time plus a
        // margin ends the process.
        var started = 0L;
        using var watchdog = new Timer(_ =>
        {
            var since = Interlocked.Read(ref started);
            if (since != 0 && Environment.TickCount64 - since > limits.Timeout.TotalMilliseconds + 2_000) Environment.Exit(3);
        }, null, 500, 500);

        // One thread with a large stack runs every script: deep native recursion inside the interpreter is guarded,
        // and the large stack makes the guard's margin generous; a crash that still gets through ends this process,
        // not the server.
        var thread = new Thread(() =>
        {
            RunOne(runner, "return [payload, typeof nodes];", """{"payload":{"warm":true}}"""); // load and compile the interpreter
            output.Write([SandboxProtocol.Ready]);
            output.Flush();
            while (SandboxProtocol.ReadRequestAsync(input).GetAwaiter().GetResult() is { } request)
            {
                Interlocked.Exchange(ref started, Environment.TickCount64);
                var (kind, text) = RunOne(runner, request.Script, request.Input);
                Interlocked.Exchange(ref started, 0);
                SandboxProtocol.WriteResponseAsync(output, kind, text).GetAwaiter().GetResult();
            }
        }, 64 * 1024 * 1024);
        thread.Start();
        thread.Join();
        return 0;
    }

    static (byte Kind, string? Text) RunOne(ScriptRunner runner, string script, string input)
    {
        try
        {
            return runner.Run(script, input) is { } result ? (SandboxProtocol.Ok, result) : (SandboxProtocol.Undefined, null);
        }
        catch (ScriptRunner.ScriptException e)
        {
            return (SandboxProtocol.Error, e.Message);
        }
        catch (Exception e)
        {
            return (SandboxProtocol.Error, "the script failed: " + e.GetType().Name);
        }
    }
}

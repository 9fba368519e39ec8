using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;

namespace Patchbay.Sandbox;

// Runs workflow code (code nodes, condition expressions) outside the server's process: a small pool of sandbox
// processes (SandboxProcess), each running one script at a time in Jint, at a lower CPU priority than the server,
// with a capped heap and an empty environment. Whatever a script does (an endless loop inside one statement, a
// stack overflow the runtime cannot catch, an allocation of gigabytes) costs at most its own sandbox process, which
// the server kills on overrun and replaces: the server and the other executions carry on.
public sealed partial class CodeSandbox : IDisposable
{
    // Heap the runtime of a sandbox process needs besides the script's own allocations (the interpreter, its
    // parsed scripts, the frames): the process's heap cap is CodeMemoryBytes plus this.
    public const long RuntimeHeadroomBytes = 48L * 1024 * 1024;

    // How long past the script's time limit the server waits for an answer before it kills the process. The
    // interpreter stops a script between statements itself; this catches everything that runs inside one.
    static readonly TimeSpan KillMargin = TimeSpan.FromMilliseconds(250);

    readonly SandboxOptions options;
    readonly ILogger<CodeSandbox> logger;
    readonly ScriptLimits limits;
    readonly SemaphoreSlim slots;
    readonly ConcurrentBag<Child> idle = [];
    readonly ConcurrentDictionary<Child, byte> all = new();
    volatile bool disposed;

    public CodeSandbox(IOptions<SandboxOptions> options, ILogger<CodeSandbox> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        this.options = options.Value;
        this.logger = logger;
        var o = this.options;
        limits = new ScriptLimits(o.CodeTimeout, o.CodeMaxStatements, o.CodeMaxRecursion, (uint)o.CodeMaxArraySize, o.CodeMaxOutputBytes, o.CodeMemoryBytes);
        slots = new SemaphoreSlim(Math.Max(1, o.CodeWorkers));
    }

    public sealed class ScriptException(string message) : Exception(message);

    // A syntax error in a node's code, for validation on save; null when it parses.
    public static string? SyntaxError(string body) => ScriptRunner.SyntaxError(body);

    public async Task<JsonNode?> RunAsync(string body, JsonNode input, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(body);
        ArgumentNullException.ThrowIfNull(input);
        var inputJson = input.ToJsonString();
        await slots.WaitAsync(ct);
        Child? child = null;
        var keep = false;
        try
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            while (idle.TryTake(out var warm))
            {
                if (!warm.Exited)
                {
                    child = warm;
                    break;
                }
                Retire(warm); // died while idle (killed from outside, or its own watchdog)
            }
            child ??= await StartAsync(ct);
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
            deadline.CancelAfter(limits.Timeout + KillMargin);
            (byte Kind, string Text)? answer;
            try
            {
                await SandboxProtocol.WriteRequestAsync(child.Input, body, inputJson, deadline.Token);
                answer = await SandboxProtocol.ReadResponseAsync(child.Output, deadline.Token);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                throw new ScriptException(limits.TimeMessage);
            }
            catch (IOException)
            {
                answer = null; // the process died while we wrote or read
            }
            if (answer is not { } a) throw new ScriptException(await child.DeathMessageAsync(limits));
            if (a.Kind == SandboxProtocol.Error)
            {
                keep = !a.Text.Equals(limits.MemoryMessage, StringComparison.Ordinal); // a fresh heap after an OOM
                throw new ScriptException(a.Text);
            }
            keep = true;
            return a.Kind == SandboxProtocol.Undefined ? null : JsonNode.Parse(a.Text);
        }
        finally
        {
            if (child is not null)
            {
                if (keep && !disposed) idle.Add(child);
                else Retire(child);
            }
            slots.Release();
        }
    }

    // A started process has a minute to warm up (a busy machine, a cold disk) before it counts as broken.
    static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    async Task<Child> StartAsync(CancellationToken ct)
    {
        var child = Start();
        var ready = new byte[1];
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(ct);
        wait.CancelAfter(StartTimeout);
        int read;
        try { read = await child.Output.ReadAtLeastAsync(ready, 1, throwOnEndOfStream: false, wait.Token); }
        catch (Exception e) when (e is OperationCanceledException or IOException)
        {
            Retire(child);
            if (ct.IsCancellationRequested) throw;
            read = 0;
        }
        if (read == 1 && ready[0] == SandboxProtocol.Ready) return child;
        await child.DeathMessageAsync(limits);
        Retire(child);
        LogStartFailed(logger, child.ErrorText);
        throw new ScriptException("the code sandbox could not start; see the server's log");
    }

    Child Start()
    {
        var (file, prefix) = Command();
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        foreach (var arg in prefix) start.ArgumentList.Add(arg);
        start.ArgumentList.Add("sandbox");
        foreach (var arg in limits.ToArgs()) start.ArgumentList.Add(arg);
        // Nothing of the server's environment (connection strings, master key, tokens) reaches a sandbox.
        start.Environment.Clear();
        start.Environment["DOTNET_gcServer"] = "0";
        start.Environment["DOTNET_GCHeapHardLimit"] = (limits.MemoryBytes + RuntimeHeadroomBytes).ToString("X", System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["DOTNET_EnableDiagnostics"] = "0";
        start.Environment["DOTNET_TieredPGO"] = "0";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";

        var process = Process.Start(start) ?? throw new InvalidOperationException("the sandbox process did not start");
        try { process.PriorityClass = ProcessPriorityClass.BelowNormal; }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException or PlatformNotSupportedException)
        {
            LogPriority(logger, e.Message);
        }
        var child = new Child(process);
        all[child] = 0;
        return child;
    }

    void Retire(Child child)
    {
        all.TryRemove(child, out _);
        child.Dispose();
    }

    // The dotnet host running this server, to start this same assembly as a sandbox; a self-contained server starts
    // its own executable.
    static (string File, string[] Prefix) Command()
    {
        var assembly = typeof(CodeSandbox).Assembly.Location;
        var runtime = RuntimeEnvironment.GetRuntimeDirectory(); // <root>/shared/Microsoft.NETCore.App/<version>/
        var root = Path.GetFullPath(Path.Combine(runtime, "..", "..", ".."));
        var muxer = Path.Combine(root, OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet");
        if (File.Exists(muxer) && assembly.Length > 0) return (muxer, ["exec", assembly]);
        return (Environment.ProcessPath ?? throw new InvalidOperationException("cannot find the dotnet host for the sandbox"), []);
    }

    // The sandbox processes running now (for operators and tests).
    public IReadOnlyList<int> ProcessIds => all.Keys.Where(c => !c.Exited).Select(c => c.Id).ToList();

    public void Dispose()
    {
        disposed = true;
        foreach (var child in all.Keys) Retire(child);
        slots.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "A code sandbox process did not start: {Reason}")]
    static partial void LogStartFailed(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not lower the sandbox process's priority: {Reason}")]
    static partial void LogPriority(ILogger logger, string reason);

    sealed class Child : IDisposable
    {
        readonly Process process;
        readonly StringBuilder errors = new();

        public Child(Process process)
        {
            this.process = process;
            Input = process.StandardInput.BaseStream;
            Output = process.StandardOutput.BaseStream;
            // What the runtime writes when it dies ("Stack overflow.", an out-of-memory report), kept short.
            process.ErrorDataReceived += (_, e) =>
            {
                if (e.Data is null) return;
                lock (errors) if (errors.Length < 4096) errors.AppendLine(e.Data);
            };
            process.BeginErrorReadLine();
        }

        public Stream Input { get; }
        public Stream Output { get; }
        public bool Exited => process.HasExited;
        public int Id => process.Id;

        public string ErrorText
        {
            get { lock (errors) return errors.ToString(); }
        }

        public async Task<string> DeathMessageAsync(ScriptLimits limits)
        {
            using (var wait = new CancellationTokenSource(TimeSpan.FromSeconds(2)))
            {
                try { await process.WaitForExitAsync(wait.Token); }
                catch (OperationCanceledException) { }
            }
            string text;
            lock (errors) text = errors.ToString();
            if (text.Contains("Stack overflow", StringComparison.OrdinalIgnoreCase))
                return "the script nested values or calls too deeply (its sandbox ran out of stack)";
            if (text.Contains("OutOfMemory", StringComparison.OrdinalIgnoreCase) || text.Contains("out of memory", StringComparison.OrdinalIgnoreCase))
                return limits.MemoryMessage;
            return process.HasExited && process.ExitCode == 3
                ? limits.TimeMessage
                : "the script ended its sandbox process unexpectedly";
        }

        public void Dispose()
        {
            try
            {
                if (!process.HasExited) process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException) { }
            catch (System.ComponentModel.Win32Exception) { }
            process.Dispose();
        }
    }
}

using System.Diagnostics;
using System.Text;
using Patchbay.Tests.Apps;
using Xunit;

namespace Patchbay.Tests.Infrastructure;

// The built server (dotnet Patchbay.Server.dll) as its own process: a start that must fail, a command run to its end,
// or a server left running. Patchbay settings and URLs inherited from the test process are removed; the test gives its own.
public sealed class ServerProcess : IAsyncDisposable
{
    readonly Process process;
    readonly StringBuilder stdout = new();
    readonly StringBuilder stderr = new();

    public sealed record Result(int ExitCode, string Stdout, string Stderr)
    {
        public string Output => Stdout + Stderr;
    }

    readonly string[] args;

    ServerProcess(IEnumerable<string> args, IDictionary<string, string> environment, string? workingDirectory)
    {
        this.args = [.. args];
        var bin = BinDirectory;
        var info = new ProcessStartInfo("dotnet") { WorkingDirectory = workingDirectory ?? bin, RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(Path.Combine(bin, "Patchbay.Server.dll"));
        foreach (var arg in this.args) info.ArgumentList.Add(arg);
        foreach (var inherited in info.Environment.Keys.Where(k => k.StartsWith("Patchbay__", StringComparison.OrdinalIgnoreCase)
                     || k.StartsWith("Logging__", StringComparison.OrdinalIgnoreCase) || k.EndsWith("_CONTENTROOT", StringComparison.OrdinalIgnoreCase)
                     || k.Equals("ASPNETCORE_URLS", StringComparison.OrdinalIgnoreCase) || k.Equals("DOTNET_URLS", StringComparison.OrdinalIgnoreCase)
                     || k.Equals("URLS", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            info.Environment.Remove(inherited);
        }
        foreach (var (k, v) in environment) info.Environment[k] = v;
        process = Process.Start(info)!;
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (stdout) stdout.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (stderr) stderr.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public static string BinDirectory => Path.Combine(SdkCompatibilityTests.RepositoryRoot(), "src", "Patchbay.Server", "bin",
        AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug", "net10.0");

    public string Output
    {
        get
        {
            lock (stdout) lock (stderr) return stdout.ToString() + stderr;
        }
    }

    public (string Stdout, string Stderr) Streams
    {
        get
        {
            lock (stdout) lock (stderr) return (stdout.ToString(), stderr.ToString());
        }
    }

    public bool HasExited => process.HasExited;

    public int ProcessId => process.Id;

    // SIGTERM without waiting (a test that watches what the server does while it drains).
    public void Terminate()
    {
        if (!process.HasExited) Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!.WaitForExit();
    }

    // SIGKILL: no shutdown, no drain, leases left behind.
    public void KillHard()
    {
        if (process.HasExited) return;
        process.Kill();
        process.WaitForExit();
    }

    public Task WaitForExitAsync(CancellationToken ct) => process.WaitForExitAsync(ct);

    // A server left running (disposing it kills it), started in the server's bin folder unless told another.
    public static ServerProcess Start(IEnumerable<string> args, IDictionary<string, string> environment, string? workingDirectory = null)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(environment);
        return new(args, environment, workingDirectory);
    }

    // Stops a running server the way a service manager does (SIGTERM), and waits until it has exited and its output
    // has been read to the end.
    public async Task StopAsync()
    {
        if (!process.HasExited) Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!.WaitForExit();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        deadline.CancelAfter(TimeSpan.FromMinutes(3)); // bounds a hung shutdown; the server drains for at most 30 s
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"The server did not stop in time:\n{Output}");
        }
        process.WaitForExit(); // the output streams are drained
    }

    // A start or a command, to its exit.
    public static async Task<Result> RunAsync(IEnumerable<string> args, IDictionary<string, string> environment, TimeSpan? timeout = null)
    {
        await using var server = Start(args, environment);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        deadline.CancelAfter(timeout ?? TimeSpan.FromMinutes(3)); // bounds a hung process; a busy machine starts slowly
        try
        {
            await server.process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"The server did not exit in time:\n{server.Output}");
        }
        server.process.WaitForExit(); // the output streams are drained
        lock (server.stdout) lock (server.stderr) return new(server.process.ExitCode, server.stdout.ToString(), server.stderr.ToString());
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
        }
        process.Dispose();
        // What the process printed, in the test's output (shown when the test fails), not on the console.
        try
        {
            TestContext.Current.TestOutputHelper?.WriteLine($"[server process {string.Join(' ', args)}]{Environment.NewLine}{Output}");
        }
        catch (InvalidOperationException) { } // no test is running
    }
}

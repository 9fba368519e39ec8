using System.Diagnostics;
using Patchbay.Tests.Apps;
using Xunit;

namespace Patchbay.Tests.Infrastructure;

// The browser tests' Node scripts in tests/browser (playwright-core driving Debian's headless Chromium): what they need
// is checked first, then a script runs with a time limit and passes only with exit code 0 and its number of "ok" steps.
public static class BrowserScript
{
    public static string Folder { get; } = Path.Combine(SdkCompatibilityTests.RepositoryRoot(), "tests", "browser");

    public static void AssertInstalled()
    {
        Assert.True(Directory.Exists(Path.Combine(Folder, "node_modules", "playwright-core")),
            $"playwright-core is not installed: run `npm ci` in {Folder} (./test.sh does).");
        Assert.True(File.Exists("/usr/bin/chromium"), "Chromium is not installed: apt-get install chromium chromium-driver (./test.sh does).");
    }

    // Where a script run against this app writes its screenshots (one folder per database).
    public static string Screenshots(PatchbayApp app) => Path.Combine(Folder, "screenshots", app.Provider.ToString().ToLowerInvariant());

    // Runs the script to its end and returns what it printed. `whileRunning`, when given, is called every 250 ms until
    // then (a test driving the server's workers for what the browser starts).
    public static async Task<string> RunAsync(string script, IEnumerable<string> args, int okSteps, TimeSpan limit, CancellationToken ct,
        Func<Task>? whileRunning = null)
    {
        var info = new ProcessStartInfo("node") { WorkingDirectory = Folder, RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(script);
        foreach (var arg in args) info.ArgumentList.Add(arg);
        using var node = Process.Start(info)!;
        var output = node.StandardOutput.ReadToEndAsync(ct);
        var errors = node.StandardError.ReadToEndAsync(ct);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(limit);
        try
        {
            while (!node.HasExited)
            {
                if (whileRunning is not null) await whileRunning();
                await Task.WhenAny(node.WaitForExitAsync(timeout.Token), Task.Delay(whileRunning is null ? limit : TimeSpan.FromMilliseconds(250), timeout.Token));
                timeout.Token.ThrowIfCancellationRequested();
            }
        }
        catch (OperationCanceledException)
        {
            node.Kill(entireProcessTree: true);
            throw;
        }
        var text = await output + await errors;
        Assert.True(node.ExitCode == 0, text);
        Assert.Equal(okSteps, text.Split('\n').Count(l => l.StartsWith("ok ", StringComparison.Ordinal)));
        return text;
    }
}

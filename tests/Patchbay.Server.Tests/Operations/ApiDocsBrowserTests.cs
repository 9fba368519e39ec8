using System.Diagnostics;
using Patchbay.Tests.Apps;
using Patchbay.Tests.Infrastructure;
using Xunit;

namespace Patchbay.Tests.Operations;

// The API reference (/docs) in Debian's headless Chromium, driven by tests/browser/api-docs.mjs: the served
// document's operations render, a linked-account route shows its header and authentication, no hosted-service
// button (deploy, SDK generation, AI, sharing) is shown, and nothing is loaded from another host.
public abstract class ApiDocsBrowserTests(PatchbayApp app)
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Docs_InChromium_RenderOfflineWithoutHostedServiceButtons()
    {
        var folder = Path.Combine(SdkCompatibilityTests.RepositoryRoot(), "tests", "browser");
        Assert.True(Directory.Exists(Path.Combine(folder, "node_modules", "playwright-core")),
            $"playwright-core is not installed: run `npm ci` in {folder} (./test.sh does).");
        Assert.True(File.Exists("/usr/bin/chromium"), "Chromium is not installed: apt-get install chromium chromium-driver (./test.sh does).");

        var shots = Path.Combine(folder, "screenshots", app.Provider.ToString().ToLowerInvariant());
        var info = new ProcessStartInfo("node") { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in (string[])["api-docs.mjs", app.BaseAddress, shots]) info.ArgumentList.Add(arg);
        using var node = Process.Start(info)!;
        var output = node.StandardOutput.ReadToEndAsync(Ct);
        var errors = node.StandardError.ReadToEndAsync(Ct);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(TimeSpan.FromMinutes(2));
        try
        {
            await node.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            node.Kill(entireProcessTree: true);
            throw;
        }
        var text = await output + await errors;
        Assert.True(node.ExitCode == 0, text);
        Assert.Equal(4, text.Split('\n').Count(l => l.StartsWith("ok ", StringComparison.Ordinal)));
    }
}

public sealed class SqliteApiDocsBrowserTests(SqliteApp<KestrelOptions> app) : ApiDocsBrowserTests(app), IClassFixture<SqliteApp<KestrelOptions>>;
public sealed class PostgresApiDocsBrowserTests(PostgresApp<KestrelOptions> app) : ApiDocsBrowserTests(app), IClassFixture<PostgresApp<KestrelOptions>>;

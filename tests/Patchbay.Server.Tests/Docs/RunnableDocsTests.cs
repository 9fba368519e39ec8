using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using Patchbay.Tests.Apps;
using Patchbay.Tests.Infrastructure;
using Xunit;

namespace Patchbay.Tests.Docs;

// The worked examples of the guides, run as a reader pastes them: every ```bash block of each file, in order, by bash
// (with curl and jq), against the real server process started fresh with the test key the guides show. Provider
// calls go to the fake provider on loopback. The only change made to the text is the address: the server listens on a
// free port instead of 8080. Each `# {…}` comment line in a block is the output the reader should see (… matches
// anything on the line); they must appear in that order, and no error the guide does not show may appear.
public abstract partial class RunnableDocsTests
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    // The test key the guides use; the server is started with it as its bootstrap key, as a reader's prints its own.
    public const string DocumentedKey = "tk7c20c2b4-aec8-45a3-a872-99152a300ad5";

    public static readonly string[] Guides =
        ["docs/connecting-apps.md", "docs/workflows.md", "docs/hosted-connect.md", "docs/human-tasks.md", "docs/audit.md", "docs/actions.md", "docs/mcp.md",
            "docs/configs.md", "docs/environment-variables.md"];

    protected abstract Task<Dictionary<string, string>> DatabaseAsync(string dataDirectory);

    protected abstract Task DropAsync();

    [Fact]
    public async Task WorkedExamples_RunAsPasted_AndPrintWhatTheGuidesShow()
    {
        foreach (var tool in (string[])["bash", "curl", "jq"])
            Assert.True(OnPath(tool), $"{tool} is not installed (./test.sh installs curl and jq from Debian's packages)");

        await using var fake = await FakeProvider.StartAsync();
        var port = FreePort();
        var data = Path.Combine(Path.GetTempPath(), "patchbay-docs", Guid.NewGuid().ToString("N"), "data");
        var environment = await DatabaseAsync(data);
        environment["Urls"] = $"http://127.0.0.1:{port}";
        environment["Patchbay__DataDirectory"] = data;
        environment["Patchbay__Bootstrap__TestApiKey"] = DocumentedKey;
        environment["Patchbay__Egress__AllowedNetworks__0"] = "127.0.0.0/8";
        foreach (var slug in (string[])["stripe", "netsuite", "hubspot"])
            environment[$"Patchbay__Apps__Overrides__{slug}__BaseUrl"] = fake.BaseUrl;
        try
        {
            await using var server = ServerProcess.Start([], environment);
            await WaitForReadyAsync(server, port);
            foreach (var guide in Guides)
            {
                // A reader pastes one guide at a time, not four within a second: the key's rate limit (20 requests a
                // second, bursts of 5, as Refold's) refills fully in a quarter of a second, so let it before each one.
                await Task.Delay(TimeSpan.FromSeconds(1), Ct);
                var script = Script(guide);
                var run = await RunBashAsync(script.Text.Replace("localhost:8080", $"127.0.0.1:{port}", StringComparison.Ordinal));
                var context = $"{guide}: the examples exited {run.ExitCode}.\n--- stdout\n{run.Stdout}\n--- stderr\n{run.Stderr}\n--- server\n{server.Output}";
                Assert.False(run.Stdout.Contains("TOO_MANY_REQUESTS", StringComparison.Ordinal), "Rate limited (429): " + context);
                Assert.True(run.ExitCode == 0, context);
                AssertPrinted(script.Expected.Select(e => e.Replace("localhost:8080", $"127.0.0.1:{port}", StringComparison.Ordinal)).ToList(), run.Stdout, context);
            }
        }
        finally
        {
            await DropAsync();
            try { Directory.Delete(Path.GetDirectoryName(data)!, recursive: true); }
            catch (DirectoryNotFoundException) { }
        }
    }

    // The expected outputs must appear in the output in order, and errors only where an expected output shows one.
    internal static void AssertPrinted(IReadOnlyList<string> expected, string stdout, string context)
    {
        var at = 0;
        foreach (var line in expected)
        {
            var pattern = new Regex(string.Join("[^\n]*?", line.Split('…').Select(Regex.Escape)), RegexOptions.None, TimeSpan.FromSeconds(5));
            var match = pattern.Match(stdout, at);
            Assert.True(match.Success, $"Expected, after offset {at}: {line}\n{context}");
            at = match.Index + match.Length;
        }
        var errors = Regex.Count(stdout, "\"http_error_type\"");
        var shown = expected.Sum(e => Regex.Count(e, "\"http_error_type\""));
        Assert.True(errors == shown, $"{errors} error answers printed, the guide shows {shown}\n{context}");
    }

    public sealed record GuideScript(string Text, IReadOnlyList<string> Expected, int Blocks);

    public static GuideScript Script(string guide)
    {
        var markdown = File.ReadAllText(Path.Combine(SdkCompatibilityTests.RepositoryRoot(), guide));
        var blocks = BashBlock().Matches(markdown).Select(m => m.Groups[1].Value).ToList();
        var expected = blocks.SelectMany(b => b.Split('\n'))
            .Select(l => l.Trim())
            .Where(l => l.StartsWith("# {", StringComparison.Ordinal) || l.StartsWith("# [", StringComparison.Ordinal) || l.StartsWith("# \"", StringComparison.Ordinal))
            .Select(l => l[2..])
            .ToList();
        return new(string.Join("\n", blocks), expected, blocks.Count);
    }

    static async Task<(int ExitCode, string Stdout, string Stderr)> RunBashAsync(string script)
    {
        var info = new ProcessStartInfo("bash")
        {
            WorkingDirectory = SdkCompatibilityTests.RepositoryRoot(),
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true,
        };
        info.ArgumentList.Add("-s");
        // The server is on loopback: a proxy configured for the machine must not stand in between.
        foreach (var proxy in info.Environment.Keys.Where(k => k.EndsWith("_proxy", StringComparison.OrdinalIgnoreCase)).ToList())
            info.Environment.Remove(proxy);
        using var bash = Process.Start(info)!;
        var stdout = bash.StandardOutput.ReadToEndAsync(Ct);
        var stderr = bash.StandardError.ReadToEndAsync(Ct);
        // -e and pipefail: a failing command (curl unable to connect, jq given an error page) stops the run.
        await bash.StandardInput.WriteAsync("set -euo pipefail\n" + script + "\n");
        bash.StandardInput.Close();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        deadline.CancelAfter(TimeSpan.FromSeconds(120));
        try
        {
            await bash.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            bash.Kill(entireProcessTree: true);
            throw;
        }
        return (bash.ExitCode, await stdout, await stderr);
    }

    static async Task WaitForReadyAsync(ServerProcess server, int port)
    {
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        // As the other server-process tests: a first start on a loaded machine (migrations, JIT) can be slow.
        var deadline = DateTime.UtcNow.AddSeconds(180);
        while (DateTime.UtcNow < deadline)
        {
            Assert.False(server.HasExited, "The server exited:\n" + server.Output);
            try
            {
                if ((await http.GetAsync("/readyz", Ct)).IsSuccessStatusCode) return;
            }
            catch (HttpRequestException) { }
            await Task.Delay(100, Ct);
        }
        Assert.Fail("The server never became ready:\n" + server.Output);
    }

    static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    static bool OnPath(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Any(dir => File.Exists(Path.Combine(dir, tool)));

    [GeneratedRegex(@"^```bash\n(.*?)^```", RegexOptions.Singleline | RegexOptions.Multiline)]
    private static partial Regex BashBlock();

    // What a reader would have to replace by hand before the block runs (a variable never set fails the run: set -u).
    [GeneratedRegex(@"<[a-z_]+>|\bYOUR_[A-Z_]+\b|tk…")]
    internal static partial Regex Placeholder();
}

// The guides keep to the conventions the runner relies on (once, not per database).
public sealed class RunnableDocsConventionsTests
{
    [Fact]
    public void Guides_ShowRunnableBlocks_WithTheTestKeyAndExpectedOutputs()
    {
        foreach (var guide in RunnableDocsTests.Guides)
        {
            var script = RunnableDocsTests.Script(guide);
            Assert.True(script.Blocks >= 1, $"{guide} has {script.Blocks} bash blocks");
            Assert.Contains($"KEY={RunnableDocsTests.DocumentedKey}", script.Text, StringComparison.Ordinal);
            Assert.True(script.Expected.Count >= 3, $"{guide} shows {script.Expected.Count} outputs");
            Assert.DoesNotMatch(RunnableDocsTests.Placeholder(), script.Text);
        }
    }

    // The output check itself: an output the guide shows but the run did not print, an output out of order, or an
    // error answer the guide does not show, each fails.
    [Fact]
    public void OutputCheck_FailsOnMissingReorderedOrUnshownErrors()
    {
        const string Printed = "{\"a\":1,\"id\":\"x1\"}{\"message\":\"ok\"}\n";
        RunnableDocsTests.AssertPrinted(["{\"a\":1,…}", "{\"message\":\"ok\"}"], Printed, "");
        Assert.ThrowsAny<Exception>(() => RunnableDocsTests.AssertPrinted(["{\"a\":2,…}"], Printed, ""));
        Assert.ThrowsAny<Exception>(() => RunnableDocsTests.AssertPrinted(["{\"message\":\"ok\"}", "{\"a\":1,…}"], Printed, ""));
        Assert.ThrowsAny<Exception>(() => RunnableDocsTests.AssertPrinted(["{\"a\":1…"],
            Printed + "{\"status_code\":404,\"http_error_type\":\"NOT_FOUND\"}", ""));
    }
}

public sealed class SqliteRunnableDocsTests : RunnableDocsTests
{
    protected override Task<Dictionary<string, string>> DatabaseAsync(string dataDirectory) =>
        Task.FromResult(new Dictionary<string, string> { ["Patchbay__Database__Provider"] = "Sqlite" });

    protected override Task DropAsync() => Task.CompletedTask;
}

public sealed class PostgresRunnableDocsTests(PostgresServer server) : RunnableDocsTests
{
    string? connectionString;

    protected override async Task<Dictionary<string, string>> DatabaseAsync(string dataDirectory)
    {
        connectionString = await server.CreateDatabaseAsync();
        return new Dictionary<string, string>
        {
            ["Patchbay__Database__Provider"] = "Postgres",
            ["Patchbay__Database__ConnectionString"] = connectionString,
        };
    }

    protected override async Task DropAsync()
    {
        if (connectionString is not null) await server.DropDatabaseAsync(connectionString);
    }
}

using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.RegularExpressions;
using Patchbay.Tests.Infrastructure;
using Xunit;

namespace Patchbay.Tests.Operations;

// The built server (dotnet Patchbay.Server.dll) started from another folder, as an operator or a service manager
// starts it: it reads the appsettings.json shipped beside it (its content root is its own folder, not the current one),
// its console log has the documented format (JSON when standard output is not a terminal, as here; `simple` at a
// terminal or when asked), and the data directory's default, ./data, is under the current folder.
public sealed partial class ShippedSettingsTests : IDisposable
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    // The folder the server is started from: empty, no appsettings.json.
    readonly string folder = Path.Combine(Path.GetTempPath(), "patchbay-elsewhere", Guid.NewGuid().ToString("N"));

    public ShippedSettingsTests() => Directory.CreateDirectory(folder);

    public void Dispose()
    {
        try { Directory.Delete(folder, recursive: true); }
        catch (IOException) { }
    }

    [GeneratedRegex(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")]
    private static partial Regex JsonTimestamp();

    // The simple format: the UTC timestamp, a space, the level, the category: one line per entry.
    [GeneratedRegex(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (trce|dbug|info|warn|fail|crit): \S+\[\d+\] ")]
    private static partial Regex SimpleLine();

    sealed record Run(string Address, string Stdout, string Stderr, string Secret);

    // Starts the server from the folder with a known test key, sends a request, a 404 and a hosted-page URL whose path
    // carries a bearer secret, stops it with SIGTERM and returns what it printed.
    async Task<Run> RunAsync(Dictionary<string, string> settings)
    {
        using var free = new TcpListener(IPAddress.Loopback, 0);
        free.Start();
        var address = $"http://127.0.0.1:{((IPEndPoint)free.LocalEndpoint).Port}";
        free.Stop();
        var key = "tk" + Guid.NewGuid().ToString("D");
        var environment = new Dictionary<string, string>
        {
            ["ASPNETCORE_URLS"] = address, // the standard variable: the shipped settings must not override it
            ["Patchbay__Database__Provider"] = "Sqlite",
            ["Patchbay__Vault__MasterKey"] = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)),
            ["Patchbay__Bootstrap__TestApiKey"] = key,
            ["Patchbay__Bootstrap__ProductionApiKey"] = "pk" + Guid.NewGuid().ToString("D"),
        };
        foreach (var (k, v) in settings) environment[k] = v;
        var secret = "eyJ" + Guid.NewGuid().ToString("N");
        await using var server = ServerProcess.Start([], environment, folder);
        using var http = new HttpClient { BaseAddress = new Uri(address) };
        http.DefaultRequestHeaders.Add("x-api-key", key);
        await WaitUntilReadyAsync(server, http);
        await ApiAssert.OkAsync(await http.GetAsync("/api/v2/public/linked-account", Ct));
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/api/v2/public/no-such-route", Ct)).StatusCode);
        await http.GetAsync($"/connect/{secret}", Ct);
        await server.StopAsync();
        var (stdout, stderr) = server.Streams;
        return new(address, stdout, stderr, secret);
    }

    static async Task WaitUntilReadyAsync(ServerProcess server, HttpClient http)
    {
        var deadline = DateTime.UtcNow.AddMinutes(3); // bounds a failing start; a busy machine starts slowly
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
        Assert.Fail("/readyz never answered 200:\n" + server.Output);
    }

    static List<JsonElement> JsonLines(Run run)
    {
        var lines = run.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.NotEmpty(lines);
        var entries = new List<JsonElement>();
        foreach (var line in lines)
        {
            try { entries.Add(JsonDocument.Parse(line).RootElement); }
            catch (JsonException) { Assert.Fail($"not a JSON log line: {line}\n{run.Stdout}"); }
        }
        return entries;
    }

    [Fact]
    public async Task StartedFromAnotherFolder_UsesTheShippedSettings_JsonLogs_NoRequestLogs_DataUnderTheCurrentFolder()
    {
        var run = await RunAsync([]);

        var entries = JsonLines(run);
        Assert.All(entries, e =>
        {
            Assert.Matches(JsonTimestamp(), e.GetProperty("Timestamp").GetString()!);
            Assert.False(string.IsNullOrEmpty(e.GetProperty("Category").GetString()), e.ToString());
            Assert.False(string.IsNullOrEmpty(e.GetProperty("LogLevel").GetString()), e.ToString());
        });
        Assert.Contains(entries, e => e.GetProperty("Category").GetString() == "Microsoft.Hosting.Lifetime"
            && e.GetProperty("Message").GetString() == $"Now listening on: {run.Address}");
        Assert.Contains(entries, e => e.GetProperty("Category").GetString() == "Patchbay.Operations.Startup"
            && e.GetProperty("LogLevel").GetString() == "Information");
        // appsettings.json quiets the framework to Warning: the three requests left no Information line of theirs.
        Assert.DoesNotContain(entries, e => e.GetProperty("Category").GetString()!.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal)
            && e.GetProperty("LogLevel").GetString() is "Information" or "Debug" or "Trace");
        Assert.DoesNotContain(run.Secret, run.Stdout + run.Stderr, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(folder, "data", "patchbay.db")), "the SQLite file is not in ./data of the current folder");
    }

    // Started at a terminal (under a pseudo-terminal from util-linux `script`, as a person runs it in a shell), with no
    // format set: the console log is the simple format, one readable line per entry, not JSON.
    [Fact]
    public async Task AtATerminal_TheConsoleLogIsTheSimpleFormat()
    {
        var script = new[] { "/usr/bin/script", "/bin/script" }.FirstOrDefault(File.Exists);
        Assert.True(script is not null, "`script` (util-linux; Debian's essential package bsdutils) is not installed: this test runs the server under a pseudo-terminal with it");
        using var free = new TcpListener(IPAddress.Loopback, 0);
        free.Start();
        var address = $"http://127.0.0.1:{((IPEndPoint)free.LocalEndpoint).Port}";
        free.Stop();

        // `script -qfec CMD /dev/null`: run CMD on a new pseudo-terminal, copy what it prints to our (redirected)
        // output, record nothing, and exit with CMD's code. SIGTERM to script reaches the server.
        var dll = Path.Combine(ServerProcess.BinDirectory, "Patchbay.Server.dll");
        var info = new System.Diagnostics.ProcessStartInfo(script)
        {
            WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true,
        };
        foreach (var arg in (string[])["-qfec", $"dotnet '{dll}'", "/dev/null"]) info.ArgumentList.Add(arg);
        foreach (var inherited in info.Environment.Keys.Where(k => k.StartsWith("Patchbay__", StringComparison.OrdinalIgnoreCase)
                     || k.StartsWith("Logging__", StringComparison.OrdinalIgnoreCase) || k.EndsWith("_URLS", StringComparison.OrdinalIgnoreCase)
                     || k.EndsWith("_CONTENTROOT", StringComparison.OrdinalIgnoreCase) || k.Equals("URLS", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            info.Environment.Remove(inherited);
        }
        info.Environment["ASPNETCORE_URLS"] = address;
        info.Environment["Patchbay__Database__Provider"] = "Sqlite";
        info.Environment["Patchbay__Vault__MasterKey"] = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        info.Environment["Patchbay__Bootstrap__TestApiKey"] = "tk" + Guid.NewGuid().ToString("D");
        info.Environment["Patchbay__Bootstrap__ProductionApiKey"] = "pk" + Guid.NewGuid().ToString("D");
        info.Environment["TERM"] = "xterm";

        var output = new System.Text.StringBuilder();
        using var process = System.Diagnostics.Process.Start(info)!;
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        string Printed() { lock (output) return output.ToString(); }
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri(address) };
            var deadline = DateTime.UtcNow.AddMinutes(3); // bounds a failing start; a busy machine starts slowly
            while (!Printed().Contains("Patchbay is ready", StringComparison.Ordinal))
            {
                Assert.False(process.HasExited, "The server exited:\n" + Printed());
                Assert.True(DateTime.UtcNow < deadline, "The server never said it was ready:\n" + Printed());
                await Task.Delay(100, Ct);
            }
            await ApiAssert.OkAsync(await http.GetAsync("/readyz", Ct));
        }
        finally
        {
            if (!process.HasExited) System.Diagnostics.Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!.WaitForExit();
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
            stop.CancelAfter(TimeSpan.FromMinutes(1));
            try { await process.WaitForExitAsync(stop.Token); }
            catch (OperationCanceledException) { process.Kill(entireProcessTree: true); }
            process.WaitForExit();
            TestContext.Current.TestOutputHelper?.WriteLine("[server under a pseudo-terminal]\n" + Printed());
        }

        // What a terminal shows, without its colour and mode sequences and carriage returns.
        var lines = AnsiSequence().Replace(Printed(), "").Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.True(lines.Length >= 3, "too few lines:\n" + Printed());
        Assert.DoesNotContain(lines, l => l.StartsWith('{'));
        foreach (var line in lines.Take(5)) Assert.Matches(SimpleLine(), line);
        Assert.Contains(lines, l => SimpleLine().IsMatch(l) && l.Contains(" info: Microsoft.Hosting.Lifetime[", StringComparison.Ordinal)
            && l.EndsWith("Now listening on: " + address, StringComparison.Ordinal));
        Assert.Contains(lines, l => SimpleLine().IsMatch(l) && l.Contains(" info: Patchbay.Operations.Startup[", StringComparison.Ordinal));
    }

    [GeneratedRegex(@"\x1B(\[[0-9;?]*[A-Za-z]|[=>])|\r")]
    private static partial Regex AnsiSequence();

    // An operator who turns the framework's request log on sees it in the format asked for, with the secret in the URL
    // redacted in both.
    [Theory]
    [InlineData("simple")]
    [InlineData("json")]
    public async Task RequestLogs_InTheFormatAskedFor_AreRedacted(string format)
    {
        var run = await RunAsync(new()
        {
            ["Logging__Console__FormatterName"] = format,
            ["Logging__LogLevel__Microsoft.AspNetCore"] = "Information",
            ["Patchbay__DataDirectory"] = Path.Combine(folder, "elsewhere"),
        });

        Assert.DoesNotContain(run.Secret, run.Stdout + run.Stderr, StringComparison.Ordinal);
        Assert.Contains("/connect/[redacted]", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("/api/v2/public/no-such-route", run.Stdout, StringComparison.Ordinal);
        if (format == "json")
        {
            Assert.Contains(JsonLines(run), e => e.GetProperty("Category").GetString() == "Microsoft.AspNetCore.Hosting.Diagnostics");
            return;
        }
        var lines = run.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Contains(lines, l => SimpleLine().IsMatch(l) && l.Contains(" info: Microsoft.AspNetCore.Hosting.Diagnostics[", StringComparison.Ordinal));
        Assert.Contains(lines, l => SimpleLine().IsMatch(l) && l.Contains(" info: Microsoft.Hosting.Lifetime[", StringComparison.Ordinal)
            && l.EndsWith("Now listening on: " + run.Address, StringComparison.Ordinal));
        Assert.All(lines.Where(l => !l.StartsWith("at ", StringComparison.Ordinal)), l => Assert.Matches(SimpleLine(), l));
        Assert.False(File.Exists(Path.Combine(folder, "data", "patchbay.db")), "Patchbay:DataDirectory was not used");
    }
}

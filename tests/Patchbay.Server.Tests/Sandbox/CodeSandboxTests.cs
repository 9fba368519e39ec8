using System.Diagnostics;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Patchbay.Sandbox;
using Xunit;

namespace Patchbay.Tests.Sandbox;

// The code sandbox alone (real sandbox processes, no database): every documented limit holds inside one statement,
// and a script that crashes its process costs only that process.
public sealed class CodeSandboxTests : IDisposable
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    readonly CodeSandbox sandbox = new(Options.Create(new SandboxOptions()), NullLogger<CodeSandbox>.Instance);

    // A minute per run: a snippet written to hit another limit (memory, nesting, output size) hits that one, not the
    // clock, however slow and busy the machine is.
    readonly CodeSandbox generous = new(Options.Create(new SandboxOptions { CodeTimeout = TimeSpan.FromMinutes(1) }), NullLogger<CodeSandbox>.Instance);

    public void Dispose()
    {
        sandbox.Dispose();
        generous.Dispose();
    }

    static JsonObject Input => new() { ["payload"] = new JsonObject { ["amount"] = 21 } };

    [Fact]
    public async Task Run_Snippet_ReturnsItsValueAsJson_UndefinedAsNull()
    {
        var result = await sandbox.RunAsync("return { total: payload.amount * 2, list: [1, 'a', null] };", Input, Ct);
        Assert.Equal("""{"total":42,"list":[1,"a",null]}""", result!.ToJsonString());
        Assert.Null(await sandbox.RunAsync("return undefined;", Input, Ct));
    }

    // The snippets a probe ran against the server. Before the sandbox ran in its own process, the first two killed
    // the server ("Stack overflow." in Jint's JSON serializer), the next three allocated past the memory limit inside
    // one statement, and the last two held a node for 10-20 s against the 2 s limit.
    public static TheoryData<string, string> Hostile => new()
    {
        { "let o = []; for (let i = 0; i < 100000; i++) o = [o]; return o;", "nested" },
        { "let o = []; for (let i = 0; i < 100000; i++) o = [o]; return JSON.stringify(o).length;", "too deeply|ran longer than 2000 ms" },
        { "let o = []; for (let i = 0; i < 100000; i++) o = [o]; return String(o).length;", "too deeply|ran longer than 2000 ms" },
        { "return 'x'.repeat(2 ** 27).length;", "MB" },
        { "return new ArrayBuffer(2 ** 29).byteLength;", "MB" },
        { "const s = '[' + '1,'.repeat(15000000) + '1]'; return JSON.parse(s).length;", "MB" },
        { "return Atomics.wait(new Int32Array(new SharedArrayBuffer(16)), 0, 0, 20000);", "Atomics.wait cannot be used" },
        { "return /(a+)+$/.test('a'.repeat(40) + 'b');", "ran longer than 2000 ms" },
        { "let o = {}; for (let i = 0; i < 40; i++) o = { a: o, b: o }; return o;", "more than 1000000 values" },
        { "return 'x'.repeat(6 * 1024 * 1024);", "larger than 5242880 bytes" },
        { "function f(n) { return f(n + 1) + 1; } return f(0);", "recursed deeper" },
    };

    [Theory]
    [MemberData(nameof(Hostile))]
    public async Task HostileSnippet_FailsWithAClearMessage_WithinItsLimits(string code, string message)
    {
        // A snippet the clock may stop runs under the default 2 s limit; the others get a minute (see generous).
        var runner = message.Contains("ran longer", StringComparison.Ordinal) ? sandbox : generous;
        var error = await Assert.ThrowsAsync<CodeSandbox.ScriptException>(() => runner.RunAsync(code, Input, Ct));
        Assert.True(message.Split('|').Any(m => error.Message.Contains(m, StringComparison.Ordinal)), error.Message);
        // The sandbox goes on serving.
        Assert.Equal(42, (await runner.RunAsync("return payload.amount * 2;", Input, Ct))!.GetValue<int>());
    }

    [Fact]
    public async Task Overrun_InsideOneStatement_IsStoppedAtTheTimeLimit()
    {
        // One statement that runs for minutes in native code (sorts with native comparators, over and over): only
        // killing the process stops it. Stopped well before it could end by itself, it was stopped at its limit.
        using var unlimited = new CodeSandbox(Options.Create(new SandboxOptions { CodeMaxStatements = int.MaxValue }), NullLogger<CodeSandbox>.Instance);
        var sorts = string.Concat(Enumerable.Repeat(".sort(Math.atan2).sort(Math.max).sort(Math.atan2).sort(Math.min)", 25));
        var clock = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<CodeSandbox.ScriptException>(
            () => unlimited.RunAsync($"const a = new Array(500000).fill(0).map(Math.random); return a{sorts}.length;", Input, Ct));
        Assert.Contains("ran longer than 2000 ms", error.Message, StringComparison.Ordinal);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"took {clock.Elapsed}");
    }

    [Fact]
    public async Task ProcessThatDies_MidRun_FailsOnlyThatRun()
    {
        // An endless script with no limit it could reach first: only the crash can end this run.
        using var endless = new CodeSandbox(Options.Create(new SandboxOptions { CodeTimeout = TimeSpan.FromMinutes(10), CodeMaxStatements = int.MaxValue }),
            NullLogger<CodeSandbox>.Instance);
        Assert.Equal(42, (await endless.RunAsync("return payload.amount * 2;", Input, Ct))!.GetValue<int>()); // one process, warm and idle
        var run = endless.RunAsync("let x = 0; for (;;) { x = (x + 1) % 1000; }", Input, Ct); // sent to that process
        // End the sandbox process from outside, abruptly, as a fatal runtime error would (SIGKILL: the runtime may
        // handle other signals, SIGSEGV included, and go on running).
        var children = endless.ProcessIds;
        Assert.NotEmpty(children);
        foreach (var pid in children) Process.Start("kill", ["-KILL", pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]).WaitForExit();
        var error = await Assert.ThrowsAsync<CodeSandbox.ScriptException>(() => run);
        Assert.DoesNotContain("ran longer", error.Message, StringComparison.Ordinal);
        Assert.Equal(42, (await endless.RunAsync("return payload.amount * 2;", Input, Ct))!.GetValue<int>());
    }

    [Fact]
    public async Task SandboxProcess_SeesNoneOfTheServersEnvironment()
    {
        var result = await sandbox.RunAsync(
            "return [typeof process, typeof require, typeof System, typeof importScripts, typeof fetch, typeof setTimeout];", Input, Ct);
        Assert.Equal("""["undefined","undefined","undefined","undefined","undefined","undefined"]""", result!.ToJsonString());
        // The process's environment holds only the runtime settings the sandbox sets (this test process has PATH,
        // HOME and the rest; none of it, nor any Patchbay__ setting, reaches the sandbox).
        Assert.NotEmpty(sandbox.ProcessIds);
        foreach (var pid in sandbox.ProcessIds)
        {
            var variables = File.ReadAllText($"/proc/{pid}/environ").Split('\0', StringSplitOptions.RemoveEmptyEntries);
            Assert.NotEmpty(variables);
            Assert.All(variables, v => Assert.StartsWith("DOTNET_", v, StringComparison.Ordinal));
        }
    }

    [Fact]
    public void SyntaxCheck_OfDeeplyNestedSource_IsAnErrorNotACrash()
    {
        Assert.Null(CodeSandbox.SyntaxError("return 1;"));
        Assert.Contains("syntax error", CodeSandbox.SyntaxError("return " + new string('(', 200_000) + "1" + new string(')', 200_000) + ";"), StringComparison.Ordinal);
    }
}

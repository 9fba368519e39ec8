using Microsoft.Extensions.Logging;
using Xunit;

// What the server code in this process writes to the console itself (the bootstrap banner with its keys) goes to the
// test's output too.
[assembly: CaptureConsole]

namespace Patchbay.Tests.Infrastructure;

// The server's log, written to the output of the test that is using the server (ITestOutputHelper), which the test
// runner shows only when that test fails; the console stays for test results. A line logged on the test's own flow
// goes to that test; a line logged elsewhere (a request handled on the server's threads, a background worker) goes to
// the test that last used the server: a fixture's tests run one at a time. Lines after that test ended are dropped.
public sealed class TestOutputLogs : ILoggerProvider
{
    ITestOutputHelper? current;

    // Called whenever a test reaches the server (a client made, a server started, its address read).
    public void Attach()
    {
        if (TestContext.Current.TestOutputHelper is { } output) current = output;
    }

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, this);

    public void Dispose() { }

    void Write(string line)
    {
        var output = TestContext.Current.TestOutputHelper ?? current;
        if (output is null) return;
        try
        {
            output.WriteLine(line);
        }
        catch (InvalidOperationException) { } // that test has finished
    }

    sealed class Logger(string category, TestOutputLogs sink) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            ArgumentNullException.ThrowIfNull(formatter);
            var line = $"[server {DateTime.UtcNow:HH:mm:ss.fff} {logLevel}] {category}: {formatter(state, exception)}";
            sink.Write(exception is null ? line : line + Environment.NewLine + exception);
        }
    }
}

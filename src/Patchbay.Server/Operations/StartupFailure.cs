using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Options;

namespace Patchbay.Operations;

// A failure of start-up work that names its cause (a master key that does not decode, a database that does not
// answer, a key file that cannot be written): reported as one line, not as a stack trace.
public sealed class StartupException(string message, Exception inner) : Exception(message, inner)
{
    internal static string? Describe(Exception e) => e switch
    {
        System.Data.Common.DbException db => "the database failed: " + OneLine(db.Message),
        InvalidOperationException or Vault.VaultException or IOException or UnauthorizedAccessException => OneLine(e.Message),
        _ => null, // a bug: its stack trace is wanted
    };

    internal static string OneLine(string text) => string.Join(' ', text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}

// `Patchbay.Server` as a process: runs the server and turns a failed start into one line on standard error and exit
// code 1 ("Patchbay could not start: the address http://localhost:8080 is already in use (set Urls or free the
// port)"). Settings are validated before the host starts anything, so a bad one is reported the same way.
public static partial class StartupFailure
{
    public static async Task<int> RunAsync(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        if (System.Reflection.Assembly.GetEntryAssembly() != typeof(StartupFailure).Assembly)
        {
            // Hosted by WebApplicationFactory (the tests' process): the factory reports a failed start itself, and
            // disposes the host. Not RunAsync, which disposes it on a failed start too: the factory may not have read
            // the host's services yet and would report an ObjectDisposedException instead of the cause.
            await app.StartAsync();
            await app.WaitForShutdownAsync();
            return 0;
        }
        var started = app.Lifetime.ApplicationStarted; // now: RunAsync disposes the services when it fails
        try
        {
            app.Services.GetService<IStartupValidator>()?.Validate(); // the host would, after building its services
            await app.RunAsync();
            return 0;
        }
        catch (Exception e) when (!started.IsCancellationRequested)
        {
            // A failure this describes was not logged (LogRedaction leaves it out): this line is its report. Any other
            // failure was logged with its stack trace by the host; this line points at it.
            var problem = Describe(e) ?? $"{StartupException.OneLine(e.Message)} ({e.GetType().Name}; details in the log above)";
            await Console.Error.WriteLineAsync("Patchbay could not start: " + problem);
            return 1;
        }
    }

    // The cause of a failed start in words, or null when it is not one of the known kinds.
    public static string? Describe(Exception e) => e switch
    {
        OptionsValidationException options => string.Join("; ", options.Failures),
        StartupException startup => startup.Message,
        IOException io when BindFailure(io) is { } message => message,
        AggregateException { InnerExceptions.Count: > 0 } many when many.InnerExceptions.Select(Describe).ToList() is var all && all.All(d => d is not null) =>
            string.Join("; ", all.Distinct()),
        OperationCanceledException => "the start was cancelled",
        _ => null,
    };

    // Whether a log line's exception is a failed start that RunAsync reports (the host and Kestrel log it first).
    // Settings are not among them: RunAsync validates them before the host logs anything.
    public static bool IsReported(Exception? e) =>
        e is StartupException || (e is IOException io && BindFailure(io) is not null)
        || (e is AggregateException { InnerExceptions.Count: > 0 } many && many.InnerExceptions.All(IsReported));

    // Kestrel's "Failed to bind to address http://127.0.0.1:8080: address already in use." and its other bind
    // failures (a port below 1024 without the right, an address this machine does not have).
    static string? BindFailure(IOException e)
    {
        var match = BindMessage().Match(e.Message);
        if (!match.Success) return null;
        var address = match.Groups["address"].Value.TrimEnd('.', ':');
        if (Causes(e).Any(c => c is AddressInUseException))
            return $"the address {address} is already in use (set Urls or free the port)";
        var cause = Causes(e).Skip(1).LastOrDefault(c => c is not AggregateException)?.Message;
        return $"could not listen on {address}" + (cause is null ? "" : ": " + StartupException.OneLine(cause)) + " (check Urls)";
    }

    static IEnumerable<Exception> Causes(Exception e)
    {
        yield return e;
        if (e is AggregateException many)
        {
            foreach (var inner in many.InnerExceptions)
                foreach (var cause in Causes(inner)) yield return cause;
        }
        else if (e.InnerException is { } inner)
        {
            foreach (var cause in Causes(inner)) yield return cause;
        }
    }

    [GeneratedRegex(@"^Failed to bind to address (?<address>\S+?)(?::? address already in use)?\.?$", RegexOptions.CultureInvariant)]
    private static partial Regex BindMessage();
}

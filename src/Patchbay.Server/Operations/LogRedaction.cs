using System.Collections;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Patchbay.Operations;

// Some URLs carry bearer secrets: a hosted Connect link (/connect/<session token>), a connect code (?code=), an OAuth
// callback (?code=&state=), a webhook resume id (/api/v1/workflows/webhooks/<id>). The framework logs paths and
// query strings before any middleware of ours runs (Hosting's request lines and scope, routing, exceptions), so the
// redaction sits in the one place every log line passes: the ILoggerFactory. It wraps each logger; a line's message,
// its structured values, its scopes and its exception text reach the providers with those secrets replaced.
public static partial class UrlSecrets
{
    public const string Mask = "[redacted]";

    // Query parameters whose value is a credential wherever they appear.
    [GeneratedRegex(@"([?&](?:code|state|token|access_token|refresh_token|id_token|session_token|api_key|apikey|client_secret|secret|password|oauth_token|oauth_verifier)=)[^&#\s""'<>]+",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex SecretQuery();

    // Path segments that are credentials: the hosted page's session token (not its assets, not a route template), a
    // webhook resume id, and a human task's id (its API and its form page).
    [GeneratedRegex(@"(/connect/)(?!assets(?:/|$)|\{)[^/?#\s""'<>]+|(/workflows/webhooks/)(?!\{)[^/?#\s""'<>]+|(/human-tasks/)(?!assets(?:/|$)|\{)[^/?#\s""'<>]+",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex SecretSegment();

    public static string Redact(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Contains('=', StringComparison.Ordinal)) text = SecretQuery().Replace(text, "$1" + Mask);
        if (text.Contains("/connect/", StringComparison.OrdinalIgnoreCase) || text.Contains("/webhooks/", StringComparison.OrdinalIgnoreCase)
            || text.Contains("/human-tasks/", StringComparison.OrdinalIgnoreCase))
        {
            text = SecretSegment().Replace(text, m => (m.Groups[1].Success ? m.Groups[1].Value : m.Groups[2].Success ? m.Groups[2].Value : m.Groups[3].Value) + Mask);
        }
        return text;
    }

    // A structured value as it would print, redacted; the value itself when it holds nothing to redact.
    internal static object? RedactValue(object? value)
    {
        if (value is null or bool or int or long or double or decimal or DateTime or DateTimeOffset or TimeSpan or Guid or Enum) return value;
        var text = value.ToString();
        if (text is null) return value;
        var redacted = Redact(text);
        return ReferenceEquals(redacted, text) || redacted == text ? value : redacted;
    }

    public static IServiceCollection AddLogRedaction(this IServiceCollection services)
    {
        // Replaces the factory AddLogging registered; providers added later (by tests, by hosts) are still found here.
        services.Replace(ServiceDescriptor.Singleton<ILoggerFactory>(sp => new RedactingLoggerFactory(new LoggerFactory(
            sp.GetServices<ILoggerProvider>(), sp.GetRequiredService<IOptionsMonitor<LoggerFilterOptions>>(),
            sp.GetService<IOptions<LoggerFactoryOptions>>(), sp.GetService<IExternalScopeProvider>()))));
        return services;
    }
}

sealed class RedactingLoggerFactory(ILoggerFactory inner) : ILoggerFactory
{
    public ILogger CreateLogger(string categoryName) => new RedactingLogger(inner.CreateLogger(categoryName));

    public void AddProvider(ILoggerProvider provider) => inner.AddProvider(provider);

    public void Dispose() => inner.Dispose();
}

sealed class RedactingLogger(ILogger inner) : ILogger
{
    public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(logLevel);

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull =>
        inner.BeginScope<object>(state is string text ? UrlSecrets.Redact(text) : new RedactedState(state, null, static (s, _) => s?.ToString() ?? ""));

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (!inner.IsEnabled(logLevel)) return;
        // A failed start is reported once, as one line on standard error (StartupFailure), not with a stack trace.
        if (StartupFailure.IsReported(exception)) return;
        ArgumentNullException.ThrowIfNull(formatter);
        var redactedException = RedactedException.For(exception);
        inner.Log(logLevel, eventId, new RedactedState(state, exception, (s, e) => formatter((TState)s!, e)), redactedException,
            static (s, _) => s.ToString());
    }
}

// A log state or scope whose message and values are redacted when a provider reads them (most lines are filtered out
// or never print their scopes, so nothing is formatted before then).
sealed class RedactedState(object? state, Exception? exception, Func<object?, Exception?, string> formatter) : IReadOnlyList<KeyValuePair<string, object?>>
{
    string? message;
    KeyValuePair<string, object?>[]? values;

    KeyValuePair<string, object?>[] Values => values ??= state is IEnumerable<KeyValuePair<string, object?>> pairs
        ? [.. pairs.Select(p => p.Key == "{OriginalFormat}" ? p : new KeyValuePair<string, object?>(p.Key, UrlSecrets.RedactValue(p.Value)))]
        : [];

    public KeyValuePair<string, object?> this[int index] => Values[index];

    public int Count => Values.Length;

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => ((IEnumerable<KeyValuePair<string, object?>>)Values).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public override string ToString() => message ??= UrlSecrets.Redact(formatter(state, exception));
}

// An exception whose text carries a secret travels to the providers as this copy of its text.
sealed class RedactedException(string type, string message, string text) : Exception(message)
{
    public string OriginalType { get; } = type;

    public override string ToString() => text;

    public static Exception? For(Exception? exception)
    {
        if (exception is null) return null;
        var text = exception.ToString();
        var redacted = UrlSecrets.Redact(text);
        return redacted == text ? exception : new RedactedException(exception.GetType().FullName ?? "Exception", UrlSecrets.Redact(exception.Message), redacted);
    }
}

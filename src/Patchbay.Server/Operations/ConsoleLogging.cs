using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;

namespace Patchbay.Operations;

// The console log's format (Logging:Console:FormatterName): `simple`, one readable line per entry, when standard output
// is a terminal; `json`, one JSON object per line, when it is not (a file, a pipe, a container's log collector).
// Setting it chooses either way. Timestamps are UTC with milliseconds in both. Redaction (LogRedaction) happens
// before any formatter sees a line, so both print the same redacted text.
public static class ConsoleLogging
{
    public const string Setting = "Logging:Console:FormatterName";

    static readonly string[] Formats = [ConsoleFormatterNames.Simple, ConsoleFormatterNames.Json, ConsoleFormatterNames.Systemd];

    // The format when the setting is unset.
    public static string DefaultFormat(bool outputIsTerminal) => outputIsTerminal ? ConsoleFormatterNames.Simple : ConsoleFormatterNames.Json;

    public static IServiceCollection AddConsoleFormat(this IServiceCollection services)
    {
        services.AddOptions<ConsoleLoggerOptions>()
            .PostConfigure(o => o.FormatterName = string.IsNullOrWhiteSpace(o.FormatterName) ? DefaultFormat(!Console.IsOutputRedirected) : o.FormatterName.Trim())
            .Validate(o => Formats.Contains(o.FormatterName, StringComparer.OrdinalIgnoreCase), $"{Setting} must be one of: {string.Join(", ", Formats)}")
            .ValidateOnStart();
        // Set here rather than in the shared Logging:Console:FormatterOptions section: the simple format needs a space
        // after its timestamp, JSON must not have one.
        services.Configure<SimpleConsoleFormatterOptions>(o =>
        {
            o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
            o.UseUtcTimestamp = true;
            o.SingleLine = true;
        });
        services.Configure<JsonConsoleFormatterOptions>(o =>
        {
            o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
            o.UseUtcTimestamp = true;
            o.IncludeScopes = true;
        });
        return services;
    }
}

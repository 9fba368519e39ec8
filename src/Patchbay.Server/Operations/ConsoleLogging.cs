using Microsoft.Extensions.Logging.Console;
using Patchbay.Configuration;

namespace Patchbay.Operations;

// The console log's format (Logging:Console:FormatterName): `simple`, one readable line per entry, when standard output
// is a terminal; `json`, one JSON object per line, when it is not (a file, a pipe, a container's log collector).
// Setting it chooses either way. Timestamps are UTC with milliseconds in both. Redaction (LogRedaction) happens
// before any formatter sees a line, so both print the same redacted text.
public static class ConsoleLogging
{
    public const string Setting = "Logging:Console:FormatterName";

    // The format when the setting is unset.
    public static string DefaultFormat(bool outputIsTerminal) => outputIsTerminal ? ConsoleFormatterNames.Simple : ConsoleFormatterNames.Json;

    public static IServiceCollection AddConsoleFormat(this IServiceCollection services)
    {
        services.PostConfigure<ConsoleLoggerOptions>(o =>
            o.FormatterName = string.IsNullOrWhiteSpace(o.FormatterName) ? DefaultFormat(!Console.IsOutputRedirected) : o.FormatterName.Trim());
        // Checked with the other settings, so a wrong name stops the start with one line; the console logger itself
        // would fall back to its default silently.
        services.AddSettings<ConsoleFormatSetting>(ConsoleFormatSetting.Section);
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

public sealed class ConsoleFormatSetting
{
    public const string Section = "Logging:Console";

    [System.ComponentModel.DataAnnotations.AllowedValues(null, "", ConsoleFormatterNames.Simple, ConsoleFormatterNames.Json, ConsoleFormatterNames.Systemd,
        ErrorMessage = "must be simple, json or systemd")]
    public string? FormatterName { get; set; }
}

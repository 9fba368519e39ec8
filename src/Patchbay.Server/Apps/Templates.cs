using System.Text;
using System.Text.RegularExpressions;

namespace Patchbay.Apps;

// `{{field}}` and `{{field|filter|filter}}` in manifest strings (docs/apps.md). A missing value renders as empty;
// Validate() lists the names a template uses so manifests can be checked ahead of time.
public static partial class Templates
{
    public static readonly IReadOnlySet<string> Filters = new HashSet<string> { "lower", "upper", "hyphenate", "underscore", "urlencode", "host", "label", "trim" };

    public static string Render(string template, IReadOnlyDictionary<string, string> values)
    {
        ArgumentNullException.ThrowIfNull(template);
        ArgumentNullException.ThrowIfNull(values);
        if (!template.Contains("{{", StringComparison.Ordinal)) return template;
        return PlaceholderRegex().Replace(template, match =>
        {
            var parts = match.Groups[1].Value.Split('|', StringSplitOptions.TrimEntries);
            var value = values.TryGetValue(parts[0], out var v) ? v : "";
            foreach (var filter in parts.Skip(1)) value = Apply(filter, value);
            return value;
        });
    }

    public sealed record Placeholder(string Text, int Index, string Name, IReadOnlyList<string> Filters);

    // The `{{…}}` of a template, where they stand, with their value name and filters.
    public static IEnumerable<Placeholder> Placeholders(string template) =>
        PlaceholderRegex().Matches(template ?? "").Select(m =>
        {
            var parts = m.Groups[1].Value.Split('|', StringSplitOptions.TrimEntries);
            return new Placeholder(m.Value, m.Index, parts[0], parts[1..]);
        });

    // "https://{{subdomain}}.zendesk.com/api" → "{{subdomain}}.zendesk.com"; "" when the template is not an absolute URL.
    public static string Authority(string? template)
    {
        template ??= "";
        var scheme = template.IndexOf("://", StringComparison.Ordinal);
        if (scheme < 0 || !template.StartsWith("http", StringComparison.OrdinalIgnoreCase)) return "";
        var end = template.IndexOfAny(['/', '?', '#'], scheme + 3);
        return end < 0 ? template[(scheme + 3)..] : template[(scheme + 3)..end];
    }

    // The value names a template refers to, and the unknown filters it uses.
    public static (IReadOnlyList<string> Names, IReadOnlyList<string> UnknownFilters) Inspect(string template)
    {
        var placeholders = Placeholders(template).ToList();
        return ([.. placeholders.Select(p => p.Name)], [.. placeholders.SelectMany(p => p.Filters).Where(f => !Filters.Contains(f))]);
    }

    static string Apply(string filter, string value) => filter switch
    {
        "lower" => value.ToLowerInvariant(),
        "upper" => value.ToUpperInvariant(),
        "hyphenate" => value.Replace('_', '-'),
        "underscore" => value.Replace('-', '_'),
        "urlencode" => Uri.EscapeDataString(value),
        "trim" => value.Trim(),
        "host" => Host(value),
        "label" => Host(value).Split('.')[0],
        _ => throw new InvalidOperationException($"Unknown template filter '{filter}'"),
    };

    // "https://shop.example.com/admin/" → "shop.example.com"; "shop.example.com" stays.
    static string Host(string value)
    {
        var text = value.Trim();
        if (Uri.TryCreate(text.Contains("://", StringComparison.Ordinal) ? text : "https://" + text, UriKind.Absolute, out var uri))
            return uri.Host;
        var builder = new StringBuilder();
        foreach (var c in text) { if (c is '/' or ':') break; builder.Append(c); }
        return builder.ToString();
    }

    [GeneratedRegex(@"\{\{\s*([^{}]+?)\s*\}\}")]
    private static partial Regex PlaceholderRegex();
}

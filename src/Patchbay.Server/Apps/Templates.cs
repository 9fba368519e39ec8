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
        return Placeholder().Replace(template, match =>
        {
            var parts = match.Groups[1].Value.Split('|', StringSplitOptions.TrimEntries);
            var value = values.TryGetValue(parts[0], out var v) ? v : "";
            foreach (var filter in parts.Skip(1)) value = Apply(filter, value);
            return value;
        });
    }

    // Renders a URL template whose host may hold values a customer typed (a subdomain): each value that lands in the
    // host must be a single DNS label, so "evil.example/x?" cannot move a request (and the org's OAuth client secret)
    // to another host. Values in the path are escaped by the template's own filters.
    public static string RenderUrl(string template, IReadOnlyDictionary<string, string> values)
    {
        CheckHostLabels(template, values);
        return Render(template, values);
    }

    // The check alone: for a URL that an operator's override replaces, the values are still held to the manifest's rule.
    public static void CheckHostLabels(string template, IReadOnlyDictionary<string, string> values)
    {
        ArgumentNullException.ThrowIfNull(template);
        var scheme = template.IndexOf("://", StringComparison.Ordinal);
        var hostEnd = scheme < 0 ? -1 : template.IndexOf('/', scheme + 3);
        var authority = scheme < 0 ? "" : hostEnd < 0 ? template[(scheme + 3)..] : template[(scheme + 3)..hostEnd];
        foreach (Match match in Placeholder().Matches(authority))
        {
            var rendered = Render(match.Value, values);
            if (!DnsLabel().IsMatch(rendered))
                throw new Http.ApiException(Http.ApiError.Validation($"'{match.Groups[1].Value.Split('|')[0].Trim()}' must be a host name label (letters, digits and '-'), not '{rendered}'"));
        }
    }

    [GeneratedRegex(@"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$")]
    private static partial Regex DnsLabel();

    // The value names a template refers to, and the unknown filters it uses.
    public static (IReadOnlyList<string> Names, IReadOnlyList<string> UnknownFilters) Inspect(string template)
    {
        var names = new List<string>();
        var unknown = new List<string>();
        foreach (Match match in Placeholder().Matches(template ?? ""))
        {
            var parts = match.Groups[1].Value.Split('|', StringSplitOptions.TrimEntries);
            names.Add(parts[0]);
            unknown.AddRange(parts.Skip(1).Where(f => !Filters.Contains(f)));
        }
        return (names, unknown);
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
    private static partial Regex Placeholder();
}

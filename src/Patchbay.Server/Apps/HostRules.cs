using System.Text;
using System.Text.RegularExpressions;

namespace Patchbay.Apps;

// Values a customer types that land in the host of a manifest URL (base URL, absolute verify path, authorize and
// token URLs; docs/apps.md "Values in hosts"). Each placeholder in a template's host must render to one DNS label,
// to one of its select's options, or, through the `host` filter (apps on the customer's own server), to a host
// name; fields reduced by `host` or `label` also declare the `pattern` of what may be typed. The values are checked
// when they are submitted (a 400 naming the field, before any request or row) and again whenever a URL is built
// from stored ones; a URL built from the manifest must then have a host of the template's shape. An operator's
// override (Patchbay:Apps:Overrides) is trusted as written: the values are still held to the manifest's rule.
public static class HostRules
{
    // Every URL template of an auth type, checked against submitted values; the 400 names the field as it was sent.
    public static void Check(AppManifest app, string authType, IReadOnlyDictionary<string, string> values, string? path = null)
    {
        ArgumentNullException.ThrowIfNull(app);
        var auth = app.Auth[authType];
        foreach (var template in app.UrlTemplates(authType))
        {
            if (Problem(template, auth.Inputs, values, path) is { } problem) throw new Http.ApiException(Http.ApiError.Validation(problem));
        }
    }

    // What is wrong with the values a URL template puts in its host, naming the field; null when nothing is.
    public static string? Problem(string template, IReadOnlyList<FieldManifest> fields, IReadOnlyDictionary<string, string> values, string? path = null)
    {
        foreach (var placeholder in Templates.Placeholders(Templates.Authority(template)))
        {
            var name = (path is null ? "" : path + ".") + placeholder.Name;
            var typed = values.GetValueOrDefault(placeholder.Name) ?? "";
            // As typed too (a stored value as well): a filter must not turn anything into a label, as "\u212Aelvin"
            // lowers to "kelvin" and "shop.example.com" reduces to "shop".
            if (fields.FirstOrDefault(f => f.Name == placeholder.Name) is { } field && PatternProblem(field, typed, name) is { } problem) return problem;
            var rendered = Templates.Render(placeholder.Text, values);
            var (pattern, shape) = Shape(placeholder, fields);
            if (!IsPrintableAscii(typed) || !Regex.IsMatch(rendered, $"^(?:{pattern})$", RegexOptions.CultureInvariant))
                return $"'{name}' must be {shape}, not '{rendered}'";
        }
        return null;
    }

    // A manifest URL rendered with its values, or the operator's override of it (trusted as written) rendered with the
    // same values once they pass the manifest's rule; null, with the problem, otherwise.
    public static string? RenderUrl(string template, string? configured, IReadOnlyList<FieldManifest> fields, IReadOnlyDictionary<string, string> values,
        out string? problem)
    {
        problem = Problem(template, fields, values);
        if (problem is not null) return null;
        var url = Templates.Render(configured ?? template, values);
        if (configured is null && !(Uri.TryCreate(url, UriKind.Absolute, out var uri) && Allows(template, fields, uri)))
            problem = $"the URL built from '{template}' does not stay on its host";
        return problem is null ? url : null;
    }

    // Whether a URL built from a manifest template has a host of the template's shape: its literal parts as written,
    // each placeholder one label (or its options, or a host name). Not an absolute URL template: nothing matches.
    public static bool Allows(string template, IReadOnlyList<FieldManifest> fields, Uri url)
    {
        ArgumentNullException.ThrowIfNull(url);
        var authority = Templates.Authority(template);
        if (authority.Length == 0 || !Ascii.IsValid(url.Host)) return false;
        var pattern = new StringBuilder("^");
        var at = 0;
        foreach (var placeholder in Templates.Placeholders(authority))
        {
            pattern.Append(Regex.Escape(authority[at..placeholder.Index].ToLowerInvariant())).Append("(?:").Append(Shape(placeholder, fields).Pattern).Append(')');
            at = placeholder.Index + placeholder.Text.Length;
        }
        pattern.Append(Regex.Escape(authority[at..].ToLowerInvariant())).Append('$');
        return Regex.IsMatch(url.Host.ToLowerInvariant(), pattern.ToString(), RegexOptions.CultureInvariant | RegexOptions.IgnoreCase);
    }

    // Why a field's declared pattern refuses a value as typed (printable ASCII, the whole value matching), or null.
    // Patterns run on the non-backtracking engine: linear in the value, so a hostile value cannot make a match slow,
    // and there is no timeout to trip on a starved machine (a timeout here once answered 500 under load).
    public static string? PatternProblem(FieldManifest field, string value, string name)
    {
        ArgumentNullException.ThrowIfNull(field);
        ArgumentNullException.ThrowIfNull(value);
        return field.Pattern is not { } pattern || (IsPrintableAscii(value)
            && Regex.IsMatch(value, $"^(?:{pattern})$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.NonBacktracking))
            ? null
            : $"'{name}' is not a valid {field.Label}{(field.Placeholder is { } example ? $" (for example {example})" : "")}";
    }

    // The fields named in a template's host that are reduced by `host` or `label` (so they need a declared pattern).
    public static IEnumerable<string> ReducedFields(string template) =>
        Templates.Placeholders(Templates.Authority(template)).Where(p => p.Filters.Contains("host") || p.Filters.Contains("label")).Select(p => p.Name);

    static (string Pattern, string Shape) Shape(Templates.Placeholder placeholder, IReadOnlyList<FieldManifest> fields)
    {
        if (fields.FirstOrDefault(f => f.Name == placeholder.Name) is { Type: "select", Options: { Count: > 0 } options })
        {
            var rendered = options.Select(o => Templates.Render(placeholder.Text, new Dictionary<string, string> { [placeholder.Name] = o.Value }));
            return (string.Join('|', rendered.Select(Regex.Escape)), "one of the options");
        }
        return placeholder.Filters.LastOrDefault(f => f is "host" or "label") == "host"
            ? (HostName, "a host name")
            : (Label, "a host name label (letters, digits and '-')");
    }

    static bool IsPrintableAscii(string value) => value.All(c => c is > ' ' and < '\x7f');

    const string Label = "[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?";
    const string HostName = "(?=.{1,253}$)" + Label + @"(?:\." + Label + ")*";
}

using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Patchbay.Apps;

namespace Patchbay.Actions;

// Action request templates (docs/actions.md): `{{name}}` is a parameter, `{{connection.name}}` a value of the
// connection's credentials (a token response's instance_url, say). A string that is one parameter placeholder and
// nothing else takes the parameter's JSON value (a number stays a number); an optional parameter not given removes the
// body key, query parameter or header that holds it alone, and an object or array left empty by that goes too. In a
// path, parameters are percent-encoded.
public static partial class ActionTemplates
{
    public const string ConnectionPrefix = "connection.";

    public static string RenderPath(string template, IReadOnlyDictionary<string, JsonNode> parameters, IReadOnlyDictionary<string, string> connection) =>
        Templates.Render(template, Values(parameters, connection, encode: true));

    // An absolute path's template as the host rules read it: connection values under their own names.
    public static string HostTemplate(string template) => template.Replace("{{" + ConnectionPrefix, "{{", StringComparison.Ordinal);

    public static Dictionary<string, string> RenderStrings(IReadOnlyDictionary<string, string> templates, IReadOnlyDictionary<string, JsonNode> parameters,
        IReadOnlyDictionary<string, string> connection)
    {
        ArgumentNullException.ThrowIfNull(templates);
        var values = Values(parameters, connection, encode: false);
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, template) in templates)
        {
            if (SoleParameter(template) is { } only && !parameters.ContainsKey(only)) continue;
            result[name] = Templates.Render(template, values);
        }
        return result;
    }

    public static JsonNode? RenderBody(JsonNode? template, IReadOnlyDictionary<string, JsonNode> parameters, IReadOnlyDictionary<string, string> connection)
    {
        if (template is null) return null;
        var values = Values(parameters, connection, encode: false);
        return Render(template, parameters, values, out _);
    }

    static JsonNode? Render(JsonNode? node, IReadOnlyDictionary<string, JsonNode> parameters, IReadOnlyDictionary<string, string> values, out bool omit)
    {
        omit = false;
        switch (node)
        {
            case JsonObject o:
                var copy = new JsonObject();
                foreach (var (key, child) in o)
                {
                    var rendered = Render(child, parameters, values, out var drop);
                    if (!drop) copy[key] = rendered;
                }
                omit = o.Count > 0 && copy.Count == 0; // everything in it was left out: so is it
                return copy;
            case JsonArray a:
                var items = new JsonArray();
                foreach (var child in a)
                {
                    var rendered = Render(child, parameters, values, out var drop);
                    if (!drop) items.Add(rendered);
                }
                omit = a.Count > 0 && items.Count == 0;
                return items;
            case JsonValue v when v.GetValueKind() == JsonValueKind.String:
                var text = v.GetValue<string>();
                if (SoleParameter(text) is { } only)
                {
                    if (parameters.TryGetValue(only, out var value)) return value.DeepClone();
                    omit = true;
                    return null;
                }
                return JsonValue.Create(Templates.Render(text, values));
            default:
                return node?.DeepClone();
        }
    }

    // The parameter a template consists of, alone and unfiltered ("{{email}}"), or null.
    public static string? SoleParameter(string template)
    {
        var match = Sole().Match(template ?? "");
        return match.Success && !match.Groups[1].Value.StartsWith(ConnectionPrefix, StringComparison.Ordinal) ? match.Groups[1].Value : null;
    }

    // What a parameter looks like inside text: strings as they are, JSON as JSON.
    public static string Text(JsonNode value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return value.GetValueKind() switch
        {
            JsonValueKind.String => value.GetValue<string>(),
            JsonValueKind.Number => value.AsValue().TryGetValue<decimal>(out var d) ? d.ToString(CultureInfo.InvariantCulture) : value.ToJsonString(),
            _ => value.ToJsonString(),
        };
    }

    static Dictionary<string, string> Values(IReadOnlyDictionary<string, JsonNode> parameters, IReadOnlyDictionary<string, string> connection, bool encode)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(connection);
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in connection) values[ConnectionPrefix + name] = value;
        foreach (var (name, value) in parameters) values[name] = encode ? Uri.EscapeDataString(Text(value)) : Text(value);
        return values;
    }

    [GeneratedRegex(@"^\{\{\s*([A-Za-z0-9_.]+)\s*\}\}$")]
    private static partial Regex Sole();
}

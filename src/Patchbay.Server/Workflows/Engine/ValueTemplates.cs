using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Patchbay.Workflows.Engine;

// Values flow between nodes through {{path}} templates in node settings: {{payload.email}},
// {{nodes.lookup.output.body.id}}, {{loop.item}}, {{loop.index}}, {{execution.id}}, {{linked_account.id}},
// {{config_id}}, {{env.NAME}} (environment variables: EnvironmentVariables/WorkflowEnvironment). A string that is
// exactly one template keeps the value's JSON type (an object stays an object); inside longer text a value is written
// as text (strings as they are, anything else as JSON). A path that leads nowhere gives null (or nothing inside text).
public static partial class ValueTemplates
{
    [GeneratedRegex(@"\{\{\s*([A-Za-z0-9_$\-\.\[\]]+)\s*\}\}")]
    private static partial Regex Placeholder();

    [GeneratedRegex(@"^\{\{\s*([A-Za-z0-9_$\-\.\[\]]+)\s*\}\}$")]
    private static partial Regex Whole();

    public static JsonNode? Render(JsonNode? template, JsonNode context)
    {
        switch (template)
        {
            case JsonObject o:
                var obj = new JsonObject();
                foreach (var (key, value) in o) obj[key] = Render(value, context);
                return obj;
            case JsonArray a:
                return new JsonArray([.. a.Select(v => Render(v, context))]);
            case JsonValue v when v.GetValueKind() == JsonValueKind.String:
                return RenderString(v.GetValue<string>(), context);
            default:
                return template?.DeepClone();
        }
    }

    static JsonNode? RenderString(string text, JsonNode context)
    {
        if (!text.Contains("{{", StringComparison.Ordinal)) return JsonValue.Create(text);
        var whole = Whole().Match(text);
        if (whole.Success) return Resolve(context, whole.Groups[1].Value)?.DeepClone();
        return JsonValue.Create(Placeholder().Replace(text, m => AsText(Resolve(context, m.Groups[1].Value))));
    }

    public static string AsText(JsonNode? value) => value switch
    {
        null => "",
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        _ => value.ToJsonString(),
    };

    // a.b.0.c or a.b[0].c
    public static JsonNode? Resolve(JsonNode? root, string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var current = root;
        foreach (var raw in path.Replace("[", ".", StringComparison.Ordinal).Replace("]", "", StringComparison.Ordinal).Split('.', StringSplitOptions.RemoveEmptyEntries))
        {
            current = current switch
            {
                JsonObject o => o[raw],
                JsonArray a when int.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out var i) && i < a.Count => a[i],
                JsonArray a when raw == "length" => JsonValue.Create(a.Count),
                _ => null,
            };
            if (current is null) return null;
        }
        return current;
    }

    public static string Describe(JsonNode? value)
    {
        var text = value?.ToJsonString() ?? "null";
        return text.Length <= 200 ? text : new StringBuilder(text, 0, 200, 203).Append('…').ToString();
    }
}

// The condition node's structured form: {left, operator, right}, both sides templated.
public static class Conditions
{
    public static readonly IReadOnlyList<string> Operators =
        ["equals", "not_equals", "contains", "not_contains", "greater_than", "less_than", "greater_or_equal", "less_or_equal", "exists", "not_exists", "is_empty", "is_not_empty"];

    public static bool Evaluate(JsonNode? left, string op, JsonNode? right) => op switch
    {
        "equals" => Same(left, right),
        "not_equals" => !Same(left, right),
        "contains" => Contains(left, right),
        "not_contains" => !Contains(left, right),
        "greater_than" => Compare(left, right) is > 0,
        "less_than" => Compare(left, right) is < 0,
        "greater_or_equal" => Compare(left, right) is >= 0,
        "less_or_equal" => Compare(left, right) is <= 0,
        "exists" => left is not null,
        "not_exists" => left is null,
        "is_empty" => IsEmpty(left),
        "is_not_empty" => !IsEmpty(left),
        _ => throw new ArgumentOutOfRangeException(nameof(op), op, "unknown operator"),
    };

    public static string? AsText(JsonNode? value) => value is null ? null : ValueTemplates.AsText(value);

    static bool Same(JsonNode? a, JsonNode? b) =>
        a is null || b is null ? a is null && b is null
        : Number(a) is { } x && Number(b) is { } y ? x == y
        : JsonNode.DeepEquals(a, b) || AsText(a) == AsText(b);

    static bool Contains(JsonNode? a, JsonNode? b) => a switch
    {
        JsonArray array => array.Any(item => Same(item, b)),
        JsonObject o => AsText(b) is { } key && o.ContainsKey(key),
        null => false,
        _ => AsText(a)!.Contains(AsText(b) ?? "", StringComparison.Ordinal),
    };

    static int? Compare(JsonNode? a, JsonNode? b) =>
        Number(a) is { } x && Number(b) is { } y ? x.CompareTo(y)
        : a is null || b is null ? null
        : string.CompareOrdinal(AsText(a), AsText(b));

    static double? Number(JsonNode? n) => n switch
    {
        JsonValue v when v.GetValueKind() == JsonValueKind.Number => v.GetValue<double>(),
        JsonValue v when v.GetValueKind() == JsonValueKind.String && double.TryParse(v.GetValue<string>(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => d,
        _ => null,
    };

    static bool IsEmpty(JsonNode? n) => n switch
    {
        null => true,
        JsonArray a => a.Count == 0,
        JsonObject o => o.Count == 0,
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>().Length == 0,
        _ => false,
    };
}

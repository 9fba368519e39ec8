using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Patchbay.HumanTasks;

// Checks a submission against the task's form: the JSON Schema's properties (type, enum, format date/date-time/email,
// minimum/maximum, minLength/maxLength, array items), its `required` list, `additionalProperties: false`, and
// read-only fields (`readOnly: true` in the schema, or `ui:readonly`/`ui:disabled` in ui_structure), which must keep
// their prefilled value. The result is the prefilled data with the submitted values over it.
public static class HumanTaskInput
{
    public sealed record Checked(JsonObject? Data, string? Error);

    public static Checked Check(JsonObject schema, JsonObject ui, JsonObject prefilled, JsonObject submitted)
    {
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(ui);
        ArgumentNullException.ThrowIfNull(prefilled);
        ArgumentNullException.ThrowIfNull(submitted);
        var properties = schema["properties"] as JsonObject;
        var closed = schema["additionalProperties"]?.GetValueKind() == JsonValueKind.False;
        var merged = (JsonObject)prefilled.DeepClone();
        foreach (var (name, value) in submitted)
        {
            var property = properties?[name] as JsonObject;
            if (property is null && closed) return Fail($"Field '{name}' is not part of the form");
            if (property is not null && IsReadOnly(property, ui[name]))
            {
                if (!JsonNode.DeepEquals(value, prefilled[name])) return Fail($"Field '{name}' is read-only and cannot be changed");
                continue;
            }
            if (property is not null && value is not null && Problem(property, value) is { } problem) return Fail($"Field '{name}' {problem}");
            merged[name] = value?.DeepClone();
        }
        if (schema["required"] is JsonArray required)
        {
            foreach (var name in required.Select(r => r?.GetValueKind() == JsonValueKind.String ? r.GetValue<string>() : null).OfType<string>())
            {
                if (merged[name] is null || (merged[name] is JsonValue v && v.GetValueKind() == JsonValueKind.String && v.GetValue<string>().Length == 0))
                    return Fail($"Missing required field '{name}'");
            }
        }
        return new Checked(merged, null);
    }

    static Checked Fail(string message) => new(null, message);

    static bool IsReadOnly(JsonObject property, JsonNode? ui) =>
        property["readOnly"]?.GetValueKind() == JsonValueKind.True
        || ui?["ui:readonly"]?.GetValueKind() == JsonValueKind.True
        || ui?["ui:disabled"]?.GetValueKind() == JsonValueKind.True;

    // What is wrong with a non-null value for a property, or null.
    static string? Problem(JsonObject property, JsonNode value)
    {
        var types = property["type"] switch
        {
            JsonValue t when t.GetValueKind() == JsonValueKind.String => [t.GetValue<string>()],
            JsonArray list => list.Select(t => t?.ToString()).OfType<string>().ToList(),
            _ => new List<string>(),
        };
        var kind = value.GetValueKind();
        if (types.Count > 0 && !types.Any(t => Matches(t, value, kind))) return $"must be of type {string.Join(" or ", types)}";
        if (property["enum"] is JsonArray options && !options.Any(o => JsonNode.DeepEquals(o, value)))
            return $"must be one of {string.Join(", ", options.Select(o => o?.ToJsonString() ?? "null"))}";
        if (kind == JsonValueKind.String)
        {
            var text = value.GetValue<string>();
            if (property["minLength"] is JsonValue min && min.TryGetValue<int>(out var minLength) && text.Length < minLength) return $"must be at least {minLength} characters";
            if (property["maxLength"] is JsonValue max && max.TryGetValue<int>(out var maxLength) && text.Length > maxLength) return $"must be at most {maxLength} characters";
            var format = property["format"]?.GetValueKind() == JsonValueKind.String ? property["format"]!.GetValue<string>() : null;
            if (format == "date" && !DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _)) return "must be a date (YYYY-MM-DD)";
            if (format == "date-time" && !DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out _)) return "must be a date and time (ISO 8601)";
            if (format == "email" && (text.IndexOf('@', StringComparison.Ordinal) is var at && (at <= 0 || at == text.Length - 1))) return "must be an email address";
        }
        if (kind == JsonValueKind.Number)
        {
            var number = value.GetValue<double>();
            if (property["minimum"] is JsonValue lo && lo.TryGetValue<double>(out var minimum) && number < minimum) return $"must be at least {minimum.ToString(CultureInfo.InvariantCulture)}";
            if (property["maximum"] is JsonValue hi && hi.TryGetValue<double>(out var maximum) && number > maximum) return $"must be at most {maximum.ToString(CultureInfo.InvariantCulture)}";
        }
        if (value is JsonArray items && property["items"] is JsonObject itemSchema)
        {
            for (var i = 0; i < items.Count; i++)
            {
                if (items[i] is null) return $"has a null item at {i}";
                if (Problem(itemSchema, items[i]!) is { } problem) return $"item {i} {problem}";
            }
        }
        return null;
    }

    static bool Matches(string type, JsonNode value, JsonValueKind kind) => type switch
    {
        "string" => kind == JsonValueKind.String,
        "number" => kind == JsonValueKind.Number,
        "integer" => kind == JsonValueKind.Number && value.GetValue<double>() is var d && d == Math.Floor(d) && !double.IsInfinity(d),
        "boolean" => kind is JsonValueKind.True or JsonValueKind.False,
        "array" => kind == JsonValueKind.Array,
        "object" => kind == JsonValueKind.Object,
        "null" => kind == JsonValueKind.Null,
        _ => true,
    };
}

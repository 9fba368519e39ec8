using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Patchbay.Http;

namespace Patchbay.Configs;

// Checks a value against its field (type, options, labels, rule columns) and gives its stored form. Required-ness is
// the caller's: a null value clears the field.
public static partial class FieldValues
{
    // What a password field's value reads as; writing it back leaves the stored secret as it is.
    public const string Redacted = "[REDACTED]";

    public const int MaxValueLength = 64 * 1024;
    const int MaxRuleDepth = 5;

    [GeneratedRegex(@"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
    private static partial Regex EmailPattern();

    // Null when the value fits (normalized: numbers as numbers, select values as strings); else why not.
    // `labels` are a map field's left side when known (null: any left value).
    public static string? Check(FieldDefinition field, JsonNode? value, IReadOnlyList<FieldOption>? labels, out JsonNode? normalized)
    {
        ArgumentNullException.ThrowIfNull(field);
        normalized = null;
        if (value is null) return null;
        if (value.ToJsonString().Length > MaxValueLength) return $"must be at most {MaxValueLength} characters of JSON";
        switch (field.FieldType)
        {
            case FieldTypes.Text or FieldTypes.Textarea or FieldTypes.Password:
                if (AsString(value) is not { } text) return "must be a string";
                normalized = JsonValue.Create(text);
                return null;
            case FieldTypes.Number:
                if (value is JsonValue n && n.GetValueKind() == JsonValueKind.Number)
                {
                    normalized = n.DeepClone();
                    return null;
                }
                if (AsString(value) is { } s && decimal.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var d))
                {
                    normalized = JsonValue.Create(d);
                    return null;
                }
                return "must be a number";
            case FieldTypes.Email:
                if (AsString(value) is not { } email || !EmailPattern().IsMatch(email)) return "must be an email address";
                normalized = JsonValue.Create(email);
                return null;
            case FieldTypes.Url:
                if (AsString(value) is not { } url || !Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
                {
                    return "must be an absolute http or https URL";
                }
                normalized = JsonValue.Create(url);
                return null;
            case FieldTypes.Date:
                if (AsString(value) is not { } date
                    || !(DateOnly.TryParseExact(date, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _)
                         || DateTimeOffset.TryParse(date, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out _)))
                {
                    return "must be a date (YYYY-MM-DD) or an ISO 8601 instant";
                }
                normalized = JsonValue.Create(date);
                return null;
            case FieldTypes.Json:
                normalized = value.DeepClone();
                return null;
            case FieldTypes.Select:
                return CheckChoice(field, value, field.Options, out normalized);
            case FieldTypes.Map:
                return CheckMap(field, value, labels, out normalized);
            case FieldTypes.RuleEngine:
                var error = CheckRule(field, value, 0);
                if (error is null) normalized = value.DeepClone();
                return error;
            default:
                return "has an unknown field type";
        }
    }

    // One option value (or, for `multiple`, an array of them); checked against the options when they are fixed.
    static string? CheckChoice(FieldDefinition field, JsonNode value, IReadOnlyList<FieldOption>? options, out JsonNode? normalized)
    {
        normalized = null;
        var values = new List<string>();
        if (field.Multiple)
        {
            if (value is not JsonArray a) return "must be an array of option values";
            foreach (var item in a)
                values.Add(FieldDefinitionInput.Scalar(item) ?? "\0");
        }
        else
        {
            values.Add(FieldDefinitionInput.Scalar(value) ?? "\0");
        }
        if (values.Contains("\0")) return "must hold option values (strings)";
        var fixedOptions = field.DataSource is null ? options : null;
        if (fixedOptions is not null && values.FirstOrDefault(v => fixedOptions.All(o => o.Value != v)) is { } unknown)
            return $"'{unknown}' is not one of the field's options";
        normalized = field.Multiple ? new JsonArray([.. values.Select(v => (JsonNode)JsonValue.Create(v))]) : JsonValue.Create(values[0]);
        return null;
    }

    // {leftValue: optionValue (or [optionValues] when multiple)}.
    static string? CheckMap(FieldDefinition field, JsonNode value, IReadOnlyList<FieldOption>? labels, out JsonNode? normalized)
    {
        normalized = null;
        if (value is not JsonObject o) return "must be an object mapping each left value to an option value";
        var result = new JsonObject();
        foreach (var (left, right) in o)
        {
            if (labels is not null && labels.All(l => l.Value != left)) return $"'{left}' is not one of the field's labels";
            if (right is null) continue;
            var error = CheckChoice(field, right, field.Options, out var one);
            if (error is not null) return $"'{left}' {error}";
            result[left] = one;
        }
        normalized = result;
        return null;
    }

    // {logic: and|or, conditions: [{lhs, operator, rhs} | {logic, conditions}]}.
    static string? CheckRule(FieldDefinition field, JsonNode value, int depth)
    {
        if (depth > MaxRuleDepth) return $"nests rules deeper than {MaxRuleDepth} levels";
        if (value is not JsonObject rule) return "must be {logic, conditions}";
        if (AsString(rule["logic"]) is not ("and" or "or")) return "'logic' must be 'and' or 'or'";
        if (rule["conditions"] is not JsonArray conditions) return "'conditions' must be an array";
        foreach (var c in conditions)
        {
            if (c is not JsonObject condition) return "'conditions' must hold objects";
            if (condition.ContainsKey("logic"))
            {
                if (CheckRule(field, condition, depth + 1) is { } nested) return nested;
                continue;
            }
            var lhs = AsString(condition["lhs"]);
            var column = field.RuleColumns?.FirstOrDefault(x => x.Value == lhs);
            if (column is null) return $"condition lhs '{lhs}' is not one of the rule columns";
            var op = AsString(condition["operator"]);
            if (op is null || !RuleColumnTypes.OperatorsFor(column.Type).Contains(op)) return $"operator '{op}' does not apply to column '{lhs}'";
            if (op is "is_empty" or "is_not_empty") continue;
            var rhs = condition["rhs"];
            var ok = column.Type switch
            {
                RuleColumnTypes.Number => rhs is JsonValue v && (v.GetValueKind() == JsonValueKind.Number
                    || decimal.TryParse(AsString(v), NumberStyles.Float, CultureInfo.InvariantCulture, out _)),
                RuleColumnTypes.Select => AsString(rhs) is { } s && column.Options!.Any(o => o.Value == s),
                _ => AsString(rhs) is not null,
            };
            if (!ok) return $"rhs of column '{lhs}' must be a {(column.Type == RuleColumnTypes.Select ? "value among its options" : column.Type)}";
        }
        return null;
    }

    static string? AsString(JsonNode? node) =>
        node is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;

    public static ApiException Invalid(FieldDefinition field, string error)
    {
        ArgumentNullException.ThrowIfNull(field);
        return new ApiException(ApiError.Validation($"Field '{field.Name}' ({field.Id}) {error}"));
    }
}

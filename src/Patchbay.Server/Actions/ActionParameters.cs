using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Patchbay.Http;

namespace Patchbay.Actions;

// The body of an execute request checked against an action's parameters (AC3): every required one present, each of
// its type. Values may come as strings (Refold's forms send strings) or as JSON of the type. Unknown keys are ignored.
public static class ActionParameters
{
    public static Dictionary<string, JsonNode> Check(ActionManifest action, JsonObject given)
    {
        ArgumentNullException.ThrowIfNull(action);
        ArgumentNullException.ThrowIfNull(given);
        var typed = new Dictionary<string, JsonNode>(StringComparer.Ordinal);
        foreach (var parameter in action.Parameters)
        {
            var value = given[parameter.Name];
            if (value is null || (value is JsonValue v && v.GetValueKind() == JsonValueKind.String && v.GetValue<string>().Length == 0))
            {
                if (parameter.Required) throw Invalid($"Required parameter '{parameter.Name}' is missing");
                continue;
            }
            typed[parameter.Name] = Convert(parameter, value);
        }
        return typed;
    }

    static JsonNode Convert(ActionParameter parameter, JsonNode value)
    {
        var kind = value.GetValueKind();
        var text = kind == JsonValueKind.String ? value.GetValue<string>() : null;
        switch (parameter.Type)
        {
            case ActionParameterTypes.Number:
                if (kind == JsonValueKind.Number) return value.DeepClone();
                if (text is not null && decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number)) return JsonValue.Create(number);
                throw Invalid($"Parameter '{parameter.Name}' must be a number");
            case ActionParameterTypes.Boolean:
                if (kind is JsonValueKind.True or JsonValueKind.False) return value.DeepClone();
                if (text is "true" or "false") return JsonValue.Create(text == "true");
                throw Invalid($"Parameter '{parameter.Name}' must be true or false");
            case ActionParameterTypes.Json:
                if (text is null) return value.DeepClone();
                try { return JsonNode.Parse(text) ?? JsonValue.Create(text); }
                catch (JsonException) { return JsonValue.Create(text); } // a plain string is JSON text too
            case ActionParameterTypes.Select:
                var chosen = text ?? (kind is JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False ? value.ToJsonString() : null);
                if (chosen is not null && parameter.Options!.Any(o => o.Value == chosen)) return JsonValue.Create(chosen);
                throw Invalid($"Parameter '{parameter.Name}' must be one of: {string.Join(", ", parameter.Options!.Select(o => o.Value))}");
            default:
                if (text is not null) return JsonValue.Create(text);
                if (kind is JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False) return JsonValue.Create(value.ToJsonString());
                throw Invalid($"Parameter '{parameter.Name}' must be text");
        }
    }

    static ApiException Invalid(string message) => new(ApiError.Validation(message));
}

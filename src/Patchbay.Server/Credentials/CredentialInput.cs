using System.Globalization;
using System.Text.Json;
using Patchbay.Apps;
using Patchbay.Http;

namespace Patchbay.Credentials;

// Reads an auth type's fields from a credential body: strings as typed (trimmed: keys pasted from dashboards often
// carry a space), numbers and booleans as their text; required fields must be there, numbers must be numbers,
// selects one of their options, a declared pattern must match. Keys the manifest does not name are not stored.
// Values that land in a URL's host are checked here too (HostRules), so nothing is sent or stored with a bad one.
public static class CredentialInput
{
    public static Dictionary<string, string> Read(AppManifest app, string authType, JsonElement body, string? path = null)
    {
        ArgumentNullException.ThrowIfNull(app);
        var values = Read(app.Auth[authType].Inputs, body, path);
        HostRules.Check(app, authType, values, path);
        return values;
    }

    static Dictionary<string, string> Read(IReadOnlyList<FieldManifest> fields, JsonElement body, string? path)
    {
        ArgumentNullException.ThrowIfNull(fields);
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var field in fields)
        {
            var name = path is null ? field.Name : $"{path}.{field.Name}";
            string? value = null;
            if (body.ValueKind == JsonValueKind.Object && body.TryGetProperty(field.Name, out var raw))
            {
                if (raw.ValueKind is JsonValueKind.Object or JsonValueKind.Array)
                    throw new ApiException(ApiError.Validation($"'{name}' must be a string"));
                value = Json.CoerceToString(raw)?.Trim();
            }
            if (string.IsNullOrEmpty(value))
            {
                if (field.Required) throw new ApiException(ApiError.Validation($"'{name}' is required"));
                continue;
            }
            Limits.Check(value, name, Limits.Secret);
            switch (field.Type)
            {
                case "number" when !double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out _):
                    throw new ApiException(ApiError.Validation($"'{name}' must be a number"));
                case "boolean" when value is not ("true" or "false"):
                    throw new ApiException(ApiError.Validation($"'{name}' must be true or false"));
                case "select" when field.Options?.Any(o => o.Value == value) != true:
                    throw new ApiException(ApiError.Validation($"'{name}' must be one of: {string.Join(", ", field.Options?.Select(o => o.Value) ?? [])}"));
            }
            if (HostRules.PatternProblem(field, value, name) is { } problem) throw new ApiException(ApiError.Validation(problem));
            values[field.Name] = value;
        }
        return values;
    }
}

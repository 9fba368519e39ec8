using System.Text.Json;
using System.Text.RegularExpressions;
using Patchbay.Http;

namespace Patchbay.EnvironmentVariables;

// A definition as sent to the management routes; on update, null fields keep their current value.
public sealed record DefinitionInput(string? Name, string? Description, string? Scope, string? VarFormat, bool? Encrypted);

// POST /env/values (EN4).
public sealed record ValueInput(string DefinitionId, string Value, string? LinkedAccountId, string? WorkflowId);

public static partial class EnvironmentVariableInput
{
    public const int MaxNameLength = 128;

    // Names are what `{{env.NAME}}` reads: a letter or underscore, then letters, digits and underscores.
    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$", RegexOptions.CultureInvariant)]
    private static partial Regex NamePattern();

    public static DefinitionInput ParseDefinition(JsonElement root, bool update)
    {
        var name = Json.OptionalString(root, "name", max: MaxNameLength);
        if (name is not null && !NamePattern().IsMatch(name))
            throw new ApiException(ApiError.Validation("'name' must start with a letter or '_' and hold only letters, digits and '_'"));
        if (!update && name is null) throw new ApiException(ApiError.Validation("'name' is required"));

        var description = Json.OptionalString(root, "description");
        var scope = Json.OptionalString(root, "scope", max: Limits.Identifier);
        if (scope is not null && !VariableScopes.IsValid(scope))
            throw new ApiException(ApiError.Validation($"'scope' must be one of {string.Join(", ", VariableScopes.All)}"));
        if (!update && scope is null) throw new ApiException(ApiError.Validation("'scope' is required"));

        var format = Json.OptionalString(root, "var_format", max: Limits.Identifier);
        if (format is not null && !VariableFormats.IsValid(format))
            throw new ApiException(ApiError.Validation($"'var_format' must be one of {string.Join(", ", VariableFormats.All)}"));

        bool? encrypted = null;
        if (root.TryGetProperty("encrypted", out var e) && e.ValueKind != JsonValueKind.Null)
            encrypted = Json.StrictBool(root, "encrypted") ?? throw new ApiException(ApiError.Validation("'encrypted' must be a boolean"));
        return new DefinitionInput(name, description, scope, format, encrypted);
    }

    public static ValueInput ParseValue(JsonElement root)
    {
        var definitionId = Json.RequiredString(root, "variable_definition_id", max: Limits.Identifier);
        if (!root.TryGetProperty("value", out var raw) || raw.ValueKind == JsonValueKind.Null)
            throw new ApiException(ApiError.Validation("'value' is required"));
        // A number or boolean is taken as its text (a number variable may be sent as a JSON number).
        if (raw.ValueKind is JsonValueKind.Object or JsonValueKind.Array)
            throw new ApiException(ApiError.Validation("'value' must be a string"));
        var value = Limits.Check(Json.CoerceToString(raw), "value", Limits.Secret)!;
        var accountId = Json.OptionalString(root, "linked_account_id", max: Limits.Identifier);
        var workflowId = Json.OptionalString(root, "workflow_id", max: Limits.Identifier);
        return new ValueInput(definitionId, value, accountId is { Length: > 0 } ? accountId : null, workflowId is { Length: > 0 } ? workflowId : null);
    }

    // The `name` filter of EN1: a regular expression, bounded in time.
    public static Regex? NameFilter(string? pattern)
    {
        if (string.IsNullOrEmpty(pattern)) return null;
        Limits.Check(pattern, "name", Limits.Identifier);
        try
        {
            return new Regex(pattern, RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(50));
        }
        catch (ArgumentException)
        {
            throw new ApiException(ApiError.Validation("'name' is not a valid regular expression"));
        }
    }
}

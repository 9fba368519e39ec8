using System.Text.Json;
using System.Text.Json.Nodes;
using Patchbay.Http;

namespace Patchbay.Mcp;

// MC4's fields as sent: null = not sent (patch semantics); a field sent with JSON null clears an optional text.
public sealed record McpServerPatch
{
    public string? Name { get; init; }
    public string? Description { get; init; }
    public IReadOnlyList<McpAssociatedApp>? AssociatedApps { get; init; }
    public IReadOnlyList<McpSuggestion>? Suggestions { get; init; }
    public JsonArray? Chains { get; init; }
    public Sent<string>? AgentName { get; init; }
    public Sent<string>? PrimaryColor { get; init; }
    public Sent<string>? SecondaryColor { get; init; }
    public Sent<string>? BasePrompt { get; init; }
    public bool? SafeMode { get; init; }
    public bool? Enabled { get; init; }
}

// A text field that was sent, possibly as null.
public sealed record Sent<T>(T? Value);

// Parses MC2 and MC4 bodies into typed values; every malformed field is a 400 that names it.
public static class McpServerInput
{
    const int MaxApps = 100;
    const int MaxToolsPerApp = 500;
    const int MaxSuggestions = 100;
    const int MaxChainsBytes = 256 * 1024;

    public static (string Name, string Description)? ParseCreate(JsonElement body)
    {
        var name = body.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString()!.Trim() : null;
        var description = body.TryGetProperty("description", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString() : null;
        if (string.IsNullOrEmpty(name) || description is null) return null;
        return (CheckName(name), Limits.Check(description, "description", Limits.Text)!);
    }

    static string CheckName(string name)
    {
        if (name.Any(char.IsControl)) throw Invalid("'name' must be printable text");
        return Limits.Check(name, "name", Limits.Name)!;
    }

    public static ApiException Invalid(string detail) => new(ApiError.Validation("Invalid request body: " + detail));

    public static McpServerPatch ParseUpdate(JsonElement body)
    {
        var patch = new McpServerPatch();
        foreach (var property in body.EnumerateObject())
        {
            var v = property.Value;
            patch = property.Name switch
            {
                "name" => patch with { Name = CheckName(RequiredText(v, "name")) },
                "description" => patch with { Description = Limits.Check(Text(v, "description") ?? "", "description", Limits.Text) },
                "agent_name" => patch with { AgentName = new(Limits.Check(Text(v, "agent_name"), "agent_name", Limits.Name)) },
                "primary_color" => patch with { PrimaryColor = new(Limits.Check(Text(v, "primary_color"), "primary_color", Limits.Identifier)) },
                "secondary_color" => patch with { SecondaryColor = new(Limits.Check(Text(v, "secondary_color"), "secondary_color", Limits.Identifier)) },
                "base_prompt" => patch with { BasePrompt = new(Limits.Check(Text(v, "base_prompt"), "base_prompt", Limits.Text)) },
                "safe_mode" => patch with { SafeMode = Bool(v, "safe_mode") },
                "enabled" => patch with { Enabled = Bool(v, "enabled") },
                "associated_apps" => patch with { AssociatedApps = Apps(v) },
                "suggestions" => patch with { Suggestions = Suggestions(v) },
                "chains" => patch with { Chains = Chains(v) },
                _ => patch, // other fields of Refold's entry (notebooks, resources…) are not written through MC4
            };
        }
        return patch;
    }

    static string? Text(JsonElement v, string name) => v.ValueKind switch
    {
        JsonValueKind.String => v.GetString(),
        JsonValueKind.Null => null,
        _ => throw Invalid($"'{name}' must be a string"),
    };

    static string RequiredText(JsonElement v, string name) =>
        v.ValueKind == JsonValueKind.String && v.GetString()!.Trim() is { Length: > 0 } s ? s : throw Invalid($"'{name}' must be a non-empty string");

    static bool Bool(JsonElement v, string name) =>
        v.ValueKind is JsonValueKind.True or JsonValueKind.False ? v.GetBoolean() : throw Invalid($"'{name}' must be a boolean");

    // Each app: {slug, actions?, workflows?}; an action or workflow is its id or an object {id, name?, description?}.
    static List<McpAssociatedApp> Apps(JsonElement v)
    {
        if (v.ValueKind != JsonValueKind.Array) throw Invalid("'associated_apps' must be an array");
        if (v.GetArrayLength() > MaxApps) throw Invalid($"'associated_apps' holds at most {MaxApps} apps");
        var apps = new List<McpAssociatedApp>();
        var i = 0;
        foreach (var item in v.EnumerateArray())
        {
            var at = $"associated_apps[{i++}]";
            if (item.ValueKind != JsonValueKind.Object) throw Invalid($"'{at}' must be an object");
            var slug = item.TryGetProperty("slug", out var s) && s.ValueKind == JsonValueKind.String && s.GetString() is { Length: > 0 } text
                ? Limits.Check(text, $"{at}.slug", Limits.Identifier)!
                : throw Invalid($"'{at}.slug' must be a non-empty string");
            if (apps.Any(a => a.Slug == slug)) throw Invalid($"'{at}.slug' repeats '{slug}'");
            apps.Add(new McpAssociatedApp(slug, Ids(item, "workflows", at), Ids(item, "actions", at)));
        }
        return apps;
    }

    static List<string> Ids(JsonElement app, string field, string at)
    {
        if (!app.TryGetProperty(field, out var list) || list.ValueKind == JsonValueKind.Null) return [];
        if (list.ValueKind != JsonValueKind.Array) throw Invalid($"'{at}.{field}' must be an array");
        if (list.GetArrayLength() > MaxToolsPerApp) throw Invalid($"'{at}.{field}' holds at most {MaxToolsPerApp} entries");
        var ids = new List<string>();
        var j = 0;
        foreach (var entry in list.EnumerateArray())
        {
            var path = $"{at}.{field}[{j++}]";
            var id = entry.ValueKind switch
            {
                JsonValueKind.String => entry.GetString(),
                JsonValueKind.Object when entry.TryGetProperty("id", out var idValue) && idValue.ValueKind == JsonValueKind.String => idValue.GetString(),
                JsonValueKind.Object when entry.TryGetProperty("_id", out var idValue) && idValue.ValueKind == JsonValueKind.String => idValue.GetString(),
                _ => null,
            };
            if (string.IsNullOrEmpty(id) || id.Any(char.IsControl)) throw Invalid($"'{path}' must be an id or an object with an 'id'");
            Limits.Check(id, path, Limits.Identifier);
            if (!ids.Contains(id)) ids.Add(id);
        }
        return ids;
    }

    static List<McpSuggestion> Suggestions(JsonElement v)
    {
        if (v.ValueKind != JsonValueKind.Array) throw Invalid("'suggestions' must be an array");
        if (v.GetArrayLength() > MaxSuggestions) throw Invalid($"'suggestions' holds at most {MaxSuggestions} entries");
        var list = new List<McpSuggestion>();
        var i = 0;
        foreach (var item in v.EnumerateArray())
        {
            var at = $"suggestions[{i++}]";
            if (item.ValueKind != JsonValueKind.Object) throw Invalid($"'{at}' must be an object {{name, prompt}}");
            list.Add(new McpSuggestion(
                Limits.Check(Json.OptionalString(item, "name", $"{at}.name") ?? "", $"{at}.name", Limits.Name)!,
                Json.OptionalString(item, "prompt", $"{at}.prompt") ?? ""));
        }
        return list;
    }

    static JsonArray Chains(JsonElement v)
    {
        if (v.ValueKind != JsonValueKind.Array || v.EnumerateArray().Any(c => c.ValueKind != JsonValueKind.Object))
            throw Invalid("'chains' must be an array of objects");
        if (v.GetRawText().Length > MaxChainsBytes) throw Invalid($"'chains' is limited to {MaxChainsBytes / 1024} KB");
        return JsonNode.Parse(v.GetRawText())!.AsArray();
    }
}

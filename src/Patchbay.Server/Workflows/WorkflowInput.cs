using System.Globalization;
using System.Text.Json.Nodes;
using Patchbay.Http;
using Patchbay.Sandbox;
using Patchbay.Workflows.Engine;

namespace Patchbay.Workflows;

// The body of create and update (WF2, Patchbay's PUT): name, slug (or associated_application), description,
// workflow_alias, and the graph (nodes, edges, settings), which is the user's own JSON and is validated as a whole.
public sealed record WorkflowInput(JsonObject Body)
{
    // Workflows that belong to no app in the catalog.
    public const string CustomSlug = "custom";

    public string? Name { get; private init; }
    public string? Slug { get; private init; }

    public static WorkflowInput Parse(JsonObject body)
    {
        ArgumentNullException.ThrowIfNull(body);
        return new WorkflowInput(body)
        {
            Name = Limits.Check(WorkflowDefinition.Text(body["name"]), "name", Limits.Name),
            Slug = Limits.Check(WorkflowDefinition.Text(body["slug"]) ?? WorkflowDefinition.Text(body["associated_application"]), "slug", Limits.Identifier),
        };
    }

    // Applies name, description, alias, settings and the graph onto a draft, validating the graph (400 naming the
    // node or edge at fault).
    public WorkflowRow ApplyTo(WorkflowRow row)
    {
        ArgumentNullException.ThrowIfNull(row);
        var current = row.Definition == "{}" ? WorkflowDefinition.Empty() : JsonNode.Parse(row.Definition)!.AsObject();
        var graph = new JsonObject
        {
            ["nodes"] = (Body["nodes"] ?? current["nodes"])?.DeepClone(),
            ["edges"] = (Body["edges"] ?? current["edges"])?.DeepClone() ?? new JsonArray(),
            ["settings"] = Merge(Merge(current["settings"] as JsonObject, TopLevelSettings()), Body["settings"]),
        };
        var (definition, error) = WorkflowDefinition.Parse(graph, CodeSandbox.SyntaxError);
        if (definition is null) throw new ApiException(ApiError.Validation(error!));
        var alias = Body.ContainsKey("workflow_alias") ? WorkflowDefinition.Text(Body["workflow_alias"]) : row.Alias;
        if (alias is not null && (alias.Length is 0 or > 100 || alias.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))))
            throw new ApiException(ApiError.Validation("'workflow_alias' may hold letters, digits, '-', '_' and '.' (at most 100)"));
        return row with
        {
            Name = Name?.Trim() is { Length: > 0 } n ? n : row.Name,
            Description = Body.ContainsKey("description") ? Limits.Check(WorkflowDefinition.Text(Body["description"]), "description", Limits.Text) ?? "" : row.Description,
            Alias = alias,
            TriggerType = definition.TriggerType,
            TriggerEvent = definition.TriggerType == TriggerTypes.Event ? definition.TriggerEvent : null,
            Definition = definition.ToJson().ToJsonString(),
        };
    }

    // Refold's workflow document carries `autoEnable` and `data_slots` at its top level; Patchbay keeps them in
    // `settings` (where they may also be sent), so a body with either at the top level means the same.
    JsonObject? TopLevelSettings()
    {
        JsonObject? moved = null;
        foreach (var name in (ReadOnlySpan<string>)["autoEnable", "data_slots"])
        {
            if (!Body.ContainsKey(name)) continue;
            if (name == "autoEnable" && Body[name]?.GetValueKind() is not (System.Text.Json.JsonValueKind.True or System.Text.Json.JsonValueKind.False))
                throw new ApiException(ApiError.Validation("'autoEnable' must be true or false"));
            (moved ??= [])[name] = Body[name]?.DeepClone();
        }
        return moved;
    }

    static JsonObject Merge(JsonObject? current, JsonNode? update)
    {
        var merged = (JsonObject?)current?.DeepClone() ?? [];
        if (update is null) return merged;
        if (update is not JsonObject o) throw new ApiException(ApiError.Validation("'settings' must be an object"));
        foreach (var (key, value) in o) merged[key] = value?.DeepClone();
        return merged;
    }

    // WF1's query: scope=private, published, slug (or application_id), name, start_date, end_date.
    public sealed record Filter(bool PrivateOnly, bool? Published, string? Slug, string? Name, DateTimeOffset? From, DateTimeOffset? To);

    public static Filter ListFilter(IQueryCollection q)
    {
        ArgumentNullException.ThrowIfNull(q);
        bool? published = q["published"].ToString() switch
        {
            "true" => true,
            "false" => false,
            "" => null,
            _ => throw new ApiException(ApiError.Validation("'published' must be true or false")),
        };
        return new(q["scope"] == "private", published, NonEmpty(q["slug"]) ?? NonEmpty(q["application_id"]), NonEmpty(q["name"]),
            Date(q["start_date"], "start_date"), Date(q["end_date"], "end_date", endOfDay: true));
    }

    static string? NonEmpty(string? s) => string.IsNullOrWhiteSpace(s) ? null : s;

    // A day (YYYY-MM-DD, its start or with `endOfDay` its last tick) or an ISO 8601 instant.
    public static DateTimeOffset? Date(string? value, string name, bool endOfDay = false)
    {
        if (string.IsNullOrWhiteSpace(value)) return null;
        if (DateTimeOffset.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var day))
            return endOfDay ? day.AddDays(1).AddTicks(-1) : day;
        if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)) return at;
        throw new ApiException(ApiError.Validation($"'{name}' must be a date (YYYY-MM-DD) or an ISO 8601 instant"));
    }
}

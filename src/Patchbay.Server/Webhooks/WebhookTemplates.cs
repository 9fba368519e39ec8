using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Patchbay.Webhooks;

// What a body or header template may refer to: `{{event}}` / `{{event.<key>}}`, `{{workflow_response}}` /
// `{{workflow_response.<key>}}` (workflow events) and `{{linked_account_name}}`.
public sealed record TemplateVariables(JsonObject Event, JsonNode? WorkflowResponse, string? LinkedAccountName);

// Body templates and `webhook_type`. The type is not stored: it is read from the template, as Refold does —
// `"{{event}}"` is the default body, an object whose one key is `text` is a Slack message, anything else is custom.
public static partial class WebhookTemplates
{
    public const string DefaultTemplate = "{{event}}";

    public static JsonNode DefaultBody => JsonValue.Create(DefaultTemplate);

    // A Slack incoming-webhook message: one line naming the event, the workflow or app, and the linked account.
    public static JsonNode SlackBody => new JsonObject
    {
        ["text"] = "{{event.event}}: {{event.workflow_name}}{{event.slug}} (linked account {{event.linked_account_id}})",
    };

    public static string TypeOf(JsonNode? body) => body switch
    {
        null => WebhookTypes.Default,
        JsonValue v when v.TryGetValue<string>(out var s) && s.Trim() == DefaultTemplate => WebhookTypes.Default,
        JsonObject o when o.Count == 1 && o["text"] is JsonValue t && t.TryGetValue<string>(out _) => WebhookTypes.Slack,
        _ => WebhookTypes.Custom,
    };

    // Renders a template: a string that is one placeholder becomes the value itself (an object stays an object),
    // placeholders inside longer strings become text; objects and arrays are rendered member by member.
    public static JsonNode? Render(JsonNode? template, TemplateVariables variables)
    {
        ArgumentNullException.ThrowIfNull(variables);
        switch (template)
        {
            case null:
                return null;
            case JsonObject o:
                var rendered = new JsonObject();
                foreach (var (key, value) in o) rendered[key] = Render(value, variables);
                return rendered;
            case JsonArray a:
                return new JsonArray(a.Select(item => Render(item, variables)).ToArray());
            case JsonValue v when v.TryGetValue<string>(out var s):
                var whole = Placeholder().Match(s);
                if (whole.Success && whole.Length == s.Length) return Resolve(whole.Groups[1].Value, variables)?.DeepClone();
                return JsonValue.Create(RenderText(s, variables));
            default:
                return template.DeepClone();
        }
    }

    public static string RenderText(string template, TemplateVariables variables)
    {
        ArgumentNullException.ThrowIfNull(template);
        return Placeholder().Replace(template, m => Resolve(m.Groups[1].Value, variables) switch
        {
            null => "",
            JsonValue v when v.TryGetValue<string>(out var s) => s,
            var node => node.ToJsonString(),
        });
    }

    static JsonNode? Resolve(string path, TemplateVariables variables)
    {
        var parts = path.Split('.');
        JsonNode? node = parts[0] switch
        {
            "event" => variables.Event,
            "workflow_response" => variables.WorkflowResponse,
            "linked_account_name" => variables.LinkedAccountName is { } name ? JsonValue.Create(name) : null,
            _ => null,
        };
        foreach (var key in parts.Skip(1))
        {
            node = node is JsonObject o ? o[key] : null;
            if (node is null) return null;
        }
        return node;
    }

    // The stored template text, and back.
    public static string Store(JsonNode body)
    {
        ArgumentNullException.ThrowIfNull(body);
        return body.ToJsonString();
    }

    public static JsonNode? Load(string stored) => JsonNode.Parse(stored);

    public static JsonNode? ParseResponse(string? returnValue)
    {
        if (returnValue is null) return null;
        try
        {
            return JsonNode.Parse(returnValue);
        }
        catch (JsonException)
        {
            return JsonValue.Create(returnValue);
        }
    }

    [GeneratedRegex(@"\{\{\s*([A-Za-z0-9_\-]+(?:\.[A-Za-z0-9_\-]+)*)\s*\}\}", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex Placeholder();
}

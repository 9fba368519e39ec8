using System.Text.Json;
using System.Text.Json.Nodes;
using Patchbay.Http;

namespace Patchbay.Webhooks;

// The fields of WH2 (create) and WH4 (patch): null means absent; `Has*` tells an explicit null from an absent key
// where the difference matters (clearing a slug, a group, the headers).
public sealed record WebhookInput
{
    public const int MaxUrlLength = 2048;
    public const int MaxEvents = 50;
    public const int MaxWorkflowIds = 500;
    public const int MaxHeaders = 50;

    public string? Url { get; init; }
    public IReadOnlyList<string>? Events { get; init; }
    public IReadOnlyList<string>? WorkflowIds { get; init; }
    public bool HasSlug { get; init; }
    public string? Slug { get; init; }
    public JsonNode? Body { get; init; }
    public bool HasHeaders { get; init; }
    public JsonObject? Headers { get; init; }
    public bool HasWebhookDescription { get; init; }
    public string? WebhookDescription { get; init; }
    public bool HasDescription { get; init; }
    public string? Description { get; init; }
    public string? Method { get; init; }
    public string? Type { get; init; }
    public bool? IsEnabled { get; init; }
    public bool HasGroup { get; init; }
    public string? Group { get; init; }

    public static ApiError InvalidEvent => ApiError.BadRequest(WebhookErrors.InvalidEvent, "Invalid event. Check events list in documentation.");

    public static WebhookInput Parse(JsonElement root)
    {
        var url = Json.OptionalString(root, "webhook_url", max: MaxUrlLength);
        if (url is not null && !ValidUrl(url))
            throw new ApiException(ApiError.Validation("'webhook_url' must be an absolute http:// or https:// URL"));
        return new WebhookInput
        {
            Url = url,
            Events = ParseEvents(root),
            WorkflowIds = Strings(root, "workflow_ids", MaxWorkflowIds),
            HasSlug = root.TryGetProperty("slug", out _),
            Slug = Json.OptionalString(root, "slug", max: Limits.Identifier) is { Length: > 0 } slug ? slug : null,
            Body = root.TryGetProperty("webhook_body", out var body) && body.ValueKind is not JsonValueKind.Null ? ParseBody(body) : null,
            HasHeaders = root.TryGetProperty("webhook_headers", out _),
            Headers = ParseHeaders(root),
            HasWebhookDescription = root.TryGetProperty("webhook_description", out _),
            WebhookDescription = Json.OptionalString(root, "webhook_description"),
            HasDescription = root.TryGetProperty("description", out _),
            Description = Json.OptionalString(root, "description"),
            Method = ParseMethod(root),
            Type = ParseType(root),
            IsEnabled = Json.OptionalBool(root, "is_enabled"),
            HasGroup = root.TryGetProperty("group", out _),
            Group = Json.OptionalString(root, "group", max: Limits.Name) is { Length: > 0 } group ? group : null,
        };
    }

    public static bool ValidUrl(string url) =>
        (url.StartsWith("http://", StringComparison.Ordinal) || url.StartsWith("https://", StringComparison.Ordinal))
        && Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Host.Length > 0;

    // Names as Refold writes them; kebab-case ids of the deprecated API are accepted too. Unknown names: INVALID_EVENT.
    static List<string>? ParseEvents(JsonElement root)
    {
        var names = Strings(root, "webhook_events", MaxEvents);
        if (names is null) return null;
        var events = new List<string>();
        foreach (var name in names)
        {
            var known = WebhookEvents.Normalize(name) ?? throw new ApiException(InvalidEvent);
            if (!events.Contains(known)) events.Add(known);
        }
        return events;
    }

    static List<string>? Strings(JsonElement root, string name, int max)
    {
        if (!root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null) return null;
        if (value.ValueKind != JsonValueKind.Array) throw new ApiException(ApiError.Validation($"'{name}' must be an array of strings"));
        if (value.GetArrayLength() > max) throw new ApiException(ApiError.Validation($"'{name}' may hold at most {max} items"));
        var list = new List<string>();
        foreach (var item in value.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String) throw new ApiException(ApiError.Validation($"'{name}' must be an array of strings"));
            list.Add(Limits.Check(item.GetString(), name, Limits.Identifier)!);
        }
        return list;
    }

    static JsonNode ParseBody(JsonElement body)
    {
        if (body.ValueKind is not (JsonValueKind.String or JsonValueKind.Object or JsonValueKind.Array))
            throw new ApiException(ApiError.Validation("'webhook_body' must be a template string or a JSON object"));
        if (body.GetRawText().Length > Limits.Text) throw new ApiException(ApiError.Validation($"'webhook_body' must be at most {Limits.Text} characters"));
        return JsonNode.Parse(body.GetRawText())!;
    }

    static JsonObject? ParseHeaders(JsonElement root)
    {
        if (Json.OptionalObject(root, "webhook_headers") is not { } headers) return null;
        var pairs = Json.ScalarMap(headers, "webhook_headers");
        if (pairs.Count > MaxHeaders) throw new ApiException(ApiError.Validation($"'webhook_headers' may hold at most {MaxHeaders} headers"));
        var result = new JsonObject();
        foreach (var (name, value) in pairs)
        {
            if (name.Length == 0 || !name.All(c => c > ' ' && c < 127 && c != ':'))
                throw new ApiException(ApiError.Validation($"'webhook_headers' has an invalid header name '{name}'"));
            if (value is null || value.Any(c => c is '\r' or '\n'))
                throw new ApiException(ApiError.Validation($"'webhook_headers.{name}' must be a single-line string"));
            result[name] = value;
        }
        return result;
    }

    static string? ParseMethod(JsonElement root)
    {
        if (Json.OptionalString(root, "method", max: 16) is not { } method) return null;
        var upper = method.ToUpperInvariant();
        return WebhookMethods.All.Contains(upper) ? upper : throw new ApiException(ApiError.Validation("'method' must be one of POST, PUT, PATCH"));
    }

    static string? ParseType(JsonElement root)
    {
        if (Json.OptionalString(root, "webhook_type", max: 16) is not { } type) return null;
        return WebhookTypes.All.Contains(type) ? type : throw new ApiException(ApiError.Validation("'webhook_type' must be one of default, slack, custom"));
    }
}

public static class WebhookErrors
{
    public const string InvalidEvent = "INVALID_EVENT";

    public static ApiError NotFound => ApiError.BadRequest(Http.ErrorCodes.ResourceNotFound, "Webhook not found");
}

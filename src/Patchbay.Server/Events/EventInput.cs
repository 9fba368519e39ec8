using System.Text.Json;
using System.Text.Json.Nodes;
using Patchbay.Http;
using Patchbay.Workflows.Engine;

namespace Patchbay.Events;

// The body of create and update (EV2, EV4): {name, response (a sample payload: JSON text or any JSON value),
// json_schema?}.
public sealed record EventInput(string Name, string Response, IReadOnlyList<EventField> Fields, string? JsonSchema)
{
    public static async Task<EventInput> ReadAsync(HttpContext http, bool update)
    {
        using var body = await JsonBody.ReadObjectAsync(http);
        var root = body.RootElement;
        var name = root.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String ? Limits.Check(n.GetString(), "name", Limits.Name)!.Trim() : "";
        if (name.Length == 0 || !root.TryGetProperty("response", out var r) || r.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined)
        {
            throw new ApiException(update // EV4 and EV2 word it differently
                ? ApiError.BadRequest("INVALID_EVENT", "Event name and response is required")
                : ApiError.BadRequest(ErrorCodes.ServerError, "name and response are required"));
        }
        var response = r.ValueKind == JsonValueKind.String ? r.GetString()! : r.GetRawText();
        IReadOnlyList<EventField> fields;
        using (var sample = JsonBody.Parse(response, "'response' (a JSON sample of the event's payload)"))
            fields = Flatten(sample.RootElement);
        string? schema = null;
        if (root.TryGetProperty("json_schema", out var s) && s.ValueKind != JsonValueKind.Null)
        {
            if (s.ValueKind != JsonValueKind.Object) throw new ApiException(ApiError.Validation("'json_schema' must be an object"));
            schema = s.GetRawText();
        }
        return new EventInput(name, response, fields, schema);
    }

    // The sample's keys under `payload`, after the two every event has (the list Refold shows as `response`).
    static List<EventField> Flatten(JsonElement sample)
    {
        var fields = new List<EventField> { new("event", "text"), new("payload", "object") };
        void Walk(JsonElement node, string path)
        {
            if (node.ValueKind != JsonValueKind.Object) return;
            foreach (var property in node.EnumerateObject())
            {
                var full = $"{path}.{property.Name}";
                fields.Add(new EventField(full, property.Value.ValueKind switch
                {
                    JsonValueKind.Object => "object",
                    JsonValueKind.Array => "array",
                    JsonValueKind.Number => "number",
                    JsonValueKind.True or JsonValueKind.False => "boolean",
                    _ => "text",
                }));
                Walk(property.Value, full);
            }
        }
        Walk(sample, "payload");
        return fields;
    }
}

// Firing an event (EV6–EV10): {event | trigger, payload, slug?, config_id?} as JSON, or multipart with `payload` as JSON text and
// the files kept as base64 under payload.files.
public sealed record EventFireInput(string? EventName, JsonNode Payload, string? Slug, string? ConfigId = null)
{
    public static async Task<EventFireInput> ReadAsync(HttpContext http, string? slug, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(http);
        if (!http.Request.HasFormContentType)
        {
            var root = await JsonBody.ReadNodeAsync(http);
            var eventName = Limits.Check(WorkflowDefinition.Text(root["event"]) ?? WorkflowDefinition.Text(root["trigger"]), "event", Limits.Name);
            return new EventFireInput(eventName, root["payload"]?.DeepClone() ?? new JsonObject(),
                slug ?? Limits.Check(WorkflowDefinition.Text(root["slug"]), "slug", Limits.Identifier),
                Limits.Check(WorkflowDefinition.Text(root["config_id"]), "config_id", Limits.Identifier));
        }

        IFormCollection form;
        try { form = await http.Request.ReadFormAsync(ct); }
        catch (Exception e) when (e is InvalidDataException or IOException or BadHttpRequestException)
        {
            throw new ApiException(ApiError.Validation("The multipart body could not be read: " + e.Message));
        }
        var name = Limits.Check(NonEmpty(form["event"]) ?? NonEmpty(form["trigger"]), "event", Limits.Name);
        JsonNode payload = new JsonObject();
        if (NonEmpty(form["payload"]) is { } text)
        {
            using var parsed = JsonBody.Parse(text, "'payload'");
            payload = JsonNode.Parse(parsed.RootElement.GetRawText()) ?? payload;
        }
        if (form.Files.Count > 0)
        {
            if (payload is not JsonObject holder) throw new ApiException(ApiError.Validation("'payload' must be an object to carry files"));
            var files = new JsonArray();
            foreach (var file in form.Files)
            {
                using var buffer = new MemoryStream();
                await file.CopyToAsync(buffer, ct);
                files.Add(new JsonObject
                {
                    ["field"] = file.Name, ["filename"] = file.FileName, ["content_type"] = file.ContentType, ["size"] = file.Length,
                    ["content_base64"] = Convert.ToBase64String(buffer.ToArray()),
                });
            }
            holder["files"] = files;
        }
        return new EventFireInput(name, payload, slug, Limits.Check(NonEmpty(form["config_id"]), "config_id", Limits.Identifier));
    }

    public static string? NonEmpty(string? s) => string.IsNullOrWhiteSpace(s) ? null : s;
}

using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Patchbay.Events;

// A custom trigger of the org's default app (refold-api.md §3.8; OpenAPI `CustomTrigger`). `response` is the sample
// payload as the client sent it; `json_schema` is the client's own JSON.
public sealed record EventResponse(
    [property: JsonPropertyName("_id")] string Id,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("response")] string Response,
    [property: JsonPropertyName("fields")] IReadOnlyList<EventField> Fields,
    [property: JsonPropertyName("json_schema"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] JsonNode? JsonSchema);

// One key of the sample payload, dot-separated for nesting (`payload.user.email`), with its type: text, number,
// boolean, object or array.
public sealed record EventField(
    [property: JsonPropertyName("key")] string Key,
    [property: JsonPropertyName("type")] string Type);

// EV6–EV10 (OpenAPI `WebhookFiredResponse`).
public sealed record EventFiredResponse([property: JsonPropertyName("message")] string Message);

// Create and update bodies (EV2, EV4), for the API reference; EventInput parses them. `response` is a sample of the
// event's payload: JSON text, or the JSON value itself.
public sealed record EventRequest(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("response")] JsonNode Response,
    [property: JsonPropertyName("json_schema")] JsonObject? JsonSchema = null);

// Firing an event (EV6–EV10): `event` (or its alias `trigger`) names it; `payload` is the workflows' input. A
// multipart/form-data body works too (`payload` as JSON text, files as further fields).
public sealed record FireEventRequest(
    [property: JsonPropertyName("event")] string? Event = null,
    [property: JsonPropertyName("trigger")] string? Trigger = null,
    [property: JsonPropertyName("payload")] JsonNode? Payload = null,
    [property: JsonPropertyName("slug")] string? Slug = null);

using System.Text.Json;
using System.Text.Json.Nodes;
using Patchbay.Http;

namespace Patchbay.Events;

// `fields` is the stored EventField list (JSON); `json_schema` the user's schema as sent.
public sealed record EventRow(string Id, string OrgId, string Environment, string Name, string Response, string Fields, string? JsonSchema,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    public static string Serialize(IReadOnlyList<EventField> fields) => JsonSerializer.Serialize(fields, ApiJson.Options);

    public EventResponse ToResponse() => new(Id, Name, Response,
        JsonSerializer.Deserialize<List<EventField>>(Fields, ApiJson.Options) ?? [],
        JsonSchema is null ? null : JsonNode.Parse(JsonSchema));
}

using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Patchbay.Audit;

// One entry of GET /api/v2/public/audit/audit-trails. Refold documents the route but not its body; the entry keeps
// Refold's Mongo-style names (`_id`, `createdAt`) and its event names.
public sealed record AuditEntryResponse(
    [property: JsonPropertyName("_id")] string Id,
    [property: JsonPropertyName("event")] string Event,
    [property: JsonPropertyName("resource_type")] string ResourceType,
    [property: JsonPropertyName("resource_id")] string? ResourceId,
    [property: JsonPropertyName("linked_account_id")] string? LinkedAccountId,
    [property: JsonPropertyName("environment")] string Environment,
    [property: JsonPropertyName("actor")] AuditActorResponse Actor,
    [property: JsonPropertyName("ip_address")] string? IpAddress,
    [property: JsonPropertyName("request_id")] string? RequestId,
    // A small summary whose fields depend on the event (names, ids, counts, flags; never a secret value).
    [property: JsonPropertyName("details")] JsonObject Details,
    [property: JsonPropertyName("createdAt")] DateTimeOffset CreatedAt)
{
    public static AuditEntryResponse From(AuditRow row)
    {
        ArgumentNullException.ThrowIfNull(row);
        return new(row.Id, row.Event, row.ResourceType, row.ResourceId, row.LinkedAccountId, row.Environment,
            new AuditActorResponse(row.ActorType, row.ActorId), row.IpAddress, row.RequestId,
            JsonNode.Parse(row.Details) as JsonObject ?? [], row.CreatedAt);
    }
}

// `type`: api_key (id: the key's id), session_token (id: the session's id), admin, cli (id: the OS user), system.
public sealed record AuditActorResponse(
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("id")] string? Id);

using System.Text.Json.Serialization;

namespace Patchbay.Connections;

// What the connections feature tells other features through the outbox (Workers/Outbox.cs), written in the same
// transaction as the change to the connection.
public static class ConnectionTopics
{
    // A linked account connected an app (or connected it again).
    public const string Created = "connection.created";

    // A connection (or a whole integration) was removed.
    public const string Deleted = "connection.deleted";

    // A connection flipped to reauth_required: its token was revoked or could not be refreshed, or its key was rejected.
    public const string Expired = "connection.expired";
}

public sealed record ConnectionChanged(
    [property: JsonPropertyName("linked_account_id")] string LinkedAccountId,
    [property: JsonPropertyName("slug")] string Slug,
    [property: JsonPropertyName("auth_type"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? AuthType,
    [property: JsonPropertyName("at")] DateTimeOffset At);

using System.Text.Json.Serialization;

namespace Patchbay.Mcp;

// A dedicated MCP token as listed: never the token itself, only its hint.
public sealed record McpTokenResponse(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("server_id")] string ServerId,
    [property: JsonPropertyName("name"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Name,
    [property: JsonPropertyName("hint")] string Hint,
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("expires_at")] DateTimeOffset ExpiresAt,
    [property: JsonPropertyName("revoked_at"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DateTimeOffset? RevokedAt,
    [property: JsonPropertyName("created_at")] DateTimeOffset CreatedAt);

// The answer to minting a token: the only time the token is shown.
public sealed record McpTokenCreated(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("server_id")] string ServerId,
    [property: JsonPropertyName("name"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Name,
    [property: JsonPropertyName("token")] string Token,
    [property: JsonPropertyName("hint")] string Hint,
    [property: JsonPropertyName("url")] string Url,
    [property: JsonPropertyName("expires_at")] DateTimeOffset ExpiresAt,
    [property: JsonPropertyName("created_at")] DateTimeOffset CreatedAt);

public sealed record McpTokenList(
    [property: JsonPropertyName("tokens")] IReadOnlyList<McpTokenResponse> Tokens);

// The body of minting a token: an optional label and lifetime in seconds (default 30 days, at most a year).
public sealed record CreateMcpTokenRequest(
    [property: JsonPropertyName("name")] string? Name = null,
    [property: JsonPropertyName("expires_in")] long? ExpiresIn = null);

// `status` of a listed token.
public static class McpTokenStatus
{
    public const string Active = "active";
    public const string Expired = "expired";
    public const string Revoked = "revoked";
}

// One entry of the tool-call log.
public sealed record McpToolCallResponse(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("server_id")] string ServerId,
    [property: JsonPropertyName("linked_account_id")] string LinkedAccountId,
    [property: JsonPropertyName("tool")] string Tool,
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("duration_ms")] long DurationMs,
    [property: JsonPropertyName("error"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Error,
    [property: JsonPropertyName("approval_id"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? ApprovalId,
    [property: JsonPropertyName("created_at")] DateTimeOffset CreatedAt);

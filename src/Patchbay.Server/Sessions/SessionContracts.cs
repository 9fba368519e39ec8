using System.Text.Json.Serialization;

namespace Patchbay.Sessions;

public sealed record SessionTokenResponse(string Token, string RefreshToken, long ExpiresIn, long RefreshExpiresIn);

public sealed record RevokeSessionResponse(bool Success, int RevokedCount);

// The issue body (refold-api.md §3.2); `account_id` is accepted as an alias.
public sealed record SessionTokenRequest(
    [property: JsonPropertyName("linked_account_id")] string LinkedAccountId,
    [property: JsonPropertyName("account_id")] string? AccountId = null);

public sealed record RefreshSessionRequest([property: JsonPropertyName("refresh_token")] string RefreshToken);

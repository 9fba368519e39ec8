namespace Patchbay.Connections;

public sealed record ConnectionRow
{
    public required string Id { get; init; }
    public required string IntegrationId { get; init; }
    public required string AuthType { get; init; }
    public required string Status { get; init; }
    public string? Identifier { get; init; }
    public required string SealedCredentials { get; init; }
    public DateTimeOffset ConnectedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }
    public DateTimeOffset? LastVerifiedAt { get; init; }
    public DateTimeOffset? NextCheckAt { get; init; }
    public int CheckFailures { get; init; }
}

// A connection of one linked account as the application endpoints show it.
public sealed record AccountConnection
{
    public required string AppKey { get; init; }
    public required string AuthType { get; init; }
    public required string Status { get; init; }
    public string? Identifier { get; init; }
    public DateTimeOffset ConnectedAt { get; init; }
}

public static class ConnectionStatus
{
    public const string Active = "active";
    public const string Expired = "expired";
}

public sealed record ConnectionSchedule(DateTimeOffset? NextCheckAt = null, DateTimeOffset? TokenExpiresAt = null, DateTimeOffset? RefreshAt = null);

// A connection with what its use needs: where it belongs (org, environment, account) and its app.
public sealed record ConnectionContext
{
    public required string Id { get; init; }
    public required string IntegrationId { get; init; }
    public required string AuthType { get; init; }
    public required string Status { get; init; }
    public required string SealedCredentials { get; init; }
    public DateTimeOffset? TokenExpiresAt { get; init; }
    public DateTimeOffset? RefreshAt { get; init; }
    public int RefreshFailures { get; init; }
    public required string AppKey { get; init; }
    public required string OrgId { get; init; }
    public required string Environment { get; init; }
    public required string AccountRowId { get; init; }
    public required string AccountId { get; init; }
}

// A connection claimed for a re-check, with what verifying it needs.
public sealed record RecheckClaim
{
    public required string Id { get; init; }
    public required string AppKey { get; init; }
    public required string AuthType { get; init; }
    public required string IntegrationId { get; init; }
    public required string SealedCredentials { get; init; }
    public int CheckFailures { get; init; }
}

// How a re-check ended: verified, refused by the provider (the connection expires), not checkable now (retried with
// backoff), or not checkable at all any more (the app or its check is gone).
public enum RecheckOutcome
{
    Verified,
    Rejected,
    Deferred,
    Unverifiable,
}

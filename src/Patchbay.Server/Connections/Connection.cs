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

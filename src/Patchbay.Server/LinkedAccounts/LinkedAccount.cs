using System.Text.Json;
using Patchbay.Http;

namespace Patchbay.LinkedAccounts;

public sealed record LinkedAccountRow
{
    public required string Id { get; init; }
    public required string OrgId { get; init; }
    public required string Environment { get; init; }
    public required string AccountId { get; init; }
    public required string Name { get; init; }
    public required string Udf { get; init; } // JSON: UdfEntry[]
    public string? Scope { get; init; }
    public int Version { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }

    public List<UdfEntry> UdfEntries() => JsonSerializer.Deserialize<List<UdfEntry>>(Udf, ApiJson.Options) ?? [];

    public static string Serialize(IReadOnlyList<UdfEntry> entries) => JsonSerializer.Serialize(entries, ApiJson.Options);

    public LinkedAccountResponse ToResponse(IReadOnlyList<IntegrationResponse>? integrations, bool? newAccount = null) => new(
        Id, OrgId, AccountId, Environment, Name, UdfEntries(), IsSeed: false, TenantAccountId: null, Scope,
        integrations, CreatedAt, UpdatedAt, Version, newAccount);
}

public sealed record IntegrationRow
{
    public required string Id { get; init; }
    public required string LinkedAccountId { get; init; }
    public required string AppKey { get; init; }
    public required string Type { get; init; }
    public string? AppId { get; init; }
    public required string Name { get; init; }
    public string? Icon { get; init; }
    public string? Identifier { get; init; }
    public bool IsDefault { get; init; }
    public bool ReauthRequired { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }

    // Credentials, tokens and connections are never part of a read (refold-api.md §3.1: "stripped").
    public IntegrationResponse ToResponse() =>
        new(Id, Type, Name, Icon, Identifier, AppId, ReauthRequired, IsDefault ? true : null, CreatedAt, UpdatedAt);
}

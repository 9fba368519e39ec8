namespace Patchbay.EnvironmentVariables;

public sealed record VariableDefinitionRow
{
    public required string Id { get; init; }
    public required string OrgId { get; init; }
    public required string Name { get; init; }
    public string Description { get; init; } = "";
    public required string Scope { get; init; }
    public required string VarFormat { get; init; }
    public bool Encrypted { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }

    public VariableDefinitionResponse ToResponse() => new(Id, OrgId, Name, Description, Scope, VarFormat, Encrypted, CreatedAt, UpdatedAt);
}

// A value row with what its answers need from its definition and linked account. `Value` holds a plain value,
// `SealedValue` an encrypted one (vault ciphertext bound to the row id).
public sealed record VariableValueRow
{
    public required string Id { get; init; }
    public required string DefinitionId { get; init; }
    public required string OrgId { get; init; }
    public required string Environment { get; init; }
    public string? LinkedAccountRowId { get; init; }
    public string? AccountId { get; init; }
    public string? WorkflowId { get; init; }
    public string? Value { get; init; }
    public string? SealedValue { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }
    public string Name { get; init; } = "";
    public string Scope { get; init; } = VariableScopes.Org;
    public bool Encrypted { get; init; }

    public static string SealContext(string id) => Vault.Vault.Context("env_values", id);

    // Encrypted values never leave the server in clear (refold-api.md §3.17 EN3, EN5).
    public string WireValue => SealedValue is not null ? EnvStatus.Redacted : Value ?? "";

    public EnvValueResponse ToResponse() => new(Id, DefinitionId, OrgId, Environment, AccountId, WorkflowId, WireValue, Name, Scope,
        SealedValue is not null, CreatedAt, UpdatedAt);
}

namespace Patchbay.Vault;

// Every column that holds vault ciphertext, with the columns that identify its row. The associated data of a value
// is "<table>/<key values…>", so `vault reencrypt` can re-seal every value without knowing the feature behind it.
// A feature that seals a new column adds it here.
public static class SealedColumns
{
    public sealed record Column(string Table, string ValueColumn, string[] KeyColumns);

    public static readonly IReadOnlyList<Column> All =
    [
        new("server_secrets", "sealed_value", ["name"]),
        new("integration_credentials", "sealed_value", ["integration_id", "key"]),
        new("connections", "sealed_credentials", ["integration_id", "auth_type"]),
        new("oauth_clients", "sealed_client_secret", ["org_id", "environment", "slug"]),
        new("oauth_states", "sealed_context", ["id"]),
    ];
}

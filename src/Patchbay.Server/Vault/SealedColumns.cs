using Patchbay.Data;

namespace Patchbay.Vault;

// Every column that holds vault ciphertext, with the columns that identify its row. The associated data of a value
// is "<table>/<key values…>", so `vault reencrypt` can re-seal every value without knowing the feature behind it.
// A feature that seals a new column adds it here. A column may be nullable (null: nothing sealed).
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
        new("env_values", "sealed_value", ["id"]),
        new("api_keys", "sealed_key", ["id"]),
        new("webhooks", "sealed_secret", ["id"]),
        new("webhooks", "sealed_previous_secret", ["id"]),
    ];
}

// The SQL of `vault reencrypt` and `vault status` over every sealed column.
public static class SealedColumnStore
{
    public static Task<IReadOnlyList<string>> ValuesAsync(Db db, SealedColumns.Column column, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(column);
        // A column may be null where a row holds no secret (a plain environment variable value).
        return db.QueryAsync<string>($"select {column.ValueColumn} from {column.Table} where {column.ValueColumn} is not null", null, ct);
    }

    // Up to `limit` rows whose value is not sealed under `activePrefix`, in key order after `after` (null: from the
    // start). Each row is its key values and its sealed value.
    public static async Task<IReadOnlyList<(string[] Keys, string Sealed)>> NotUnderAsync(Db db, SealedColumns.Column column, string activePrefix,
        string[]? after, int limit, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(column);
        var keys = string.Join(", ", column.KeyColumns);
        var from = string.Join(", ", column.KeyColumns.Select((_, i) => $"@k{i}"));
        var args = new Dapper.DynamicParameters(new { prefix = activePrefix, limit });
        for (var i = 0; after is not null && i < after.Length; i++) args.Add($"k{i}", after[i]);
        var page = await db.QueryAsync<dynamic>($"""
            select {keys}, {column.ValueColumn} as sealed_value from {column.Table}
            where {column.ValueColumn} not like @prefix {(after is null ? "" : $"and ({keys}) > ({from})")}
            order by {keys} limit @limit
            """, args, ct);
        return page.Select(r => (IDictionary<string, object>)r)
            .Select(r => (column.KeyColumns.Select(k => (string)r[k]).ToArray(), (string)r["sealed_value"])).ToList();
    }

    // Replaces a value only if it is still `old` (a node that wrote the row meanwhile wins); 1 when replaced.
    public static Task<int> ReplaceAsync(Db db, SealedColumns.Column column, string[] keyValues, string old, string fresh, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(column);
        ArgumentNullException.ThrowIfNull(keyValues);
        var update = new Dapper.DynamicParameters(new { old, fresh });
        for (var i = 0; i < keyValues.Length; i++) update.Add($"k{i}", keyValues[i]);
        var where = string.Join(" and ", column.KeyColumns.Select((k, i) => $"{k} = @k{i}"));
        return db.ExecuteAsync($"update {column.Table} set {column.ValueColumn} = @fresh where {where} and {column.ValueColumn} = @old", update, ct);
    }
}

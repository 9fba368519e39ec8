namespace Patchbay.Data;

public enum DatabaseProvider { Sqlite, Postgres }

public sealed class DatabaseOptions
{
    public const string Section = "Patchbay:Database";

    // When unset, inferred from the connection string: `Host=…` or a postgres:// URL means PostgreSQL.
    public DatabaseProvider? Provider { get; set; }

    // Default: an SQLite file under Patchbay:DataDirectory. PostgreSQL takes an Npgsql connection string or a
    // postgres:// URL (Patchbay__Database__ConnectionString in the environment).
    public string? ConnectionString { get; set; }

    public DatabaseProvider ResolvedProvider => Provider ?? (LooksLikePostgres(ConnectionString) ? DatabaseProvider.Postgres : DatabaseProvider.Sqlite);

    static bool LooksLikePostgres(string? cs) =>
        cs is not null && (cs.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase)
            || cs.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase)
            || cs.Contains("Host=", StringComparison.OrdinalIgnoreCase)
            || cs.Contains("Server=", StringComparison.OrdinalIgnoreCase));
}

using System.Reflection;
using System.Text.RegularExpressions;
using Dapper;

namespace Patchbay.Data;

// Applies the embedded, numbered .sql files of the current dialect that `schema_migrations` has not recorded, all in
// one transaction. On PostgreSQL a transaction-scoped advisory lock makes a second node starting at the same moment
// wait and then find nothing left to do; on SQLite the IMMEDIATE write transaction is already exclusive.
public sealed partial class Migrator(Db db, TimeProvider time, ILogger<Migrator> logger)
{
    // Any constant: the lock only has to be the same number on every node.
    const long AdvisoryLockKey = 0x5041_5443_4842_4159; // "PATCHBAY"

    public sealed record Migration(int Version, string Name, string Sql);

    public static IReadOnlyList<Migration> Load(DatabaseProvider provider)
    {
        var assembly = typeof(Migrator).Assembly;
        var prefix = $"migrations/{provider}/";
        return assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(prefix, StringComparison.Ordinal))
            .Select(n => (Name: n[prefix.Length..], Resource: n))
            .Select(x =>
            {
                var match = FileName().Match(x.Name);
                if (!match.Success) throw new InvalidOperationException($"Migration file '{x.Name}' is not named NNNN_name.sql");
                using var stream = assembly.GetManifestResourceStream(x.Resource)!; // listed by the same assembly just above
                using var reader = new StreamReader(stream);
                return new Migration(int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture),
                    match.Groups[2].Value, reader.ReadToEnd());
            })
            .OrderBy(m => m.Version)
            .ToList();
    }

    public async Task MigrateAsync(CancellationToken ct)
    {
        var migrations = Load(db.Dialect.Provider);
        if (db.Dialect is SqliteDialect sqlite)
        {
            sqlite.EnsureFolder();
            // WAL lets readers proceed while one writer commits; the mode persists in the file. It cannot change
            // inside a transaction, so it is set here, before the migration transaction.
            await db.ExecuteAsync("pragma journal_mode = wal", null, ct);
        }

        var applied = await db.InTransactionAsync(async tx =>
        {
            if (db.Dialect is PostgresDialect)
                await tx.ExecuteAsync("select pg_advisory_xact_lock(@key)", new { key = AdvisoryLockKey }, ct);
            // SQLite has no SHA-256 of its own; migrations that hash stored ids call this one (PostgreSQL has sha256()).
            if (tx.Connection is Microsoft.Data.Sqlite.SqliteConnection sqliteConnection)
            {
                sqliteConnection.CreateFunction("patchbay_sha256", (string? value) => value is null ? null
                    : Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(value))), isDeterministic: true);
            }

            await tx.ExecuteAsync("""
                create table if not exists schema_migrations (
                    version integer primary key,
                    name text not null,
                    applied_at text not null
                )
                """, null, ct);
            var done = (await tx.QueryAsync<int>("select version from schema_migrations", null, ct)).ToHashSet();
            var now = time.GetUtcNow();
            var appliedNow = new List<Migration>();
            foreach (var migration in migrations.Where(m => !done.Contains(m.Version)))
            {
                await tx.Connection.ExecuteAsync(new CommandDefinition(migration.Sql, transaction: tx.Transaction, cancellationToken: ct));
                await tx.ExecuteAsync("insert into schema_migrations (version, name, applied_at) values (@version, @name, @at)",
                    new { version = migration.Version, name = migration.Name, at = Instants.ToSqliteText(now) }, ct);
                appliedNow.Add(migration);
            }
            return appliedNow;
        }, ct);

        foreach (var m in applied)
            logger.LogInformation("Applied migration {Version} {Name} on {Provider}", m.Version, m.Name, db.Dialect.Provider);
    }

    [GeneratedRegex(@"^(\d{4})_([a-z0-9_]+)\.sql$")]
    private static partial Regex FileName();
}

using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Patchbay.Data;
using Patchbay.Tests.Infrastructure;
using Xunit;

namespace Patchbay.Tests.Data;

public sealed class MigrationFilesTests
{
    [Fact]
    public void BothDialects_HaveTheSameMigrations()
    {
        var sqlite = Migrator.Load(DatabaseProvider.Sqlite).Select(m => (m.Version, m.Name)).ToList();
        var postgres = Migrator.Load(DatabaseProvider.Postgres).Select(m => (m.Version, m.Name)).ToList();
        Assert.NotEmpty(sqlite);
        Assert.Equal(sqlite, postgres);
        Assert.Equal(Enumerable.Range(1, sqlite.Count), sqlite.Select(m => m.Version));
    }
}

// Migrations run at start-up; a second start, or two nodes starting at once, must apply each exactly once.
public abstract class MigratorTests
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    protected abstract Task<SqlDialect> NewDatabaseAsync();

    [Fact]
    public async Task Migrate_ConcurrentlyAndTwice_AppliesEachOnce()
    {
        var dialect = await NewDatabaseAsync();
        var db = new Db(dialect);
        Migrator NewMigrator() => new(db, TimeProvider.System, NullLogger<Migrator>.Instance);

        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => NewMigrator().MigrateAsync(Ct)));
        await NewMigrator().MigrateAsync(Ct);

        var versions = await db.QueryAsync<int>("select version from schema_migrations order by version", null, Ct);
        Assert.Equal(Migrator.Load(dialect.Provider).Select(m => m.Version), versions);
        Assert.Equal(0, await db.ExecuteScalarAsync<long>("select count(*) from linked_accounts", null, Ct));
    }
}

public sealed class SqliteMigratorTests : MigratorTests
{
    protected override Task<SqlDialect> NewDatabaseAsync()
    {
        var file = Path.Combine(Path.GetTempPath(), "patchbay-tests", Guid.NewGuid().ToString("N"), "m.db");
        return Task.FromResult<SqlDialect>(new SqliteDialect($"Data Source={file}"));
    }
}

public sealed class PostgresMigratorTests(PostgresServer server) : MigratorTests
{
    protected override async Task<SqlDialect> NewDatabaseAsync() =>
        new PostgresDialect(NpgsqlDataSource.Create(await server.CreateDatabaseAsync()));

    // Instants are compared with DateTimeOffset parameters; a text column there fails only at run time.
    [Fact]
    public async Task Migrate_EveryInstantColumn_IsTimestamptz()
    {
        var db = new Db(await NewDatabaseAsync());
        await new Migrator(db, TimeProvider.System, NullLogger<Migrator>.Instance).MigrateAsync(TestContext.Current.CancellationToken);
        var wrong = await db.QueryAsync<string>("""
            select table_name || '.' || column_name || ' ' || data_type from information_schema.columns
            where table_schema = 'public' and table_name <> 'schema_migrations'
              and (column_name like '%\_at' or column_name like '%\_until') and data_type <> 'timestamp with time zone'
            """, null, TestContext.Current.CancellationToken);
        Assert.Empty(wrong);
    }
}

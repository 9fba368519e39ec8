using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace Patchbay.Data;

public sealed class SqliteDialect : SqlDialect
{
    readonly string connectionString;

    // Before the library initializes (the first connection): each connection object is used by one thread at a time
    // (one per operation), so SQLite's per-call locking of every connection (serialized mode) is not needed, nor its
    // global memory statistics, whose mutex every allocation took. Measured: see docs/benchmarks.md.
    static SqliteDialect()
    {
        SQLitePCL.Batteries_V2.Init();
        SQLitePCL.raw.sqlite3_config(SQLitePCL.raw.SQLITE_CONFIG_MULTITHREAD);
        SQLitePCL.raw.sqlite3_config(SQLitePCL.raw.SQLITE_CONFIG_MEMSTATUS, 0);
    }

    public SqliteDialect(string connectionString)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString)
        {
            Pooling = true,
            DefaultTimeout = 30,
            // Set per connection below, together with synchronous=NORMAL, in one round trip.
            ForeignKeys = null,
        };
        this.connectionString = builder.ToString();
    }

    // The server creates the database's folder on start-up (the migrator calls this); nothing else does.
    public void EnsureFolder()
    {
        if (FilePath is { Length: > 0 } file && file != ":memory:" && Path.GetDirectoryName(Path.GetFullPath(file)) is { } folder)
            Directory.CreateDirectory(folder);
    }

    public override DatabaseProvider Provider => DatabaseProvider.Sqlite;

    public override string SkipLocked => "";

    public override string InList(string column, string parameter) => $"{column} in @{parameter}";

    public string FilePath => new SqliteConnectionStringBuilder(connectionString).DataSource;

    public override async ValueTask<DbConnection> OpenAsync(bool forWrite, CancellationToken ct)
    {
        var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync(ct);
        if (!forWrite) return connection;
        // Per connection, for writes only (SQLite parses every statement, so reads skip them): foreign keys for
        // cascades; synchronous=NORMAL is durable in WAL mode except for the last transactions before a power loss,
        // and avoids an fsync per commit.
        using var command = connection.CreateCommand();
        command.CommandText = "pragma foreign_keys = on; pragma synchronous = normal;";
        await command.ExecuteNonQueryAsync(ct);
        return connection;
    }

    public override bool IsUniqueViolation(DbException e) =>
        e is SqliteException { SqliteErrorCode: 19, SqliteExtendedErrorCode: 2067 or 1555 };

    public override Task NotifyAsync(DbTx tx, string channel, string payload, CancellationToken ct) => Task.CompletedTask;

    public override Task LockKeyAsync(DbTx tx, string key, CancellationToken ct) => Task.CompletedTask;

    public override Task LockRowAsync(DbTx tx, string table, string id, CancellationToken ct) => Task.CompletedTask;

    public override bool BatchesStatements => false;

    public override bool Exists => FilePath is { Length: > 0 } file && (file == ":memory:" || File.Exists(file));

    public override Task ListenAsync(string channel, Func<string, Task> onMessage, Func<Task> onReconnect, ILogger logger, CancellationToken ct) =>
        Task.CompletedTask;
}

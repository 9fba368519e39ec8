using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace Patchbay.Data;

public sealed class SqliteDialect : SqlDialect
{
    readonly string connectionString;

    public SqliteDialect(string connectionString)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString)
        {
            Pooling = true,
            DefaultTimeout = 30,
            // Set per connection below, together with synchronous=NORMAL, in one round trip.
            ForeignKeys = null,
        };
        if (builder.Mode is SqliteOpenMode.ReadWriteCreate && builder.DataSource is { Length: > 0 } file && file != ":memory:")
        {
            var folder = Path.GetDirectoryName(Path.GetFullPath(file));
            if (folder is not null) Directory.CreateDirectory(folder);
        }
        this.connectionString = builder.ToString();
    }

    public override DatabaseProvider Provider => DatabaseProvider.Sqlite;

    public override string SkipLocked => "";

    public override string InList(string column, string parameter) => $"{column} in @{parameter}";

    public string FilePath => new SqliteConnectionStringBuilder(connectionString).DataSource;

    public override async ValueTask<DbConnection> OpenAsync(CancellationToken ct)
    {
        var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync(ct);
        using var command = connection.CreateCommand();
        // Per connection: foreign keys for cascades; synchronous=NORMAL is durable in WAL mode except for the last
        // transactions before a power loss, and avoids an fsync per commit.
        command.CommandText = "pragma foreign_keys = on; pragma synchronous = normal;";
        await command.ExecuteNonQueryAsync(ct);
        return connection;
    }

    public override bool IsUniqueViolation(DbException e) =>
        e is SqliteException { SqliteErrorCode: 19, SqliteExtendedErrorCode: 2067 or 1555 };

    public override Task NotifyAsync(DbTx tx, string channel, string payload, CancellationToken ct) => Task.CompletedTask;
}

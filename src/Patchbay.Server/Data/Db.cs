using System.Data;
using System.Data.Common;
using Dapper;
using Microsoft.Data.Sqlite;

namespace Patchbay.Data;

// Opens a connection per operation (pooled by both drivers) and runs Dapper with cancellation.
//
// Writes to SQLite pass one in-process gate. SQLite has a single writer anyway; without the gate, concurrent
// writers find the database busy and Microsoft.Data.Sqlite retries them after sleeping, which is where tail latency
// came from (p99 of 290 ms at 32 concurrent writers). Reads are not gated: WAL readers never wait for the writer.
public sealed class Db(SqlDialect dialect)
{
    readonly SemaphoreSlim? writeGate = dialect is SqliteDialect ? new(1, 1) : null;

    static Db()
    {
        DefaultTypeMap.MatchNamesWithUnderscores = true;
        SqlMapper.RemoveTypeMap(typeof(DateTimeOffset));
        SqlMapper.RemoveTypeMap(typeof(DateTimeOffset?));
        SqlMapper.AddTypeHandler(new InstantHandler());
    }

    public SqlDialect Dialect { get; } = dialect;

    // Query*, QueryMultiple and WithConnection are for reads; Execute*, WriteScalar and InTransaction for writes.
    ValueTask<DbConnection> OpenAsync(CancellationToken ct) => Dialect.OpenAsync(forWrite: false, ct);

    ValueTask<DbConnection> OpenForWriteAsync(CancellationToken ct) => Dialect.OpenAsync(forWrite: true, ct);

    // A round trip to the database (readiness).
    public Task<int> PingAsync(CancellationToken ct) => ExecuteScalarAsync<int>("select 1", null, ct);

    public async Task<IReadOnlyList<T>> QueryAsync<T>(string sql, object? args, CancellationToken ct)
    {
        await using var connection = await OpenAsync(ct);
        var rows = await connection.QueryAsync<T>(new CommandDefinition(sql, args, cancellationToken: ct));
        return rows.AsList();
    }

    // Multi-mapping: each row split into two objects at the `splitOn` column.
    public async Task<IReadOnlyList<TResult>> QueryAsync<T1, T2, TResult>(string sql, object? args, Func<T1, T2, TResult> map, string splitOn, CancellationToken ct)
    {
        await using var connection = await OpenAsync(ct);
        var rows = await connection.QueryAsync(new CommandDefinition(sql, args, cancellationToken: ct), map, splitOn);
        return rows.AsList();
    }

    public async Task<T?> QueryFirstOrDefaultAsync<T>(string sql, object? args, CancellationToken ct)
    {
        await using var connection = await OpenAsync(ct);
        return await connection.QueryFirstOrDefaultAsync<T>(new CommandDefinition(sql, args, cancellationToken: ct));
    }

    public async Task<int> ExecuteAsync(string sql, object? args, CancellationToken ct)
    {
        using var _ = await WriteLockAsync(ct);
        await using var connection = await OpenForWriteAsync(ct);
        return await connection.ExecuteAsync(new CommandDefinition(sql, args, cancellationToken: ct));
    }

    // A single write statement that returns a value (`insert … returning`).
    public async Task<T?> WriteScalarAsync<T>(string sql, object? args, CancellationToken ct)
    {
        using var _ = await WriteLockAsync(ct);
        await using var connection = await OpenForWriteAsync(ct);
        return await connection.ExecuteScalarAsync<T>(new CommandDefinition(sql, args, cancellationToken: ct));
    }

    // Several read statements sent as one batch.
    public async Task<T> QueryMultipleAsync<T>(string sql, object? args, Func<SqlMapper.GridReader, Task<T>> read, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(read);
        await using var connection = await OpenAsync(ct);
        await using var grid = await connection.QueryMultipleAsync(new CommandDefinition(sql, args, cancellationToken: ct));
        return await read(grid);
    }

    public async Task<T?> ExecuteScalarAsync<T>(string sql, object? args, CancellationToken ct)
    {
        await using var connection = await OpenAsync(ct);
        return await connection.ExecuteScalarAsync<T>(new CommandDefinition(sql, args, cancellationToken: ct));
    }

    // Runs `work` in one transaction: committed when it returns, rolled back when it throws.
    // On SQLite the transaction is IMMEDIATE (Microsoft.Data.Sqlite's default), so it holds the write lock from the
    // start and two writers never deadlock upgrading a read lock.
    public async Task<T> InTransactionAsync<T>(Func<DbTx, Task<T>> work, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(work);
        using var _ = await WriteLockAsync(ct);
        await using var connection = await OpenForWriteAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, ct);
        var result = await work(new DbTx(connection, transaction, Dialect));
        await transaction.CommitAsync(ct);
        return result;
    }

    async ValueTask<Releaser> WriteLockAsync(CancellationToken ct)
    {
        if (writeGate is null) return default;
        await writeGate.WaitAsync(ct);
        return new Releaser(writeGate);
    }

    readonly struct Releaser(SemaphoreSlim? gate) : IDisposable
    {
        public void Dispose() => gate?.Release();
    }

    // Several statements on one connection without a transaction (e.g. a count and a page).
    public async Task<T> WithConnectionAsync<T>(Func<DbTx, Task<T>> work, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(work);
        await using var connection = await OpenAsync(ct);
        return await work(new DbTx(connection, null, Dialect));
    }

    public Task InTransactionAsync(Func<DbTx, Task> work, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(work);
        return InTransactionAsync(async tx => { await work(tx); return true; }, ct);
    }

    // Reads instants from either driver (SQLite hands back text, Npgsql a UTC DateTime) and writes them in a form
    // that sorts correctly as text on SQLite.
    sealed class InstantHandler : SqlMapper.TypeHandler<DateTimeOffset>
    {
        public override void SetValue(IDbDataParameter parameter, DateTimeOffset value)
        {
            if (parameter is SqliteParameter)
            {
                parameter.DbType = DbType.String;
                parameter.Value = Instants.ToSqliteText(value);
            }
            else
            {
                parameter.Value = value.ToUniversalTime();
            }
        }

        public override DateTimeOffset Parse(object value) => value switch
        {
            DateTimeOffset d => d.ToUniversalTime(),
            DateTime d => new DateTimeOffset(DateTime.SpecifyKind(d, DateTimeKind.Utc)),
            string s => DateTimeOffset.Parse(s, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal).ToUniversalTime(),
            _ => throw new DataException($"Cannot read an instant from {value.GetType().Name}"),
        };
    }
}

public static class Instants
{
    // Fixed width with 7 fractional digits and an explicit UTC offset: lexical order equals time order.
    public static string ToSqliteText(DateTimeOffset value) =>
        value.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.fffffff'+00:00'", System.Globalization.CultureInfo.InvariantCulture);
}

// A connection, usually inside a transaction, with the same helpers as Db.
public sealed record DbTx(DbConnection Connection, DbTransaction? Transaction, SqlDialect Dialect)
{
    public async Task<IReadOnlyList<T>> QueryAsync<T>(string sql, object? args, CancellationToken ct) =>
        (await Connection.QueryAsync<T>(new CommandDefinition(sql, args, Transaction, cancellationToken: ct))).AsList();

    public Task<T?> QueryFirstOrDefaultAsync<T>(string sql, object? args, CancellationToken ct) =>
        Connection.QueryFirstOrDefaultAsync<T>(new CommandDefinition(sql, args, Transaction, cancellationToken: ct));

    public Task<int> ExecuteAsync(string sql, object? args, CancellationToken ct) =>
        Connection.ExecuteAsync(new CommandDefinition(sql, args, Transaction, cancellationToken: ct));

    public Task<T?> ExecuteScalarAsync<T>(string sql, object? args, CancellationToken ct) =>
        Connection.ExecuteScalarAsync<T>(new CommandDefinition(sql, args, Transaction, cancellationToken: ct));
}

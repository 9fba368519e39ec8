using System.Data.Common;
using Npgsql;

namespace Patchbay.Data;

public sealed class PostgresDialect(NpgsqlDataSource dataSource) : SqlDialect
{
    public NpgsqlDataSource DataSource { get; } = dataSource;

    public override DatabaseProvider Provider => DatabaseProvider.Postgres;

    public override string SkipLocked => "for update skip locked";

    public override string InList(string column, string parameter) => $"{column} = any(@{parameter})";

    public override async ValueTask<DbConnection> OpenAsync(bool forWrite, CancellationToken ct) => await DataSource.OpenConnectionAsync(ct);

    public override bool IsUniqueViolation(DbException e) => e is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation };

    public override Task NotifyAsync(DbTx tx, string channel, string payload, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(tx);
        return tx.ExecuteAsync("select pg_notify(@channel, @payload)", new { channel, payload }, ct);
    }

    public override Task LockKeyAsync(DbTx tx, string key, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(tx);
        return tx.ExecuteAsync("select pg_advisory_xact_lock(hashtext(@key))", new { key }, ct);
    }

    public override Task LockRowAsync(DbTx tx, string table, string id, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(tx);
        return tx.ExecuteAsync($"select id from {table} where id = @id for update", new { id }, ct);
    }

    public override bool BatchesStatements => true;

    public override bool ServesManyNodes => true;

    // LISTEN on a connection of its own; after a reconnect `onReconnect` runs first (to catch up on what was missed).
    public override async Task ListenAsync(string channel, Func<string, Task> onMessage, Func<Task> onReconnect, ILogger logger, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(onMessage);
        ArgumentNullException.ThrowIfNull(onReconnect);
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await using var connection = CreateUnpooledConnection();
                await connection.OpenAsync(ct);
                connection.Notification += (_, e) => _ = onMessage(e.Payload);
                await using (var listen = new NpgsqlCommand($"listen {channel}", connection))
                    await listen.ExecuteNonQueryAsync(ct);
                await onReconnect();
                while (!ct.IsCancellationRequested)
                {
                    // A silent network failure would leave WaitAsync waiting forever; a periodic ping surfaces it.
                    if (!await connection.WaitAsync(TimeSpan.FromSeconds(30), ct))
                    {
                        await using var ping = new NpgsqlCommand("select 1", connection);
                        await ping.ExecuteScalarAsync(ct);
                    }
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested) { return; }
            catch (Exception e) when (e is NpgsqlException or System.IO.IOException or TimeoutException)
            {
                logger.LogWarning(e, "Listener on {Channel} lost its connection; reconnecting", channel);
                try { await Task.Delay(TimeSpan.FromSeconds(1), ct); }
                catch (OperationCanceledException) { return; }
            }
        }
    }

    public override bool Exists => true; // a server: the connection string names a database that is there or fails

    // Our SQL keeps no session state outside transactions, so:
    // - commands from concurrent requests are multiplexed over a few physical connections (measured on 2 cores:
    //   7.6k → 13.7k account reads/s, as PostgreSQL wakes far fewer backends);
    // - a pooled connection needs no DISCARD ALL on return;
    // - the same few statements run constantly, so they are prepared automatically.
    // Settings given explicitly in the connection string win.
    public static NpgsqlDataSource CreateDataSource(string connectionString)
    {
        var normalized = NormalizeConnectionString(connectionString);
        // The plain builder holds only the keys actually given (Npgsql's own builder answers ContainsKey for every
        // keyword it knows).
        var given = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = normalized };
        bool Given(params string[] names) => names.Any(given.ContainsKey);
        var builder = new NpgsqlConnectionStringBuilder(normalized);
        if (!Given("Multiplexing")) builder.Multiplexing = true;
        if (!Given("No Reset On Close", "NoResetOnClose")) builder.NoResetOnClose = true;
        if (!Given("Max Auto Prepare", "MaxAutoPrepare")) builder.MaxAutoPrepare = 64;
        if (!Given("Auto Prepare Min Usages", "AutoPrepareMinUsages")) builder.AutoPrepareMinUsages = 2;
        return NpgsqlDataSource.Create(builder.ConnectionString);
    }

    // A connection outside the pool, for LISTEN: it holds session state and must never be handed to other code.
    public NpgsqlConnection CreateUnpooledConnection() =>
        new(new NpgsqlConnectionStringBuilder(DataSource.ConnectionString) { Pooling = false, Multiplexing = false }.ConnectionString);

    // Accepts both Npgsql's key=value form and postgres:// URLs.
    public static string NormalizeConnectionString(string cs)
    {
        ArgumentNullException.ThrowIfNull(cs);
        if (!cs.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase) && !cs.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase))
            return cs;
        var uri = new Uri(cs);
        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = uri.Host,
            Port = uri.IsDefaultPort || uri.Port <= 0 ? 5432 : uri.Port,
            Database = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/')),
        };
        if (uri.UserInfo.Split(':', 2) is [var user, .. var rest])
        {
            builder.Username = Uri.UnescapeDataString(user);
            if (rest is [var password]) builder.Password = Uri.UnescapeDataString(password);
        }
        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var kv = pair.Split('=', 2);
            var key = Uri.UnescapeDataString(kv[0]);
            builder[key == "sslmode" ? "SSL Mode" : key] = kv.Length > 1 ? Uri.UnescapeDataString(kv[1]) : "";
        }
        return builder.ConnectionString;
    }
}

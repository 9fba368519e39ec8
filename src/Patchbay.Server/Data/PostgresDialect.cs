using System.Data.Common;
using Npgsql;

namespace Patchbay.Data;

public sealed class PostgresDialect(NpgsqlDataSource dataSource) : SqlDialect
{
    public NpgsqlDataSource DataSource { get; } = dataSource;

    public override DatabaseProvider Provider => DatabaseProvider.Postgres;

    public override string SkipLocked => "for update skip locked";

    public override string InList(string column, string parameter) => $"{column} = any(@{parameter})";

    public override async ValueTask<DbConnection> OpenAsync(CancellationToken ct) => await DataSource.OpenConnectionAsync(ct);

    public override bool IsUniqueViolation(DbException e) => e is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation };

    public override Task NotifyAsync(DbTx tx, string channel, string payload, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(tx);
        return tx.ExecuteAsync("select pg_notify(@channel, @payload)", new { channel, payload }, ct);
    }

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

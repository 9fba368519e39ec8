using System.Data.Common;

namespace Patchbay.Data;

// Only the members our SQL needs; every statement is otherwise one text for both databases.
public abstract class SqlDialect
{
    public abstract DatabaseProvider Provider { get; }

    // Appended to a row-claiming subquery. PostgreSQL skips rows another worker holds;
    // SQLite has a single writer, so the UPDATE is already exclusive.
    public abstract string SkipLocked { get; }

    // `column` is one of the values in the list parameter. Dapper expands a list into `in (@p1, @p2, …)` on SQLite
    // but passes it to Npgsql as one array parameter, which `in` cannot take.
    public abstract string InList(string column, string parameter);

    // `forWrite` lets a dialect skip per-connection set-up that only writes need.
    public abstract ValueTask<DbConnection> OpenAsync(bool forWrite, CancellationToken ct);

    public abstract bool IsUniqueViolation(DbException e);

    // Publishes a change to every node once the transaction commits (PostgreSQL NOTIFY). SQLite serves one node,
    // whose caches the caller updates directly, so there is nothing to publish.
    public abstract Task NotifyAsync(DbTx tx, string channel, string payload, CancellationToken ct);
}

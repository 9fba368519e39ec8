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

    // Makes transactions that take the same key run one after the other until they commit (PostgreSQL: an advisory
    // transaction lock). SQLite's single writer already serializes every write transaction.
    public abstract Task LockKeyAsync(DbTx tx, string key, CancellationToken ct);

    // Locks one row until the transaction ends (PostgreSQL: SELECT … FOR UPDATE); nothing to do on SQLite.
    public abstract Task LockRowAsync(DbTx tx, string table, string id, CancellationToken ct);

    // Whether many statements are best sent as one command (a network round trip saved). SQLite is in-process and
    // its parameter binding is linear in the parameter count, so one long command costs more than it saves there.
    public abstract bool BatchesStatements { get; }

    // Whether several server processes may share the database (PostgreSQL); an SQLite file serves one.
    public virtual bool ServesManyNodes => false;

    // Whether the database exists already (commands that operate on an installation must not create one).
    public abstract bool Exists { get; }

    // Listens on a channel until `ct` ends, calling `onMessage` for each payload; returns at once where the database
    // has no notifications (SQLite serves one node, which updates its caches directly).
    public abstract Task ListenAsync(string channel, Func<string, Task> onMessage, Func<Task> onReconnect, ILogger logger, CancellationToken ct);
}

using System.Data.Common;
using Npgsql;

namespace Patchbay.Data;

// Database errors that say nothing about the work that met them: the connection dropped or was refused, the server
// is shutting down or failing over, a transaction lost a serialization race or a deadlock. The work is retried or
// handed back to be resumed; a request meeting one is answered 503 SERVICE_UNAVAILABLE with a Retry-After.
public static class TransientErrors
{
    public static bool IsTransient(Exception? e)
    {
        for (var depth = 0; e is not null && depth < 8; depth++)
        {
            if (e is AggregateException { InnerExceptions.Count: 1 } aggregate)
            {
                e = aggregate.InnerExceptions[0];
                continue;
            }
            switch (e)
            {
                case PostgresException pg:
                    return IsTransientState(pg.SqlState) || pg.IsTransient;
                case NpgsqlException npgsql when npgsql.IsTransient:
                    return true; // a broken or refused connection, a timeout: Npgsql wraps the socket's exception
                case Microsoft.Data.Sqlite.SqliteException sqlite:
                    return sqlite.SqliteErrorCode is 5 or 6; // SQLITE_BUSY, SQLITE_LOCKED
                case DbException db when db.IsTransient:
                    return true;
            }
            if (e is DbException) return false; // a real fault of the statement (constraint, syntax): not transient
            e = e.InnerException;
        }
        return false;
    }

    // Class 08 (connection exceptions), 57P01–57P03 (admin shutdown, crash shutdown, cannot connect now), 53300 (too many
    // connections), 40001 (serialization failure), 40P01 (deadlock detected), 55P03 (lock not available), 58030 (IO error).
    public static bool IsTransientState(string? state) =>
        state is not null && (state.StartsWith("08", StringComparison.Ordinal)
            || state is "57P01" or "57P02" or "57P03" or "53300" or "40001" or "40P01" or "55P03" or "58030");
}

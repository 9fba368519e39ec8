using Patchbay.Data;

namespace Patchbay.Datastores;

// All SQL of datastores: named arrays of records on a config (Refold's store_variables).
public sealed class DatastoreStore
{
    public static Task<IReadOnlyList<string>> NamesAsync(DbTx tx, string configRowId, CancellationToken ct) =>
        tx.QueryAsync<string>("select name from config_datastores where config_row_id = @configRowId order by name", new { configRowId }, ct);

    public static Task<string?> RecordsAsync(DbTx tx, string configRowId, string name, CancellationToken ct) =>
        tx.QueryFirstOrDefaultAsync<string>("select records from config_datastores where config_row_id = @configRowId and name = @name",
            new { configRowId, name }, ct);

    // Sets a datastore's records (a JSON array), creating it the first time.
    public static async Task PutAsync(DbTx tx, string configRowId, string name, string records, DateTimeOffset now, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(tx);
        var updated = await tx.ExecuteAsync("""
            update config_datastores set records = @records, updated_at = @now where config_row_id = @configRowId and name = @name
            """, new { configRowId, name, records, now }, ct);
        if (updated == 0)
        {
            await tx.ExecuteAsync("""
                insert into config_datastores (config_row_id, name, records, updated_at) values (@configRowId, @name, @records, @now)
                """, new { configRowId, name, records, now }, ct);
        }
    }
}

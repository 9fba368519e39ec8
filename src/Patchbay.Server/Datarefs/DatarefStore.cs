using Patchbay.Data;

namespace Patchbay.Datarefs;

// All SQL of datarefs: the named maps and their records (record_id -> rows).
public sealed class DatarefStore(Db db)
{
    const string Columns = "d.id, d.org_id, d.environment, d.linked_account_row_id, d.name, d.grp, d.version, d.created_at, d.updated_at";

    public static Task<DatarefRow?> FindAsync(DbTx tx, string accountRowId, string name, CancellationToken ct) =>
        tx.QueryFirstOrDefaultAsync<DatarefRow>($"""
            select {Columns}, la.account_id from datarefs d join linked_accounts la on la.id = d.linked_account_row_id
            where d.linked_account_row_id = @accountRowId and d.name = @name
            """, new { accountRowId, name }, ct);

    // The org's datarefs in the environment (one account's when accountId is given), oldest first; with `unique`,
    // the first of each name.
    public Task<(IReadOnlyList<DatarefRow> Rows, long Total)> ListAsync(
        string orgId, string environment, string? accountId, bool unique, int offset, int limit, CancellationToken ct) =>
        db.WithConnectionAsync(async c =>
        {
            var filter = "d.org_id = @orgId and d.environment = @environment" + (accountId is null ? "" : " and la.account_id = @accountId")
                + (unique ? """
                     and d.id = (select d2.id from datarefs d2 where d2.org_id = d.org_id and d2.environment = d.environment and d2.name = d.name
                                 order by d2.created_at, d2.id limit 1)
                    """ : "");
            var from = "from datarefs d join linked_accounts la on la.id = d.linked_account_row_id";
            var args = new { orgId, environment, accountId, offset, limit };
            var total = await c.ExecuteScalarAsync<long>($"select count(*) {from} where {filter}", args, ct);
            var rows = await c.QueryAsync<DatarefRow>($"select {Columns}, la.account_id {from} where {filter} order by d.created_at, d.id limit @limit offset @offset", args, ct);
            return (rows, total);
        }, ct);

    public static Task InsertAsync(DbTx tx, DatarefRow row, CancellationToken ct) =>
        tx.ExecuteAsync("""
            insert into datarefs (id, org_id, environment, linked_account_row_id, name, grp, version, created_at, updated_at)
            values (@Id, @OrgId, @Environment, @LinkedAccountRowId, @Name, @Grp, @Version, @CreatedAt, @UpdatedAt)
            """, row, ct);

    public static Task<int> DeleteAsync(DbTx tx, string accountRowId, string name, CancellationToken ct) =>
        tx.ExecuteAsync("delete from datarefs where linked_account_row_id = @accountRowId and name = @name", new { accountRowId, name }, ct);

    public static async Task ClearAsync(DbTx tx, string id, DateTimeOffset now, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(tx);
        await tx.ExecuteAsync("delete from dataref_rows where dataref_row_id = @id", new { id }, ct);
        await tx.ExecuteAsync("update datarefs set version = version + 1, updated_at = @now where id = @id", new { id, now }, ct);
    }

    public static Task<int> SetGroupAsync(DbTx tx, string accountRowId, IReadOnlyList<string> names, string? group, DateTimeOffset now, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(tx);
        return tx.ExecuteAsync($"""
            update datarefs set grp = @group, updated_at = @now
            where linked_account_row_id = @accountRowId and {tx.Dialect.InList("name", "names")}
            """, new { accountRowId, names, group, now }, ct);
    }

    public static Task<long> CountRecordsAsync(DbTx tx, string id, CancellationToken ct) =>
        tx.ExecuteScalarAsync<long>("select count(*) from dataref_rows where dataref_row_id = @id", new { id }, ct);

    // Records in the order they were first written; limit null: all of them.
    public static Task<IReadOnlyList<DatarefRecordRow>> RecordsAsync(DbTx tx, string id, int offset, int? limit, CancellationToken ct) =>
        tx.QueryAsync<DatarefRecordRow>($"""
            select record_id, seq, rows from dataref_rows where dataref_row_id = @id order by seq
            {(limit is null ? "" : "limit @limit offset @offset")}
            """, new { id, offset, limit }, ct);

    public static Task<DatarefRecordRow?> FindRecordAsync(DbTx tx, string id, string recordId, CancellationToken ct) =>
        tx.QueryFirstOrDefaultAsync<DatarefRecordRow>(
            "select record_id, seq, rows from dataref_rows where dataref_row_id = @id and record_id = @recordId", new { id, recordId }, ct);

    // Writes a record's rows (the caller holds the dataref's lock), after the last record when it is new.
    public static async Task PutRecordAsync(DbTx tx, string id, string recordId, string rows, DateTimeOffset now, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(tx);
        var updated = await tx.ExecuteAsync("update dataref_rows set rows = @rows where dataref_row_id = @id and record_id = @recordId",
            new { id, recordId, rows }, ct);
        if (updated == 0)
        {
            await tx.ExecuteAsync("""
                insert into dataref_rows (dataref_row_id, record_id, seq, rows)
                values (@id, @recordId, coalesce((select max(seq) from dataref_rows where dataref_row_id = @id), 0) + 1, @rows)
                """, new { id, recordId, rows }, ct);
        }
        await tx.ExecuteAsync("update datarefs set updated_at = @now where id = @id", new { id, now }, ct);
    }
}

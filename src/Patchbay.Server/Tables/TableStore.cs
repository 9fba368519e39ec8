using Patchbay.Audit;
using Patchbay.Data;

namespace Patchbay.Tables;

// All SQL of persistent tables: the tables themselves here, records and cells in TableStore.Records.cs.
public sealed partial class TableStore(Db db)
{
    const string Columns = "id, org_id, environment, linked_account_row_id, name, columns, next_slot, next_seq, grp, is_deleted, record_count, created_at, updated_at";

    public Db Db => db;

    // A live (not soft-deleted) table of the account.
    public static Task<TableRow?> FindAsync(DbTx tx, string accountRowId, string tableId, CancellationToken ct) =>
        tx.QueryFirstOrDefaultAsync<TableRow>($"""
            select {Columns} from data_tables
            where id = @tableId and linked_account_row_id = @accountRowId and is_deleted = @no
            """, new { tableId, accountRowId, no = false }, ct);

    public static Task<TableRow?> FindByNameAsync(DbTx tx, string accountRowId, string name, CancellationToken ct) =>
        tx.QueryFirstOrDefaultAsync<TableRow>($"""
            select {Columns} from data_tables
            where linked_account_row_id = @accountRowId and name = @name and is_deleted = @no
            """, new { accountRowId, name, no = false }, ct);

    // Every live table of the account, oldest first (the name filter is a regex, applied by the caller).
    public Task<IReadOnlyList<TableRow>> ListAsync(string accountRowId, CancellationToken ct) =>
        db.QueryAsync<TableRow>($"""
            select {Columns} from data_tables
            where linked_account_row_id = @accountRowId and is_deleted = @no
            order by created_at, id
            """, new { accountRowId, no = false }, ct);

    public static async Task InsertAsync(DbTx tx, TableRow row, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(tx);
        ArgumentNullException.ThrowIfNull(row);
        await tx.ExecuteAsync($"""
            insert into data_tables ({Columns})
            values (@Id, @OrgId, @Environment, @LinkedAccountRowId, @Name, @Columns, @NextSlot, @NextSeq, @Grp, @IsDeleted, @RecordCount, @CreatedAt, @UpdatedAt)
            """, row, ct);
        await AuditAsync(tx, row, AuditEvents.TableCreated, row.ColumnList().Select(c => c.Name).ToList(), row.CreatedAt, ct);
    }

    // The audit entry of a change to a table: its name and the columns concerned (never a record's values).
    public static async Task AuditAsync(DbTx tx, TableRow table, string auditEvent, IReadOnlyList<string>? columns, DateTimeOffset now, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(tx);
        ArgumentNullException.ThrowIfNull(table);
        var accountId = await tx.QueryFirstOrDefaultAsync<string>("select account_id from linked_accounts where id = @LinkedAccountRowId",
            new { table.LinkedAccountRowId }, ct);
        await AuditLog.RecordAsync(tx, new(table.OrgId, table.Environment, auditEvent, AuditResources.Table, table.Id, accountId,
            new { table.Name, Columns = columns }), now, ct);
    }

    // The table, locked against concurrent writers of its records and columns until the transaction ends.
    public static async Task<TableRow?> FindForUpdateAsync(DbTx tx, string accountRowId, string tableId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(tx);
        await tx.Dialect.LockRowAsync(tx, "data_tables", tableId, ct);
        return await FindAsync(tx, accountRowId, tableId, ct);
    }

    public static Task UpdateColumnsAsync(DbTx tx, string tableId, string columns, int nextSlot, DateTimeOffset now, CancellationToken ct) =>
        tx.ExecuteAsync("update data_tables set columns = @columns, next_slot = @nextSlot, updated_at = @now where id = @tableId",
            new { tableId, columns, nextSlot, now }, ct);

    public static Task SoftDeleteAsync(DbTx tx, string tableId, DateTimeOffset now, CancellationToken ct) =>
        tx.ExecuteAsync("update data_tables set is_deleted = @yes, updated_at = @now where id = @tableId", new { tableId, yes = true, now }, ct);

    // Sets (or, with null, clears) the group of the account's listed live tables.
    public static Task<int> SetGroupAsync(DbTx tx, string accountRowId, IReadOnlyList<string> tableIds, string? group, DateTimeOffset now, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(tx);
        return tx.ExecuteAsync($"""
            update data_tables set grp = @group, updated_at = @now
            where linked_account_row_id = @accountRowId and is_deleted = @no and {tx.Dialect.InList("id", "tableIds")}
            """, new { accountRowId, tableIds, group, now, no = false }, ct);
    }
}

using System.Data;
using System.Text;
using Dapper;
using Patchbay.Data;

namespace Patchbay.Tables;

// A condition on one column's index entries, answered by a range scan of data_table_cells.
public abstract record CellCondition(int Slot)
{
    // Text keys in [From, To) (a lower-cased prefix).
    public sealed record TextRange(int Slot, string From, string To) : CellCondition(Slot);

    // Text keys that contain Text (a LIKE pattern), or that were cut and must be re-checked.
    public sealed record TextContains(int Slot, string Text) : CellCondition(Slot);

    public sealed record TextIn(int Slot, IReadOnlyList<string> Keys) : CellCondition(Slot);

    public sealed record NumberRange(int Slot, double? From, bool FromInclusive, double? To, bool ToInclusive) : CellCondition(Slot);
}

public sealed partial class TableStore
{
    const int RecordsPerStatement = 100;
    const int CellsPerStatement = 400;

    public sealed record NewRecord(string Id, string Data, IReadOnlyList<Cell> Cells);

    // Inserts records after the table's last one (the caller holds the table's lock) and counts them.
    public static async Task InsertRecordsAsync(DbTx tx, TableRow table, IReadOnlyList<NewRecord> records, DateTimeOffset now, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(tx);
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(records);
        var seq = table.NextSeq;
        var rows = records.Select(r => new RecordInsert(r.Id, table.Id, seq++, r.Data, now)).ToList();
        await InsertRowsAsync(tx, "data_table_records", ["id", "table_row_id", "seq", "data", "created_at", "updated_at"],
            rows, r => [r.Id, r.TableId, r.Seq, r.Data, r.Now, r.Now], RecordsPerStatement, ct);
        await InsertCellsAsync(tx, table.Id, records.SelectMany(r => r.Cells.Select(c => (r.Id, c))).ToList(), ct);
        await tx.ExecuteAsync("""
            update data_tables set next_seq = @seq, record_count = record_count + @n, updated_at = @now where id = @id
            """, new { id = table.Id, seq, n = records.Count, now }, ct);
    }

    sealed record RecordInsert(string Id, string TableId, long Seq, string Data, DateTimeOffset Now);

    static Task InsertCellsAsync(DbTx tx, string tableId, IReadOnlyList<(string RecordId, Cell Cell)> cells, CancellationToken ct) =>
        InsertRowsAsync(tx, "data_table_cells", ["table_row_id", "slot", "text_key", "num_key", "record_id"],
            cells, c => [tableId, c.Cell.Slot, c.Cell.TextKey, new TypedNull(c.Cell.NumKey, DbType.Double), c.RecordId], CellsPerStatement, ct);

    // A value whose type the database must know when it is null (PostgreSQL takes an untyped null as text).
    sealed record TypedNull(object? Value, DbType Type);

    // Many rows into one table. Where statements batch (PostgreSQL: a round trip saved per row), multi-row VALUES of up
    // to `perStatement` rows; on SQLite, whose parameter binding is linear in the parameter count (a 2,000-parameter
    // statement spent most of an insert binding), one short statement prepared once and run per row.
    static async Task InsertRowsAsync<T>(DbTx tx, string table, IReadOnlyList<string> columns, IReadOnlyList<T> rows,
        Func<T, object?[]> values, int perStatement, CancellationToken ct)
    {
        if (rows.Count == 0) return;
        var head = $"insert into {table} ({string.Join(", ", columns)}) values ";
        if (!tx.Dialect.BatchesStatements)
        {
            var single = head + "(" + string.Join(", ", columns.Select((_, j) => $"@p{j}")) + ")";
            await tx.ExecuteAsync(single, rows.Select(r => Parameters(values(r), 0)).ToList(), ct);
            return;
        }
        foreach (var chunk in rows.Chunk(perStatement))
        {
            var sql = new StringBuilder(head);
            var args = new DynamicParameters();
            for (var i = 0; i < chunk.Length; i++)
            {
                var at = i * columns.Count;
                sql.Append(i > 0 ? ",(" : "(").AppendJoin(", ", columns.Select((_, j) => $"@p{at + j}")).Append(')');
                args.AddDynamicParams(Parameters(values(chunk[i]), at));
            }
            await tx.ExecuteAsync(sql.ToString(), args, ct);
        }
    }

    static DynamicParameters Parameters(object?[] values, int first)
    {
        var args = new DynamicParameters();
        for (var j = 0; j < values.Length; j++)
        {
            if (values[j] is TypedNull typed) args.Add($"p{first + j}", typed.Value, typed.Type);
            else args.Add($"p{first + j}", values[j]);
        }
        return args;
    }

    public Task<IReadOnlyList<RecordRow>> PageAsync(string tableId, int offset, int limit, CancellationToken ct) =>
        db.QueryAsync<RecordRow>("""
            select id, seq, data from data_table_records where table_row_id = @tableId order by seq limit @limit offset @offset
            """, new { tableId, limit, offset }, ct);

    public static Task<RecordRow?> FindRecordAsync(DbTx tx, string tableId, string recordId, CancellationToken ct) =>
        tx.QueryFirstOrDefaultAsync<RecordRow>(
            "select id, seq, data from data_table_records where table_row_id = @tableId and id = @recordId", new { tableId, recordId }, ct);

    // Deletes records (their cells go with them) and uncounts them.
    public static async Task DeleteRecordsAsync(DbTx tx, string tableId, IReadOnlyList<string> recordIds, DateTimeOffset now, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(tx);
        ArgumentNullException.ThrowIfNull(recordIds);
        var n = 0;
        foreach (var chunk in recordIds.Chunk(500))
        {
            n += await tx.ExecuteAsync($"delete from data_table_records where table_row_id = @tableId and {tx.Dialect.InList("id", "ids")}",
                new { tableId, ids = chunk }, ct);
        }
        await tx.ExecuteAsync("update data_tables set record_count = record_count - @n, updated_at = @now where id = @tableId", new { tableId, n, now }, ct);
    }

    // Replaces a record's values and index entries.
    public static async Task UpdateRecordAsync(DbTx tx, string tableId, string recordId, string data, IReadOnlyList<Cell> cells, DateTimeOffset now, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(tx);
        ArgumentNullException.ThrowIfNull(cells);
        await tx.ExecuteAsync("update data_table_records set data = @data, updated_at = @now where table_row_id = @tableId and id = @recordId",
            new { tableId, recordId, data, now }, ct);
        await tx.ExecuteAsync("delete from data_table_cells where record_id = @recordId", new { recordId }, ct);
        await InsertCellsAsync(tx, tableId, cells.Select(c => (recordId, c)).ToList(), ct);
    }

    // A removed column's index entries go; its values stay in the records' JSON under a slot no column names again.
    public static Task DeleteCellsAsync(DbTx tx, string tableId, IReadOnlyList<int> slots, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(tx);
        return tx.ExecuteAsync($"delete from data_table_cells where table_row_id = @tableId and {tx.Dialect.InList("slot", "slots")}",
            new { tableId, slots }, ct);
    }

    // The next records after `afterSeq`, in order: all of the table's, or those whose cell meets `condition`.
    public Task<IReadOnlyList<RecordRow>> ScanAsync(string tableId, CellCondition? condition, long afterSeq, int batch, CancellationToken ct)
    {
        if (condition is null)
        {
            return db.QueryAsync<RecordRow>("""
                select id, seq, data from data_table_records
                where table_row_id = @tableId and seq > @afterSeq order by seq limit @batch
                """, new { tableId, afterSeq, batch }, ct);
        }
        var (where, args) = Where(condition, db.Dialect);
        args.AddDynamicParams(new { tableId, afterSeq, batch, slot = condition.Slot });
        // The index entries drive (CROSS JOIN keeps SQLite from walking the table in seq order and probing the cells
        // of every record; PostgreSQL plans it as an ordinary join).
        return db.QueryAsync<RecordRow>($"""
            select r.id, r.seq, r.data from data_table_cells c cross join data_table_records r
            where c.table_row_id = @tableId and c.slot = @slot and {where} and r.id = c.record_id and r.seq > @afterSeq
            order by r.seq limit @batch
            """, args, ct);
    }

    static (string Where, DynamicParameters Args) Where(CellCondition condition, SqlDialect dialect)
    {
        var args = new DynamicParameters();
        switch (condition)
        {
            case CellCondition.TextRange range:
                args.Add("from", range.From);
                args.Add("to", range.To);
                return ("c.text_key >= @from and c.text_key < @to", args);
            case CellCondition.TextContains contains:
                args.Add("like", "%" + EscapeLike(contains.Text) + "%");
                args.Add("keyLength", TableRecords.KeyLength);
                return (@"(c.text_key like @like escape '\' or length(c.text_key) >= @keyLength)", args);
            case CellCondition.TextIn keys:
                args.Add("keys", keys.Keys.ToArray());
                return (dialect.InList("c.text_key", "keys"), args);
            case CellCondition.NumberRange range:
                var parts = new List<string> { "c.num_key is not null" };
                if (range.From is { } from) { args.Add("nfrom", from); parts.Add(range.FromInclusive ? "c.num_key >= @nfrom" : "c.num_key > @nfrom"); }
                if (range.To is { } to) { args.Add("nto", to); parts.Add(range.ToInclusive ? "c.num_key <= @nto" : "c.num_key < @nto"); }
                return (string.Join(" and ", parts), args);
            default:
                throw new ArgumentOutOfRangeException(nameof(condition));
        }
    }

    static string EscapeLike(string text) => text.Replace(@"\", @"\\", StringComparison.Ordinal)
        .Replace("%", @"\%", StringComparison.Ordinal).Replace("_", @"\_", StringComparison.Ordinal);
}

public sealed partial class TableStore
{
    // Records whose value in `slot` has the index key `textKey` (the caller re-checks the exact value).
    public static Task<IReadOnlyList<RecordRow>> FindByKeyAsync(DbTx tx, string tableId, int slot, string textKey, CancellationToken ct) =>
        tx.QueryAsync<RecordRow>("""
            select r.id, r.seq, r.data from data_table_cells c cross join data_table_records r
            where c.table_row_id = @tableId and c.slot = @slot and c.text_key = @textKey and r.id = c.record_id order by r.seq
            """, new { tableId, slot, textKey }, ct);
}

using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using Patchbay.Data;
using Patchbay.Http;

namespace Patchbay.Tables;

// Writes of records shared by the API and the workflow nodes: limits checked before anything is written, so a
// rejected batch leaves the table as it was (the caller's transaction rolls back on the ApiException).
public sealed partial class TableWriter(IOptions<TablesOptions> options)
{
    public TablesOptions Options => options.Value;

    // A record's values by column name, unknown names (and record_id) dropped.
    public static Dictionary<string, JsonNode?> Known(JsonObject input, IReadOnlyList<TableColumn> columns)
    {
        ArgumentNullException.ThrowIfNull(input);
        var names = columns.Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
        return input.Where(p => names.Contains(p.Key)).ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
    }

    // Stored JSON, index entries and id of a new record; 413 when the record is over the size limit.
    public TableStore.NewRecord Prepare(IReadOnlyDictionary<string, JsonNode?> values, IReadOnlyList<TableColumn> columns, int index, string? id = null)
    {
        var stored = TableRecords.ToStored(values, columns);
        var data = stored.ToJsonString();
        CheckSize(data, index);
        return new TableStore.NewRecord(id ?? Guid.CreateVersion7().ToString(), data, TableRecords.CellsOf(stored, columns));
    }

    void CheckSize(string data, int index)
    {
        var max = options.Value.MaxRecordBytes;
        var bytes = Encoding.UTF8.GetByteCount(data);
        if (bytes > max)
            throw new ApiException(ApiError.Create(413, ErrorCodes.PayloadTooLarge, $"Record {index + 1} is {bytes} bytes; a record may be at most {max} bytes"));
    }

    // Adds records to a table the caller has locked (TableStore.FindForUpdateAsync); returns them as the wire shows them.
    public async Task<List<JsonObject>> AddAsync(DbTx tx, TableRow table, IReadOnlyList<JsonObject> inputs, DateTimeOffset now, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(inputs);
        var o = options.Value;
        if (inputs.Count > o.MaxBatch) throw new ApiException(ApiError.Validation($"At most {o.MaxBatch} records can be added at once; this batch has {inputs.Count}"));
        if (table.RecordCount + inputs.Count > o.MaxRows)
        {
            throw new ApiException(ApiError.Validation(
                $"A table can hold at most {o.MaxRows} records; it has {table.RecordCount} and {inputs.Count} more were sent"));
        }
        var columns = table.ColumnList();
        var records = inputs.Select((r, i) => Prepare(Known(r, columns), columns, i)).ToList();
        await TableStore.InsertRecordsAsync(tx, table, records, now, ct);
        return records.Select((r, i) => TableRecords.ToWire(new RecordRow { Id = r.Id, Data = r.Data }, columns)).ToList();
    }

    // Merges `changes` into a record (a null value clears the column); returns the record as the wire shows it.
    public async Task<JsonObject> UpdateAsync(DbTx tx, TableRow table, RecordRow record, IReadOnlyDictionary<string, JsonNode?> changes, DateTimeOffset now, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(record);
        ArgumentNullException.ThrowIfNull(changes);
        var columns = table.ColumnList();
        var stored = JsonNode.Parse(record.Data)!.AsObject();
        foreach (var column in columns)
        {
            if (changes.TryGetValue(column.Name, out var value)) stored[TableRecords.SlotKey(column.Slot)] = value?.DeepClone();
        }
        var data = stored.ToJsonString();
        CheckSize(data, 0);
        await TableStore.UpdateRecordAsync(tx, table.Id, record.Id, data, TableRecords.CellsOf(stored, columns), now, ct);
        return TableRecords.ToWire(record with { Data = data }, columns);
    }
}

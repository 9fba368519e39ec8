using System.Text.Json.Nodes;
using Patchbay.Data;
using Patchbay.Http;

namespace Patchbay.Tables;

public sealed record UpsertResult(int Inserted, int Updated, IReadOnlyList<JsonObject> Records);

public sealed partial class TableWriter
{
    // Upsert by a key column: a record whose key value equals an existing record's (same JSON text) updates the
    // first such record; others are inserted. Every input needs a value for the key. Within one batch the last
    // of several records with one key wins.
    public async Task<UpsertResult> UpsertAsync(DbTx tx, TableRow table, string key, IReadOnlyList<JsonObject> inputs, DateTimeOffset now, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(inputs);
        var columns = table.ColumnList();
        if (columns.FirstOrDefault(c => c.Name == key) is not { } keyColumn) throw new ApiException(ApiError.Validation($"Column '{key}' does not exist"));
        if (inputs.Count > Options.MaxBatch) throw new ApiException(ApiError.Validation($"At most {Options.MaxBatch} records can be upserted at once; this batch has {inputs.Count}"));
        var results = new List<JsonObject>();
        var inserts = new List<JsonObject>();
        var pending = new Dictionary<string, int>(StringComparer.Ordinal);
        var updated = 0;
        foreach (var (input, index) in inputs.Select((r, i) => (r, i)))
        {
            var keyText = TableRecords.TextOf(input[key]) ?? throw new ApiException(ApiError.Validation($"Record {index + 1} has no value for the key column '{key}'"));
            var matches = await TableStore.FindByKeyAsync(tx, table.Id, keyColumn.Slot, TableSearch.Key(keyText), ct);
            var match = matches.FirstOrDefault(m => TableRecords.TextOf(JsonNode.Parse(m.Data)!.AsObject()[TableRecords.SlotKey(keyColumn.Slot)]) == keyText);
            if (match is not null)
            {
                results.Add(await UpdateAsync(tx, table, match, Known(input, columns), now, ct));
                updated++;
            }
            else if (pending.TryGetValue(keyText, out var at))
            {
                inserts[at] = input;
            }
            else
            {
                pending[keyText] = inserts.Count;
                inserts.Add(input);
            }
        }
        if (inserts.Count > 0) results.AddRange(await AddAsync(tx, table, inserts, now, ct));
        return new UpsertResult(inserts.Count, updated, results);
    }
}

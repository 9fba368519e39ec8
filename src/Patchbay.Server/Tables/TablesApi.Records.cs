using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using Patchbay.Auth;
using Patchbay.Data;
using Patchbay.Http;

namespace Patchbay.Tables;

public static partial class TablesApi
{
    static async Task<Results<Ok<TableRecordsResponse>, ApiError>> Records(
        string table_id, HttpRequest request, Caller caller, Db db, TableStore store, CancellationToken ct)
    {
        var page = Page.From(request, defaultLimit: 100);
        var table = await db.WithConnectionAsync(tx => FindTableAsync(tx, caller, table_id, ct), ct);
        if (table is null) return TableNotFound();
        var columns = table.ColumnList();
        var rows = await store.PageAsync(table.Id, page.Offset, page.Limit, ct);
        var totalPages = Math.Max(1, (table.RecordCount + page.Limit - 1) / page.Limit);
        return TypedResults.Ok(new TableRecordsResponse(table.Name, columns.Select(c => c.Name).ToList(),
            rows.Select(r => TableRecords.ToWire(r, columns)).ToList(), page.Number, page.Limit, table.RecordCount, totalPages, page.Number < totalPages));
    }

    static async Task<Results<Ok<AddRecordsResponse>, ApiError>> AddRecords(
        string table_id, HttpContext http, Caller caller, Db db, TableWriter writer, TimeProvider time, CancellationToken ct)
    {
        using var body = await JsonBody.ReadObjectAsync(http);
        var (inputs, isArray) = TableInput.ParseRecords(body.RootElement, writer.Options.MaxBatch);
        return await db.InTransactionAsync<Results<Ok<AddRecordsResponse>, ApiError>>(async tx =>
        {
            if (await FindTableAsync(tx, caller, table_id, ct, forUpdate: true) is not { } table) return TableNotFound();
            var added = await writer.AddAsync(tx, table, inputs, time.GetUtcNow(), ct);
            var columns = table.ColumnList();
            // What was kept of the input: the same shape as sent (one object or an array), unknown columns stripped.
            var kept = inputs.Select(i => new JsonObject(TableWriter.Known(i, columns).Select(p => KeyValuePair.Create(p.Key, p.Value?.DeepClone())))).ToList();
            JsonNode transformed = isArray ? new JsonArray([.. kept]) : kept[0];
            return TypedResults.Ok(new AddRecordsResponse(added, transformed));
        }, ct);
    }

    static async Task<Results<Ok<JsonObject>, ApiError>> DeleteRecord(
        string table_id, string record_id, Caller caller, Db db, TimeProvider time, CancellationToken ct) =>
        await db.InTransactionAsync<Results<Ok<JsonObject>, ApiError>>(async tx =>
        {
            if (await FindTableAsync(tx, caller, table_id, ct, forUpdate: true) is not { } table) return TableNotFound();
            if (await TableStore.FindRecordAsync(tx, table.Id, record_id, ct) is not { } record) return RecordNotFound();
            await TableStore.DeleteRecordsAsync(tx, table.Id, [record.Id], time.GetUtcNow(), ct);
            return TypedResults.Ok(TableRecords.ToWire(record, table.ColumnList()));
        }, ct);

    static ApiError RecordNotFound() => ApiError.NotFound(ErrorCodes.ServerError, "Record not found");

    // TB7: `{column: value}` (or `{"data": {…}}`), merged into the record; unknown columns are stripped as on add.
    static async Task<Results<Ok<JsonObject>, ApiError>> UpdateRecord(
        string table_id, string record_id, HttpContext http, Caller caller, Db db, TableWriter writer, TimeProvider time, CancellationToken ct)
    {
        using var body = await JsonBody.ReadObjectAsync(http);
        var input = JsonObject.Create(body.RootElement)!;
        return await db.InTransactionAsync<Results<Ok<JsonObject>, ApiError>>(async tx =>
        {
            if (await FindTableAsync(tx, caller, table_id, ct, forUpdate: true) is not { } table) return TableNotFound();
            if (await TableStore.FindRecordAsync(tx, table.Id, record_id, ct) is not { } record) return RecordNotFound();
            var columns = table.ColumnList();
            var source = input.Count == 1 && input["data"] is JsonObject data && columns.All(c => c.Name != "data") ? data : input;
            return TypedResults.Ok(await writer.UpdateAsync(tx, table, record, TableWriter.Known(source, columns), time.GetUtcNow(), ct));
        }, ct);
    }

    static async Task<Results<Ok<ColumnsResponse>, ApiError>> AddColumns(
        string table_id, HttpContext http, Caller caller, Db db, TableWriter writer, TimeProvider time, CancellationToken ct)
    {
        using var body = await JsonBody.ReadObjectAsync(http);
        var names = TableInput.ParseColumnList(body.RootElement);
        return await db.InTransactionAsync<Results<Ok<ColumnsResponse>, ApiError>>(async tx =>
        {
            if (await FindTableAsync(tx, caller, table_id, ct, forUpdate: true) is not { } table) return TableNotFound();
            var columns = table.ColumnList().ToList();
            if (names.FirstOrDefault(n => columns.Any(c => c.Name == n)) is { } existing) return ApiError.Validation($"Column '{existing}' already exists");
            var max = writer.Options.MaxColumns;
            if (columns.Count + names.Count > max)
                return ApiError.Validation($"A table can have at most {max} columns; it has {columns.Count} and {names.Count} more were given");
            var slot = table.NextSlot;
            columns.AddRange(names.Select(n => new TableColumn(n, slot++)));
            await TableStore.UpdateColumnsAsync(tx, table.Id, TableRow.SerializeColumns(columns), slot, time.GetUtcNow(), ct);
            await TableStore.AuditAsync(tx, table, Audit.AuditEvents.TableColumnsAdded, names, time.GetUtcNow(), ct);
            return TypedResults.Ok(new ColumnsResponse(columns.Select(c => c.Name).ToList()));
        }, ct);
    }

    static async Task<Results<Ok<ColumnsResponse>, ApiError>> RemoveColumns(
        string table_id, HttpContext http, Caller caller, Db db, TimeProvider time, CancellationToken ct)
    {
        using var body = await JsonBody.ReadObjectAsync(http);
        var names = TableInput.ParseColumnList(body.RootElement);
        return await db.InTransactionAsync<Results<Ok<ColumnsResponse>, ApiError>>(async tx =>
        {
            if (await FindTableAsync(tx, caller, table_id, ct, forUpdate: true) is not { } table) return TableNotFound();
            var columns = table.ColumnList().ToList();
            if (names.FirstOrDefault(n => columns.All(c => c.Name != n)) is { } missing) return ApiError.Validation($"Column '{missing}' does not exist");
            var removed = columns.Where(c => names.Contains(c.Name)).ToList();
            if (removed.Count == columns.Count) return ApiError.Validation("A table must keep at least one column");
            var remaining = columns.Except(removed).ToList();
            await TableStore.UpdateColumnsAsync(tx, table.Id, TableRow.SerializeColumns(remaining), table.NextSlot, time.GetUtcNow(), ct);
            await TableStore.DeleteCellsAsync(tx, table.Id, removed.Select(c => c.Slot).ToList(), ct);
            await TableStore.AuditAsync(tx, table, Audit.AuditEvents.TableColumnsRemoved, names, time.GetUtcNow(), ct);
            return TypedResults.Ok(new ColumnsResponse(remaining.Select(c => c.Name).ToList()));
        }, ct);
    }

    // Renames apply in order, so a→b then b→c is a chain; a rename onto a name still in use is refused.
    static async Task<Results<Ok<ColumnsResponse>, ApiError>> RenameColumns(
        string table_id, HttpContext http, Caller caller, Db db, TimeProvider time, CancellationToken ct)
    {
        using var body = await JsonBody.ReadObjectAsync(http);
        var renames = TableInput.ParseRenames(body.RootElement);
        return await db.InTransactionAsync<Results<Ok<ColumnsResponse>, ApiError>>(async tx =>
        {
            if (await FindTableAsync(tx, caller, table_id, ct, forUpdate: true) is not { } table) return TableNotFound();
            var columns = table.ColumnList().ToList();
            foreach (var (oldName, newName) in renames)
            {
                var index = columns.FindIndex(c => c.Name == oldName);
                if (index < 0) return ApiError.Validation($"Column '{oldName}' does not exist");
                if (oldName != newName && columns.Any(c => c.Name == newName)) return ApiError.Validation($"Column '{newName}' already exists");
                columns[index] = columns[index] with { Name = newName };
            }
            await TableStore.UpdateColumnsAsync(tx, table.Id, TableRow.SerializeColumns(columns), table.NextSlot, time.GetUtcNow(), ct);
            await TableStore.AuditAsync(tx, table, Audit.AuditEvents.TableColumnsRenamed, renames.Select(r => $"{r.Old} -> {r.New}").ToList(), time.GetUtcNow(), ct);
            return TypedResults.Ok(new ColumnsResponse(columns.Select(c => c.Name).ToList()));
        }, ct);
    }

    // TB11: `{column: value}`, each value a case-insensitive regex on the column, all of them to match.
    static async Task<Results<Ok<List<JsonObject>>, ApiError>> Search(
        string table_id, HttpContext http, Caller caller, Db db, TableSearch search, CancellationToken ct)
    {
        using var body = await JsonBody.ReadObjectAsync(http, required: false);
        var table = await db.WithConnectionAsync(tx => FindTableAsync(tx, caller, table_id, ct), ct);
        if (table is null) return TableNotFound();
        var columns = table.ColumnList();
        var terms = new List<SearchTerm>();
        foreach (var property in body.RootElement.EnumerateObject())
        {
            var pattern = property.Value.ValueKind switch
            {
                JsonValueKind.String => property.Value.GetString()!,
                JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => property.Value.GetRawText(),
                _ => null,
            };
            if (pattern is null) return ApiError.Validation($"The search value for {TableInput.Quote(property.Name)} must be a string, number or boolean");
            // A column the table does not have matches nothing (as a query on a missing field would).
            if (columns.FirstOrDefault(c => c.Name == property.Name) is not { } column)
            {
                search.Compile(pattern, property.Name);
                return TypedResults.Ok(new List<JsonObject>());
            }
            terms.Add(search.RegexTerm(column, pattern));
        }
        var rows = await search.RunAsync(table.Id, terms, search.Options.MaxSearchResults, afterSeq: 0, ct);
        return TypedResults.Ok(rows.Select(r => TableRecords.ToWire(r, columns)).ToList());
    }
}

using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using Patchbay.Auth;
using Patchbay.Data;
using Patchbay.Http;
using Patchbay.LinkedAccounts;

namespace Patchbay.Tables;

// Patchbay's own table routes (docs/data.md, docs/api.md): typed filters with sort and cursor pagination, upsert by
// a key column, and export as JSON lines. Same callers as Refold's table routes.
public static class TablesExtensionApi
{
    public const int MaxLimit = 1000;

    public static void Map(IEndpointRouteBuilder app)
    {
        var tables = app.MapGroup(Routes.Patchbay + "/tables").WithTags("Persistent Tables").RequireAuthorization(Policies.LinkedAccount);
        tables.MapPost("/{table_id}/query", Query).WithSummary("Query a table with typed filters, sort and cursor pagination")
            .Accepts<TableQueryRequest>("application/json");
        tables.MapPut("/{table_id}/records", Upsert).WithSummary("Upsert records by a key column")
            .Accepts<UpsertRecordsRequest>("application/json");
        // The streamed answer declares no type: the document shows one line, a record {record_id, column: value…}.
        tables.MapGet("/{table_id}/export", Export).WithSummary("Export a table's records as JSON lines")
            .Produces<JsonObject>(StatusCodes.Status200OK, "application/x-ndjson");
    }

    static async Task<TableRow?> FindAsync(DbTx tx, Caller caller, string tableId, CancellationToken ct, bool forUpdate = false)
    {
        var account = await LinkedAccountStore.FindAsync(tx, caller.OrgId, caller.Environment, caller.AccountId, ct);
        if (account is null) return null;
        return forUpdate ? await TableStore.FindForUpdateAsync(tx, account.Id, tableId, ct) : await TableStore.FindAsync(tx, account.Id, tableId, ct);
    }

    static async Task<Results<Ok<TableQueryResponse>, ApiError>> Query(
        string table_id, HttpContext http, Caller caller, Db db, TableSearch search, CancellationToken ct)
    {
        using var body = await JsonBody.ReadObjectAsync(http, required: false);
        var root = body.RootElement;
        var table = await db.WithConnectionAsync(tx => FindAsync(tx, caller, table_id, ct), ct);
        if (table is null) return TablesApi.TableNotFound();
        var columns = table.ColumnList();
        TableColumn Column(string? name) => columns.FirstOrDefault(c => c.Name == name)
            ?? throw new ApiException(ApiError.Validation($"Column {TableInput.Quote(name)} does not exist"));

        var terms = new List<SearchTerm>();
        if (root.TryGetProperty("filters", out var filters) && filters.ValueKind != JsonValueKind.Null)
        {
            if (filters.ValueKind != JsonValueKind.Array || filters.GetArrayLength() > TableQuery.MaxFilters)
                return ApiError.Validation($"'filters' must be an array of at most {TableQuery.MaxFilters} {{column, op, value}}");
            foreach (var filter in filters.EnumerateArray())
            {
                if (filter.ValueKind != JsonValueKind.Object) return ApiError.Validation("Each filter must be an object {column, op, value}");
                var column = Column(Json.RequiredString(filter, "column", "filters[].column"));
                var op = Json.RequiredString(filter, "op", "filters[].op");
                var value = filter.TryGetProperty("value", out var v) ? JsonNode.Parse(v.GetRawText()) : null;
                terms.Add(TableQuery.Term(column, op, value, search));
            }
        }
        var limit = root.TryGetProperty("limit", out var l) && l.ValueKind != JsonValueKind.Null
            ? l.ValueKind == JsonValueKind.Number && l.TryGetInt32(out var n) && n is >= 1 and <= MaxLimit ? n
                : throw new ApiException(ApiError.Validation($"'limit' must be an integer from 1 to {MaxLimit}"))
            : 100;
        var cursor = Json.OptionalString(root, "cursor", max: 100);

        if (Json.OptionalObject(root, "sort") is not { } sort)
        {
            var (_, after) = TableQuery.ParseCursor(cursor, 's');
            var rows = await search.RunAsync(table.Id, terms, limit + 1, after, ct);
            var page = rows.Take(limit).ToList();
            return TypedResults.Ok(new TableQueryResponse(page.Select(r => TableRecords.ToWire(r, columns)).ToList(),
                rows.Count > limit ? TableQuery.Cursor('s', page[^1].Seq) : null));
        }
        var sortColumn = Column(Json.RequiredString(sort, "column", "sort.column"));
        var direction = Json.OptionalString(sort, "direction", "sort.direction") ?? "asc";
        if (direction is not ("asc" or "desc")) return ApiError.Validation("'sort.direction' must be asc or desc");
        var (_, offset) = TableQuery.ParseCursor(cursor, 'o');
        var max = search.Options.MaxSearchResults;
        var matched = await search.RunAsync(table.Id, terms, max + 1, 0, ct);
        if (matched.Count > max) return ApiError.Validation($"Sorting takes at most {max} matching records; add filters to narrow the query");
        var sorted = TableQuery.Sort(matched, sortColumn, direction == "desc");
        var slice = sorted.Skip((int)Math.Min(offset, int.MaxValue)).Take(limit).ToList();
        return TypedResults.Ok(new TableQueryResponse(slice.Select(r => TableRecords.ToWire(r, columns)).ToList(),
            offset + limit < sorted.Count ? TableQuery.Cursor('o', offset + limit) : null));
    }

    static async Task<Results<Ok<UpsertRecordsResponse>, ApiError>> Upsert(
        string table_id, HttpContext http, Caller caller, Db db, TableWriter writer, TimeProvider time, CancellationToken ct)
    {
        using var body = await JsonBody.ReadObjectAsync(http);
        var key = TableInput.ColumnName(Json.RequiredString(body.RootElement, "key"));
        using var wrapped = JsonDocument.Parse("{\"data\":" + (body.RootElement.TryGetProperty("records", out var r) ? r.GetRawText() : "null") + "}");
        var (records, _) = TableInput.ParseRecords(wrapped.RootElement, writer.Options.MaxBatch);
        return await db.InTransactionAsync<Results<Ok<UpsertRecordsResponse>, ApiError>>(async tx =>
        {
            if (await FindAsync(tx, caller, table_id, ct, forUpdate: true) is not { } table) return TablesApi.TableNotFound();
            var result = await writer.UpsertAsync(tx, table, key, records, time.GetUtcNow(), ct);
            return TypedResults.Ok(new UpsertRecordsResponse(result.Inserted, result.Updated, result.Records));
        }, ct);
    }

    // One record per line, in table order, read in batches so that a large table streams in bounded memory.
    static async Task<Results<PushStreamHttpResult, ApiError>> Export(string table_id, Caller caller, Db db, TableStore store, CancellationToken ct)
    {
        var table = await db.WithConnectionAsync(tx => FindAsync(tx, caller, table_id, ct), ct);
        if (table is null) return TablesApi.TableNotFound();
        var columns = table.ColumnList();
        return TypedResults.Stream(async stream =>
        {
            long after = 0;
            var newline = "\n"u8.ToArray();
            while (true)
            {
                var batch = await store.ScanAsync(table.Id, null, after, 1000, ct);
                foreach (var row in batch)
                {
                    await stream.WriteAsync(JsonSerializer.SerializeToUtf8Bytes(TableRecords.ToWire(row, columns)), ct);
                    await stream.WriteAsync(newline, ct);
                }
                if (batch.Count < 1000) break;
                after = batch[^1].Seq;
            }
        }, "application/x-ndjson");
    }
}

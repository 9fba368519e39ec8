using System.Data.Common;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using Patchbay.Auth;
using Patchbay.Data;
using Patchbay.Http;
using Patchbay.LinkedAccounts;

namespace Patchbay.Tables;

// Persistent tables, refold-api.md §3.16 (TB1–TB12): tables here, records and search in TablesApi.Records.cs.
// The API key with a linked account, or a session token for its own account's tables.
public static partial class TablesApi
{
    public static void Map(IEndpointRouteBuilder app)
    {
        var tables = app.MapPublic("Persistent Tables", "/tables").RequireAuthorization(Policies.LinkedAccount);

        // Literal segments outrank parameters, so group/edit wins over {table_id}/{record_id} (the §3.16 route-order note).
        tables.MapPut("/group/edit", EditGroup).WithSummary("Set or clear the group of tables")
            .Accepts<EditTablesGroupRequest>("application/json");
        tables.MapGet("", List).WithSummary("List persistent tables").WithPaging()
            .WithQuery("name", "Only tables whose name matches this regular expression (case-insensitive).");
        tables.MapPost("", Create).WithSummary("Create a persistent table (or return the existing one's id)")
            .Accepts<CreateTableRequest>("application/json");
        tables.MapGet("/{table_id}", Records).WithSummary("Get a page of a table's records").WithPaging(defaultLimit: 100);
        tables.MapPatch("/{table_id}", AddRecords).WithSummary("Add records to a table")
            .Accepts<AddRecordsRequest>("application/json");
        tables.MapDelete("/{table_id}", Delete).WithSummary("Soft-delete a table");
        tables.MapDelete("/{table_id}/{record_id}", DeleteRecord).WithSummary("Delete one record");
        tables.MapPatch("/{table_id}/records/{record_id}", UpdateRecord).WithSummary("Update one record")
            .Accepts<JsonObject>("application/json");
        tables.MapPatch("/{table_id}/columns/add", AddColumns).WithSummary("Add columns to a table")
            .Accepts<ColumnsRequest>("application/json");
        tables.MapDelete("/{table_id}/columns/remove", RemoveColumns).WithSummary("Remove columns from a table")
            .Accepts<ColumnsRequest>("application/json");
        tables.MapPatch("/{table_id}/columns/rename", RenameColumns).WithSummary("Rename columns of a table")
            .Accepts<RenameColumnsRequest>("application/json");
        tables.MapPost("/{table_id}/search", Search).WithSummary("Search a table's records (case-insensitive regex per column)")
            .Accepts<JsonObject>("application/json");
    }

    public static ApiError TableNotFound() => ApiError.NotFound(ErrorCodes.ServerError, "Table not found");

    static async Task<Results<Ok<Paginated<TableResponse>>, ApiError>> List(
        HttpRequest request, Caller caller, Db db, TableStore store, TableSearch search, CancellationToken ct)
    {
        var page = Page.From(request);
        var account = await db.WithConnectionAsync(tx => LinkedAccountStore.FindAsync(tx, caller.OrgId, caller.Environment, caller.AccountId, ct), ct);
        if (account is null) return caller.LinkedAccountNotFound(caller.AccountId);
        var rows = await store.ListAsync(account.Id, ct);
        if (request.Query["name"].ToString() is { Length: > 0 } name)
        {
            var regex = search.Compile(name, "name");
            try
            {
                rows = rows.Where(r => regex.IsMatch(r.Name)).ToList();
            }
            catch (System.Text.RegularExpressions.RegexMatchTimeoutException)
            {
                return ApiError.Validation("The name pattern took too long to match; use a simpler pattern");
            }
        }
        var docs = rows.Skip(page.Offset).Take(page.Limit).Select(r => ToResponse(r, caller.AccountId)).ToList();
        return TypedResults.Ok(Paginated.Of(docs, rows.Count, page));
    }

    static TableResponse ToResponse(TableRow row, string accountId) =>
        new(row.Id, row.OrgId, accountId, row.Name, row.Environment, TableTypes.Persistent, row.IsDeleted, row.RecordCount,
            row.ColumnList().Select(c => c.Name).ToList(), row.Grp, row.CreatedAt, row.UpdatedAt);

    static async Task<Results<Ok<CreateTableResponse>, ApiError>> Create(
        HttpContext http, Caller caller, Db db, TableSearch search, TimeProvider time, CancellationToken ct)
    {
        using var body = await JsonBody.ReadObjectAsync(http);
        var (name, columnNames) = TableInput.ParseCreate(body.RootElement);
        var max = search.Options.MaxColumns;
        if (columnNames.Count > max) return ApiError.Validation($"A table can have at most {max} columns; {columnNames.Count} were given");

        // Two concurrent creates of one name: one inserts, the other hits the unique name and answers with it.
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await db.InTransactionAsync<Results<Ok<CreateTableResponse>, ApiError>>(async tx =>
                {
                    var account = await LinkedAccountStore.FindAsync(tx, caller.OrgId, caller.Environment, caller.AccountId, ct);
                    if (account is null) return caller.LinkedAccountNotFound(caller.AccountId);
                    if (await TableStore.FindByNameAsync(tx, account.Id, name, ct) is { } existing)
                        return TypedResults.Ok(new CreateTableResponse(existing.Id, AlreadyExists: true));
                    var now = time.GetUtcNow();
                    var columns = columnNames.Select((c, i) => new TableColumn(c, i + 1)).ToList();
                    var row = new TableRow
                    {
                        Id = Ids.New(now), OrgId = caller.OrgId, Environment = caller.Environment, LinkedAccountRowId = account.Id,
                        Name = name, Columns = TableRow.SerializeColumns(columns), NextSlot = columns.Count + 1, NextSeq = 1,
                        CreatedAt = now, UpdatedAt = now,
                    };
                    await TableStore.InsertAsync(tx, row, ct);
                    return TypedResults.Ok(new CreateTableResponse(row.Id, AlreadyExists: false));
                }, ct);
            }
            catch (DbException e) when (attempt == 0 && db.Dialect.IsUniqueViolation(e))
            {
            }
        }
    }

    static async Task<Results<Ok<bool>, ApiError>> Delete(string table_id, Caller caller, Db db, TimeProvider time, CancellationToken ct) =>
        await db.InTransactionAsync<Results<Ok<bool>, ApiError>>(async tx =>
        {
            if (await FindTableAsync(tx, caller, table_id, ct) is not { } table) return TableNotFound();
            await TableStore.SoftDeleteAsync(tx, table.Id, time.GetUtcNow(), ct);
            await TableStore.AuditAsync(tx, table, Audit.AuditEvents.TableDeleted, null, time.GetUtcNow(), ct);
            return TypedResults.Ok(true);
        }, ct);

    static async Task<Results<NoContent, ApiError>> EditGroup(HttpContext http, Caller caller, Db db, TimeProvider time, CancellationToken ct)
    {
        using var body = await JsonBody.ReadObjectAsync(http, required: false);
        var root = body.RootElement;
        if (!root.TryGetProperty("tableIds", out var ids) || ids.ValueKind != System.Text.Json.JsonValueKind.Array)
            return ApiError.BadRequest(ErrorCodes.ServerError, "tableIds is required");
        if (ids.EnumerateArray().Any(i => i.ValueKind != System.Text.Json.JsonValueKind.String))
            return ApiError.Validation("Each of 'tableIds' must be a string");
        var tableIds = ids.EnumerateArray().Select(i => i.GetString()!).Distinct().ToList();
        if (tableIds.Count > 1000) return ApiError.Validation("At most 1000 tableIds at once");
        // Empty or falsy group unsets it (§7.13).
        var group = root.TryGetProperty("group", out var g) && g.ValueKind == System.Text.Json.JsonValueKind.String && g.GetString() is { Length: > 0 } s
            ? Limits.Check(s, "group", Limits.Name) : null;
        if (group is not null && group.Any(char.IsControl)) return ApiError.Validation("'group' must be printable text");
        var result = await db.InTransactionAsync<ApiError?>(async tx =>
        {
            var account = await LinkedAccountStore.FindAsync(tx, caller.OrgId, caller.Environment, caller.AccountId, ct);
            if (account is null) return caller.LinkedAccountNotFound(caller.AccountId);
            if (tableIds.Count > 0) await TableStore.SetGroupAsync(tx, account.Id, tableIds, group, time.GetUtcNow(), ct);
            return null;
        }, ct);
        return result is null ? TypedResults.NoContent() : result;
    }

    // The caller's account's live table, or null (another account's table is as absent as a missing one).
    static async Task<TableRow?> FindTableAsync(DbTx tx, Caller caller, string tableId, CancellationToken ct, bool forUpdate = false)
    {
        var account = await LinkedAccountStore.FindAsync(tx, caller.OrgId, caller.Environment, caller.AccountId, ct);
        if (account is null) return null;
        return forUpdate ? await TableStore.FindForUpdateAsync(tx, account.Id, tableId, ct) : await TableStore.FindAsync(tx, account.Id, tableId, ct);
    }
}

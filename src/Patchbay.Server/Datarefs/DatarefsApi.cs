using System.Data.Common;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using Patchbay.Auth;
using Patchbay.Data;
using Patchbay.Http;
using Patchbay.LinkedAccounts;

namespace Patchbay.Datarefs;

// Datarefs, refold-api.md §3.14 (DR1–DR6): the org's API key (with a linked account, except for the list).
// Records are written by workflows (docs/data.md); the API reads, clears, groups and deletes them.
public static class DatarefsApi
{
    public static void Map(IEndpointRouteBuilder app)
    {
        var group = app.MapPublic("Datarefs");
        group.MapGet("/dataref", List).RequireAuthorization(Policies.Org).WithSummary("List datarefs").WithPaging()
            .WithQuery("unique", "\"true\": one entry per dataref name (the oldest).", ApiParameterType.Flag)
            .WithOptionalLinkedAccount("Only this linked account's datarefs (the query parameter wins over the header).");
        group.MapPost("/dataref", Create).RequireAuthorization(Policies.OrgLinkedAccount).WithSummary("Create a dataref (or return the existing one)")
            .Accepts<CreateDatarefRequest>("application/json");
        group.MapGet("/dataref/{refName}", AsTable).RequireAuthorization(Policies.OrgLinkedAccount).WithSummary("Get a dataref as a table")
            .WithPaging(defaultLimit: 100);
        group.MapDelete("/dataref/{refName}", Delete).RequireAuthorization(Policies.OrgLinkedAccount).WithSummary("Delete a dataref");
        group.MapPut("/dataref/{refName}/clear-records", Clear).RequireAuthorization(Policies.OrgLinkedAccount).WithSummary("Clear a dataref's records").WithoutBody();
        group.MapPut("/datarefs/group", EditGroup).RequireAuthorization(Policies.OrgLinkedAccount).WithSummary("Set or clear the group of datarefs")
            .Accepts<EditDatarefGroupRequest>("application/json");
    }

    static ApiError NotFound() => ApiError.NotFound(ErrorCodes.ServerError, "Dataref not found");

    static async Task<Results<Ok<Paginated<DatarefResponse>>, ApiError>> List(HttpRequest request, Caller caller, DatarefStore store, CancellationToken ct)
    {
        var page = Page.From(request);
        // The list is org-level: the account, if any, comes from the query (or the header).
        var account = request.Query["linked_account_id"].ToString() is { Length: > 0 } q ? q : caller.LinkedAccountId;
        var unique = request.Query["unique"].ToString() == "true";
        if (account is not null && account.Any(char.IsControl)) return ApiError.Validation("'linked_account_id' must be printable text");
        var (rows, total) = await store.ListAsync(caller.OrgId, caller.Environment, account, unique, page.Offset, page.Limit, ct);
        return TypedResults.Ok(Paginated.Of(rows.Select(r => ToResponse(r, data: null)).ToList(), total, page));
    }

    static DatarefResponse ToResponse(DatarefRow row, JsonObject? data) =>
        new(row.Id, row.Name, row.AccountId ?? "", row.OrgId, row.Environment, data, row.Grp, row.CreatedAt, row.UpdatedAt, row.Version);

    static async Task<Results<Ok<DatarefResponse>, ApiError>> Create(HttpContext http, Caller caller, Db db, TimeProvider time, CancellationToken ct)
    {
        using var body = await JsonBody.ReadObjectAsync(http, required: false);
        var name = body.RootElement.TryGetProperty("refName", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString() : null;
        if (string.IsNullOrWhiteSpace(name)) return ApiError.BadRequest(ErrorCodes.ServerError, "refName is required");
        if (name.Length > Limits.Name || name.Any(char.IsControl)) return ApiError.Validation($"'refName' must be 1 to {Limits.Name} printable characters");
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await db.InTransactionAsync<Results<Ok<DatarefResponse>, ApiError>>(async tx =>
                {
                    var account = await LinkedAccountStore.FindAsync(tx, caller.OrgId, caller.Environment, caller.AccountId, ct);
                    if (account is null) return caller.LinkedAccountNotFound(caller.AccountId);
                    if (await DatarefStore.FindAsync(tx, account.Id, name, ct) is { } existing)
                        return TypedResults.Ok(ToResponse(existing, await DataAsync(tx, existing.Id, ct)));
                    var now = time.GetUtcNow();
                    var row = new DatarefRow
                    {
                        Id = Ids.New(now), OrgId = caller.OrgId, Environment = caller.Environment, LinkedAccountRowId = account.Id,
                        Name = name, CreatedAt = now, UpdatedAt = now, AccountId = account.AccountId,
                    };
                    await DatarefStore.InsertAsync(tx, row, ct);
                    return TypedResults.Ok(ToResponse(row, []));
                }, ct);
            }
            catch (DbException e) when (attempt == 0 && db.Dialect.IsUniqueViolation(e))
            {
            }
        }
    }

    // `{record_id: rows[]}` of every record.
    public static async Task<JsonObject> DataAsync(DbTx tx, string id, CancellationToken ct)
    {
        var data = new JsonObject();
        foreach (var record in await DatarefStore.RecordsAsync(tx, id, 0, null, ct)) data[record.RecordId] = JsonNode.Parse(record.Rows);
        return data;
    }

    static async Task<Results<Ok<DatarefTableResponse>, ApiError>> AsTable(string refName, HttpRequest request, Caller caller, Db db, CancellationToken ct)
    {
        var page = Page.From(request, defaultLimit: 100);
        return await db.WithConnectionAsync<Results<Ok<DatarefTableResponse>, ApiError>>(async tx =>
        {
            if (await FindAsync(tx, caller, refName, ct) is not { } dataref) return NotFound();
            var total = await DatarefStore.CountRecordsAsync(tx, dataref.Id, ct);
            var records = await DatarefStore.RecordsAsync(tx, dataref.Id, page.Offset, page.Limit, ct);
            var headers = new List<string> { "record_id" };
            var rows = new List<JsonObject>();
            foreach (var record in records)
            {
                foreach (var item in JsonNode.Parse(record.Rows)?.AsArray() ?? [])
                {
                    var row = new JsonObject { ["record_id"] = record.RecordId };
                    if (item is JsonObject fields)
                    {
                        foreach (var (key, value) in fields)
                        {
                            if (key == "record_id") continue;
                            row[key] = value?.DeepClone();
                            if (!headers.Contains(key)) headers.Add(key);
                        }
                    }
                    rows.Add(row);
                }
            }
            var totalPages = Math.Max(1, (total + page.Limit - 1) / page.Limit);
            return TypedResults.Ok(new DatarefTableResponse(headers, rows, page.Number, page.Limit, total, totalPages, page.Number < totalPages));
        }, ct);
    }

    static async Task<DatarefRow?> FindAsync(DbTx tx, Caller caller, string name, CancellationToken ct)
    {
        var account = await LinkedAccountStore.FindAsync(tx, caller.OrgId, caller.Environment, caller.AccountId, ct);
        return account is null ? null : await DatarefStore.FindAsync(tx, account.Id, name, ct);
    }

    static async Task<Ok<DeleteOneResult>> Delete(string refName, Caller caller, Db db, CancellationToken ct)
    {
        var deleted = await db.InTransactionAsync(async tx =>
        {
            var account = await LinkedAccountStore.FindAsync(tx, caller.OrgId, caller.Environment, caller.AccountId, ct);
            return account is null ? 0 : await DatarefStore.DeleteAsync(tx, account.Id, refName, ct);
        }, ct);
        return TypedResults.Ok(new DeleteOneResult(true, deleted));
    }

    static async Task<Results<Ok<DatarefResponse>, ApiError>> Clear(string refName, Caller caller, Db db, TimeProvider time, CancellationToken ct) =>
        await db.InTransactionAsync<Results<Ok<DatarefResponse>, ApiError>>(async tx =>
        {
            if (await FindAsync(tx, caller, refName, ct) is not { } dataref) return NotFound();
            var now = time.GetUtcNow();
            await DatarefStore.ClearAsync(tx, dataref.Id, now, ct);
            return TypedResults.Ok(ToResponse(dataref with { Version = dataref.Version + 1, UpdatedAt = now }, []));
        }, ct);

    static async Task<Results<NoContent, ApiError>> EditGroup(HttpContext http, Caller caller, Db db, TimeProvider time, CancellationToken ct)
    {
        using var body = await JsonBody.ReadObjectAsync(http, required: false);
        var root = body.RootElement;
        if (!root.TryGetProperty("refNames", out var names) || names.ValueKind != JsonValueKind.Array)
            return ApiError.BadRequest(ErrorCodes.ServerError, "refNames is required");
        if (names.EnumerateArray().Any(i => i.ValueKind != JsonValueKind.String)) return ApiError.Validation("Each of 'refNames' must be a string");
        var list = names.EnumerateArray().Select(i => i.GetString()!).Distinct().ToList();
        if (list.Count > 1000) return ApiError.Validation("At most 1000 refNames at once");
        var group = root.TryGetProperty("group", out var g) && g.ValueKind == JsonValueKind.String && g.GetString() is { Length: > 0 } s
            ? Limits.Check(s, "group", Limits.Name) : null;
        if (group is not null && group.Any(char.IsControl)) return ApiError.Validation("'group' must be printable text");
        var error = await db.InTransactionAsync<ApiError?>(async tx =>
        {
            var account = await LinkedAccountStore.FindAsync(tx, caller.OrgId, caller.Environment, caller.AccountId, ct);
            if (account is null) return caller.LinkedAccountNotFound(caller.AccountId);
            if (list.Count > 0) await DatarefStore.SetGroupAsync(tx, account.Id, list, group, time.GetUtcNow(), ct);
            return null;
        }, ct);
        return error is null ? TypedResults.NoContent() : error;
    }
}

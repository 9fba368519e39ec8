using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;
using Patchbay.Auth;
using Patchbay.Configs;
using Patchbay.Data;
using Patchbay.Http;
using Patchbay.LinkedAccounts;
using Patchbay.Tables;

namespace Patchbay.Datastores;

// Refold's answer when the config is missing (§3.15), which is not the usual error shape.
public sealed record DatastoreErrorBody(
    [property: JsonPropertyName("message")] string Message,
    [property: JsonPropertyName("error")] string Error);

// Datastores, refold-api.md §3.15 (DS1–DS3): deprecated and read-only through the API; workflows write them with the
// datastore node. Per config: the app slug and config_id (default: the linked account's id).
public static class DatastoresApi
{
    public static void Map(IEndpointRouteBuilder app)
    {
        var group = app.MapPublic("Datastores", "/datastore/config").RequireAuthorization(Policies.OrgLinkedAccount)
            .WithQuery("config_id", "The config (default: the linked account's id).");
        group.MapGet("/{slug}", Names).WithSummary("List the datastores of a config");
        group.MapGet("/{slug}/{datastore_name}/records", Records).WithSummary("Get all records of a config's datastore");
        group.MapPost("/{slug}/{datastore_name}/search", Search).WithSummary("Search a config's datastore (case-insensitive regex per key)")
            .Accepts<JsonObject>("application/json");
    }

    static JsonHttpResult<DatastoreErrorBody> ConfigNotFound() =>
        TypedResults.Json(new DatastoreErrorBody("Server Error", "Config not found"), statusCode: 404);

    static async Task<ConfigRow?> ConfigAsync(DbTx tx, Caller caller, string slug, HttpRequest request, CancellationToken ct)
    {
        var account = await LinkedAccountStore.FindAsync(tx, caller.OrgId, caller.Environment, caller.AccountId, ct);
        if (account is null) return null;
        var configId = request.Query["config_id"].ToString() is { Length: > 0 } c ? c : caller.AccountId;
        if (configId.Contains('\0', StringComparison.Ordinal) || slug.Contains('\0', StringComparison.Ordinal)) return null;
        return await ConfigStore.FindAsync(tx, account.Id, slug, configId, ct);
    }

    static async Task<Results<Ok<IReadOnlyList<string>>, JsonHttpResult<DatastoreErrorBody>>> Names(
        string slug, HttpRequest request, Caller caller, Db db, CancellationToken ct) =>
        await db.WithConnectionAsync<Results<Ok<IReadOnlyList<string>>, JsonHttpResult<DatastoreErrorBody>>>(async tx =>
        {
            if (await ConfigAsync(tx, caller, slug, request, ct) is not { } config) return ConfigNotFound();
            return TypedResults.Ok(await DatastoreStore.NamesAsync(tx, config.Id, ct));
        }, ct);

    static async Task<Results<Ok<JsonArray>, JsonHttpResult<DatastoreErrorBody>>> Records(
        string slug, string datastore_name, HttpRequest request, Caller caller, Db db, CancellationToken ct) =>
        await db.WithConnectionAsync<Results<Ok<JsonArray>, JsonHttpResult<DatastoreErrorBody>>>(async tx =>
        {
            if (await ConfigAsync(tx, caller, slug, request, ct) is not { } config) return ConfigNotFound();
            return TypedResults.Ok(Parse(await DatastoreStore.RecordsAsync(tx, config.Id, datastore_name, ct)));
        }, ct);

    static JsonArray Parse(string? records) => records is null ? [] : JsonNode.Parse(records) as JsonArray ?? [];

    // `{key: value}`: each value a case-insensitive regex on the record's key, all of them to match (the tables' engine).
    static async Task<Results<Ok<JsonArray>, JsonHttpResult<DatastoreErrorBody>, ApiError>> Search(
        string slug, string datastore_name, HttpContext http, Caller caller, Db db, TableSearch search, CancellationToken ct)
    {
        using var body = await JsonBody.ReadObjectAsync(http, required: false);
        var terms = new List<(string Key, System.Text.RegularExpressions.Regex Regex)>();
        foreach (var property in body.RootElement.EnumerateObject())
        {
            var pattern = property.Value.ValueKind switch
            {
                JsonValueKind.String => property.Value.GetString()!,
                JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => property.Value.GetRawText(),
                _ => null,
            };
            if (pattern is null) return ApiError.Validation($"The search value for {TableInput.Quote(property.Name)} must be a string, number or boolean");
            terms.Add((property.Name, search.Compile(pattern, property.Name)));
        }
        var records = await db.WithConnectionAsync(async tx =>
            await ConfigAsync(tx, caller, slug, http.Request, ct) is { } config ? Parse(await DatastoreStore.RecordsAsync(tx, config.Id, datastore_name, ct)) : null, ct);
        if (records is null) return ConfigNotFound();
        try
        {
            var matches = records.Where(r => r is JsonObject o && terms.All(t => TableRecords.TextOf(o[t.Key]) is { } text && t.Regex.IsMatch(text)))
                .Select(r => r!.DeepClone()).ToArray();
            return TypedResults.Ok(new JsonArray(matches));
        }
        catch (System.Text.RegularExpressions.RegexMatchTimeoutException)
        {
            return ApiError.Validation("The search took too long to match; use a simpler pattern");
        }
    }
}

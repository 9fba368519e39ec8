using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Patchbay.Datarefs;

// A dataref (§3.14; OpenAPI `Dataref`). `data` is `{record_id: rows[]}`; lists leave it out.
public sealed record DatarefResponse(
    [property: JsonPropertyName("_id")] string Id,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("linked_account_id")] string LinkedAccountId,
    [property: JsonPropertyName("org_id")] string OrgId,
    [property: JsonPropertyName("environment")] string Environment,
    [property: JsonPropertyName("data"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] JsonObject? Data,
    [property: JsonPropertyName("group"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Group,
    [property: JsonPropertyName("createdAt")] DateTimeOffset CreatedAt,
    [property: JsonPropertyName("updatedAt")] DateTimeOffset UpdatedAt,
    [property: JsonPropertyName("__v")] int Version);

// DR3: the dataref as a table: one row per stored row, with its record_id; headers are every key seen.
public sealed record DatarefTableResponse(
    [property: JsonPropertyName("headers")] IReadOnlyList<string> Headers,
    [property: JsonPropertyName("rows")] IReadOnlyList<JsonObject> Rows,
    [property: JsonPropertyName("page")] int Page,
    [property: JsonPropertyName("limit")] int Limit,
    [property: JsonPropertyName("totalDocs")] long TotalDocs,
    [property: JsonPropertyName("totalPages")] long TotalPages,
    [property: JsonPropertyName("hasNextPage")] bool HasNextPage);

public sealed record DeleteOneResult(
    [property: JsonPropertyName("acknowledged")] bool Acknowledged,
    [property: JsonPropertyName("deletedCount")] int DeletedCount);

public sealed record CreateDatarefRequest([property: JsonPropertyName("refName")] string RefName);

public sealed record EditDatarefGroupRequest(
    [property: JsonPropertyName("refNames")] IReadOnlyList<string> RefNames,
    [property: JsonPropertyName("group"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Group);

public sealed record DatarefRow
{
    public required string Id { get; init; }
    public required string OrgId { get; init; }
    public required string Environment { get; init; }
    public required string LinkedAccountRowId { get; init; }
    public required string Name { get; init; }
    public string? Grp { get; init; }
    public int Version { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }

    // Joined in by lists: the account's own id.
    public string? AccountId { get; init; }
}

public sealed record DatarefRecordRow
{
    public required string RecordId { get; init; }
    public long Seq { get; init; }
    public required string Rows { get; init; }
}

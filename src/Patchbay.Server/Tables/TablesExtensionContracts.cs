using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Patchbay.Tables;

public sealed record TableQueryRequest(
    [property: JsonPropertyName("filters")] IReadOnlyList<TableFilterRequest>? Filters,
    [property: JsonPropertyName("sort")] TableSortRequest? Sort,
    [property: JsonPropertyName("limit")] int? Limit,
    [property: JsonPropertyName("cursor")] string? Cursor);

public sealed record TableFilterRequest(
    [property: JsonPropertyName("column")] string Column,
    [property: JsonPropertyName("op")] string Op,
    [property: JsonPropertyName("value")] JsonNode? Value);

public sealed record TableSortRequest(
    [property: JsonPropertyName("column")] string Column,
    [property: JsonPropertyName("direction")] string? Direction);

public sealed record TableQueryResponse(
    [property: JsonPropertyName("records")] IReadOnlyList<JsonObject> Records,
    [property: JsonPropertyName("next_cursor")] string? NextCursor);

public sealed record UpsertRecordsRequest(
    [property: JsonPropertyName("key")] string Key,
    [property: JsonPropertyName("records")] IReadOnlyList<JsonObject> Records);

public sealed record UpsertRecordsResponse(
    [property: JsonPropertyName("inserted")] int Inserted,
    [property: JsonPropertyName("updated")] int Updated,
    [property: JsonPropertyName("records")] IReadOnlyList<JsonObject> Records);

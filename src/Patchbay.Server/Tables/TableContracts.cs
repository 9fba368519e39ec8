using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Patchbay.Tables;

public static class TableTypes
{
    public const string Persistent = "persistent";
}

// A table in the list (§3.16 TB1; OpenAPI `Table`).
public sealed record TableResponse(
    [property: JsonPropertyName("_id")] string Id,
    [property: JsonPropertyName("org_id")] string OrgId,
    [property: JsonPropertyName("linked_account_id")] string LinkedAccountId,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("environment")] string Environment,
    [property: JsonPropertyName("table_type")] string TableType,
    [property: JsonPropertyName("is_deleted")] bool IsDeleted,
    [property: JsonPropertyName("record_count")] long RecordCount,
    [property: JsonPropertyName("columns")] IReadOnlyList<string> Columns,
    [property: JsonPropertyName("group"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Group,
    [property: JsonPropertyName("createdAt")] DateTimeOffset CreatedAt,
    [property: JsonPropertyName("updatedAt")] DateTimeOffset UpdatedAt);

public sealed record CreateTableResponse(
    [property: JsonPropertyName("table_id")] string TableId,
    [property: JsonPropertyName("already_exists")] bool AlreadyExists);

// TB3: the page of records with the table's name and columns; records are the user's values, so JSON objects.
public sealed record TableRecordsResponse(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("columns")] IReadOnlyList<string> Columns,
    [property: JsonPropertyName("docs")] IReadOnlyList<JsonObject> Docs,
    [property: JsonPropertyName("page")] int Page,
    [property: JsonPropertyName("limit")] int Limit,
    [property: JsonPropertyName("totalDocs")] long TotalDocs,
    [property: JsonPropertyName("totalPages")] long TotalPages,
    [property: JsonPropertyName("hasNextPage")] bool HasNextPage);

public sealed record AddRecordsResponse(
    [property: JsonPropertyName("add_record_result")] IReadOnlyList<JsonObject> AddRecordResult,
    [property: JsonPropertyName("transformed_add_data")] JsonNode TransformedAddData);

public sealed record ColumnsResponse([property: JsonPropertyName("columns")] IReadOnlyList<string> Columns);

// Request bodies, as documentation (parsing is TableInput's).
public sealed record CreateTableRequest(
    [property: JsonPropertyName("table_name")] string TableName,
    [property: JsonPropertyName("columns")] IReadOnlyList<ColumnDefinitionRequest> Columns);

public sealed record ColumnDefinitionRequest([property: JsonPropertyName("column_name")] string ColumnName);

public sealed record AddRecordsRequest([property: JsonPropertyName("data")] JsonNode Data);

public sealed record ColumnsRequest([property: JsonPropertyName("columns")] IReadOnlyList<string> Columns);

public sealed record RenameColumnsRequest([property: JsonPropertyName("renames")] IReadOnlyList<ColumnRenameRequest> Renames);

public sealed record ColumnRenameRequest(
    [property: JsonPropertyName("old_name")] string OldName,
    [property: JsonPropertyName("new_name")] string NewName);

public sealed record EditTablesGroupRequest(
    [property: JsonPropertyName("tableIds")] IReadOnlyList<string> TableIds,
    [property: JsonPropertyName("group"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Group);

using System.Text.Json;
using System.Text.Json.Nodes;
using Patchbay.Http;

namespace Patchbay.Tables;

// Parsing of the tables' request bodies (§3.16), with the contract's messages where it has them.
public static class TableInput
{
    public const int MaxColumnName = 64;

    public static (string Name, List<string> Columns) ParseCreate(JsonElement root)
    {
        var name = root.TryGetProperty("table_name", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString() : null;
        if (string.IsNullOrWhiteSpace(name) || !root.TryGetProperty("columns", out var columns) || columns.ValueKind != JsonValueKind.Array)
            throw new ApiException(ApiError.BadRequest(ErrorCodes.ServerError, "table_name and columns are required"));
        if (name.Length > Limits.Name || name.Any(char.IsControl))
            throw new ApiException(ApiError.Validation($"'table_name' must be 1 to {Limits.Name} printable characters"));
        var names = new List<string>();
        foreach (var column in columns.EnumerateArray())
        {
            // Refold's columns are objects with column_name; a bare string is read the same way.
            var value = column.ValueKind switch
            {
                JsonValueKind.Object when column.TryGetProperty("column_name", out var c) && c.ValueKind == JsonValueKind.String => c.GetString(),
                JsonValueKind.String => column.GetString(),
                _ => throw new ApiException(ApiError.Validation("Each of 'columns' must be an object with a string 'column_name'")),
            };
            names.Add(ColumnName(value));
        }
        if (names.Count == 0) throw new ApiException(ApiError.BadRequest(ErrorCodes.ServerError, "table_name and columns are required"));
        Distinct(names);
        return (name, names);
    }

    // `{"columns": ["a", "b"]}` of columns/add and columns/remove.
    public static List<string> ParseColumnList(JsonElement root)
    {
        if (!root.TryGetProperty("columns", out var columns) || columns.ValueKind != JsonValueKind.Array || columns.GetArrayLength() == 0)
            throw new ApiException(ApiError.Validation("'columns' is required and must be a non-empty array of column names"));
        var names = columns.EnumerateArray().Select(c => c.ValueKind switch
        {
            JsonValueKind.String => ColumnName(c.GetString()),
            JsonValueKind.Object when c.TryGetProperty("column_name", out var v) && v.ValueKind == JsonValueKind.String => ColumnName(v.GetString()),
            _ => throw new ApiException(ApiError.Validation("Each of 'columns' must be a column name (string)")),
        }).ToList();
        Distinct(names);
        return names;
    }

    public static List<(string Old, string New)> ParseRenames(JsonElement root)
    {
        if (!root.TryGetProperty("renames", out var renames) || renames.ValueKind != JsonValueKind.Array || renames.GetArrayLength() == 0)
            throw new ApiException(ApiError.Validation("'renames' is required and must be a non-empty array of {old_name, new_name}"));
        return renames.EnumerateArray().Select(r =>
        {
            if (r.ValueKind != JsonValueKind.Object) throw new ApiException(ApiError.Validation("Each of 'renames' must be an object with old_name and new_name"));
            return (ColumnName(Json.RequiredString(r, "old_name", "renames[].old_name")), ColumnName(Json.RequiredString(r, "new_name", "renames[].new_name")));
        }).ToList();
    }

    // `data` of add records: one object or an array of objects, each at most `maxBatch` in number.
    public static (List<JsonObject> Records, bool IsArray) ParseRecords(JsonElement root, int maxBatch)
    {
        if (!root.TryGetProperty("data", out var data) || data.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined)
            throw new ApiException(ApiError.BadRequest(ErrorCodes.ServerError, "data is required"));
        if (data.ValueKind == JsonValueKind.Object) return ([JsonObject.Create(data)!], false);
        if (data.ValueKind != JsonValueKind.Array) throw new ApiException(ApiError.Validation("'data' must be an object or an array of objects"));
        var count = data.GetArrayLength();
        if (count == 0) throw new ApiException(ApiError.BadRequest(ErrorCodes.ServerError, "data is required"));
        if (count > maxBatch) throw new ApiException(ApiError.Validation($"At most {maxBatch} records can be added in one request; this one has {count}"));
        var records = new List<JsonObject>(count);
        foreach (var item in data.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Object) throw new ApiException(ApiError.Validation("Each record in 'data' must be an object"));
            records.Add(JsonObject.Create(item)!);
        }
        return (records, true);
    }

    // Column names are letters, digits, spaces, '_' and '-' (any script): they are shown in UIs and exports, and
    // quotes, dots, '$' and control characters have no business there. record_id is the records' own key.
    public static string ColumnName(string? name)
    {
        if (name is null || name.Length is 0 or > MaxColumnName || name != name.Trim()
            || !name.All(c => char.IsLetterOrDigit(c) || c is '_' or '-' or ' ') || !char.IsLetterOrDigit(name[0]) && name[0] != '_')
        {
            throw new ApiException(ApiError.Validation(
                $"Column name {Quote(name)} is not allowed: use 1 to {MaxColumnName} letters, digits, spaces, '_' or '-', starting with a letter, digit or '_'"));
        }
        if (name == TableRecords.RecordIdField) throw new ApiException(ApiError.Validation("Column name 'record_id' is reserved for the records' ids"));
        return name;
    }

    static void Distinct(List<string> names)
    {
        var duplicate = names.GroupBy(n => n, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new ApiException(ApiError.Validation($"Column '{duplicate.Key}' is given twice"));
    }

    // A name for a message: printable, at most 64 characters.
    public static string Quote(string? name)
    {
        if (name is null) return "(missing)";
        var printable = new string(name.Take(MaxColumnName).Select(c => char.IsControl(c) ? '?' : c).ToArray());
        return "'" + printable + (name.Length > MaxColumnName ? "…" : "") + "'";
    }
}

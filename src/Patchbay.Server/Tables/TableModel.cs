using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Patchbay.Tables;

// A column: its name on the wire and the slot its values are stored under (never reused within a table).
public sealed record TableColumn([property: JsonPropertyName("name")] string Name, [property: JsonPropertyName("slot")] int Slot);

public sealed record TableRow
{
    public required string Id { get; init; }
    public required string OrgId { get; init; }
    public required string Environment { get; init; }
    public required string LinkedAccountRowId { get; init; }
    public required string Name { get; init; }
    public required string Columns { get; init; }
    public int NextSlot { get; init; }
    public long NextSeq { get; init; }
    public string? Grp { get; init; }
    public bool IsDeleted { get; init; }
    public long RecordCount { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }

    public IReadOnlyList<TableColumn> ColumnList() => ParseColumns(Columns);

    public static IReadOnlyList<TableColumn> ParseColumns(string json) =>
        JsonSerializer.Deserialize<List<TableColumn>>(json) ?? [];

    public static string SerializeColumns(IReadOnlyList<TableColumn> columns) => JsonSerializer.Serialize(columns);
}

public sealed record RecordRow
{
    public required string Id { get; init; }
    public long Seq { get; init; }
    public required string Data { get; init; }
}

// One indexed value of a record: lower-cased text (cut to KeyLength) and, where the value reads as a number, the number.
public sealed record Cell(int Slot, string TextKey, double? NumKey);

public static class TableRecords
{
    public const string RecordIdField = "record_id";

    // Longer text is indexed by its first KeyLength characters; searches treat such keys as candidates to re-check.
    public const int KeyLength = 200;

    // A record as the wire shows it: record_id first, then the table's current columns that hold a value.
    public static JsonObject ToWire(RecordRow row, IReadOnlyList<TableColumn> columns)
    {
        ArgumentNullException.ThrowIfNull(row);
        ArgumentNullException.ThrowIfNull(columns);
        var data = JsonNode.Parse(row.Data)!.AsObject();
        var wire = new JsonObject { [RecordIdField] = row.Id };
        foreach (var column in columns)
        {
            if (data.TryGetPropertyValue(SlotKey(column.Slot), out var value)) wire[column.Name] = value?.DeepClone();
        }
        return wire;
    }

    // The index form of a text: lower-cased, cut to KeyLength, NUL replaced (PostgreSQL text cannot hold it).
    public static string IndexKey(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var key = text.ToLowerInvariant().Replace('\0', '\uFFFD');
        return key.Length > KeyLength ? key[..KeyLength] : key;
    }

    public static string SlotKey(int slot) => slot.ToString(CultureInfo.InvariantCulture);

    // The stored form (values keyed by slot) of a record's named values.
    public static JsonObject ToStored(IReadOnlyDictionary<string, JsonNode?> values, IReadOnlyList<TableColumn> columns)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(columns);
        var stored = new JsonObject();
        foreach (var column in columns)
        {
            if (values.TryGetValue(column.Name, out var value)) stored[SlotKey(column.Slot)] = value?.DeepClone();
        }
        return stored;
    }

    public static List<Cell> CellsOf(JsonObject stored, IReadOnlyList<TableColumn> columns)
    {
        ArgumentNullException.ThrowIfNull(stored);
        ArgumentNullException.ThrowIfNull(columns);
        var cells = new List<Cell>();
        foreach (var column in columns)
        {
            if (!stored.TryGetPropertyValue(SlotKey(column.Slot), out var value)) continue;
            if (TextOf(value) is not { } text) continue;
            cells.Add(new Cell(column.Slot, IndexKey(text), NumberOf(value)));
        }
        return cells;
    }

    // The text a regex is matched against: strings as they are, numbers and booleans as their JSON text; null,
    // objects and arrays have none (as a Mongo $regex matches strings only).
    public static string? TextOf(JsonNode? value) => value switch
    {
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        JsonValue v when v.GetValueKind() is JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => v.ToJsonString(),
        _ => null,
    };

    public static double? NumberOf(JsonNode? value)
    {
        if (value is not JsonValue v) return null;
        var kind = v.GetValueKind();
        if (kind == JsonValueKind.Number)
        {
            var d = JsonSerializer.Deserialize<double>(v.ToJsonString());
            return double.IsFinite(d) ? d : null;
        }
        if (kind == JsonValueKind.String
            && double.TryParse(v.GetValue<string>(), NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed)
            && double.IsFinite(parsed))
        {
            return parsed;
        }
        return null;
    }
}

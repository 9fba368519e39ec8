using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Patchbay.Http;

namespace Patchbay.Tables;

public static class FilterOperators
{
    public const string Eq = "eq";
    public const string Neq = "neq";
    public const string Gt = "gt";
    public const string Gte = "gte";
    public const string Lt = "lt";
    public const string Lte = "lte";
    public const string Like = "like";
    public const string In = "in";

    public static readonly IReadOnlyList<string> All = [Eq, Neq, Gt, Gte, Lt, Lte, Like, In];
}

// Typed filters of the Patchbay query route (docs/data.md): a number compares as a number, a string as a string
// (eq/neq/in exactly, gt…lte ordinally), `like` is SQL's (% and _, case-insensitive). Every filter that can narrows
// the scan through the cell index; each is re-checked on the record's value.
public static class TableQuery
{
    public const int MaxFilters = 20;
    public const int MaxInValues = 1000;

    public static SearchTerm Term(TableColumn column, string op, JsonNode? value, TableSearch search)
    {
        ArgumentNullException.ThrowIfNull(column);
        ArgumentNullException.ThrowIfNull(search);
        var slot = column.Slot;
        switch (op)
        {
            case FilterOperators.Eq:
                return new SearchTerm(slot, v => Same(v, value), Candidates(slot, value), 5);
            case FilterOperators.Neq:
                return new SearchTerm(slot, v => !Same(v, value), null, 0);
            case FilterOperators.In:
                if (value is not JsonArray list || list.Count is 0 or > MaxInValues)
                    throw new ApiException(ApiError.Validation($"'in' takes an array of 1 to {MaxInValues} values"));
                var keys = list.All(i => i is JsonValue j && j.GetValueKind() == JsonValueKind.String)
                    ? new CellCondition.TextIn(slot, list.Select(i => TableSearch.Key(i!.GetValue<string>())).Distinct().ToList()) : null;
                return new SearchTerm(slot, v => list.Any(i => Same(v, i)), keys, 4);
            case FilterOperators.Gt or FilterOperators.Gte or FilterOperators.Lt or FilterOperators.Lte:
                return Compare(slot, op, value);
            case FilterOperators.Like:
                var pattern = TableRecords.TextOf(value) ?? throw new ApiException(ApiError.Validation("'like' takes a string pattern"));
                var regex = search.Compile("^" + string.Concat(pattern.Select(c => c switch { '%' => ".*", '_' => ".", _ => Regex.Escape(c.ToString()) })) + "$", column.Name);
                var prefix = new string(pattern.TakeWhile(c => c is not ('%' or '_')).ToArray());
                return new SearchTerm(slot, v => TableRecords.TextOf(v) is { } text && regex.IsMatch(text),
                    prefix.Length > 0 ? TableSearch.Prefix(slot, prefix) : null, prefix.Length > 0 ? 3 : 0);
            default:
                throw new ApiException(ApiError.Validation($"'op' must be one of {string.Join(", ", FilterOperators.All)}"));
        }
    }

    static CellCondition? Candidates(int slot, JsonNode? value)
    {
        if (value is not JsonValue v) return null;
        if (v.GetValueKind() == JsonValueKind.Number && TableRecords.NumberOf(v) is { } n) return new CellCondition.NumberRange(slot, n, true, n, true);
        return TableRecords.TextOf(v) is { } text ? new CellCondition.TextIn(slot, [TableSearch.Key(text)]) : null;
    }

    // Equal values: numbers by value, anything else by its text; null (or absent) equals null only.
    static bool Same(JsonNode? a, JsonNode? b)
    {
        if (a is null || b is null) return a is null && b is null;
        if (b.GetValueKind() == JsonValueKind.Number) return TableRecords.NumberOf(a) is { } x && TableRecords.NumberOf(b) == x;
        return TableRecords.TextOf(a) is { } text && text == TableRecords.TextOf(b);
    }

    static SearchTerm Compare(int slot, string op, JsonNode? value)
    {
        if (value is JsonValue v && v.GetValueKind() == JsonValueKind.Number && TableRecords.NumberOf(v) is { } n)
        {
            Func<double, bool> test = op switch
            {
                FilterOperators.Gt => x => x > n,
                FilterOperators.Gte => x => x >= n,
                FilterOperators.Lt => x => x < n,
                _ => x => x <= n,
            };
            var range = op switch
            {
                FilterOperators.Gt => new CellCondition.NumberRange(slot, n, false, null, false),
                FilterOperators.Gte => new CellCondition.NumberRange(slot, n, true, null, false),
                FilterOperators.Lt => new CellCondition.NumberRange(slot, null, false, n, false),
                _ => new CellCondition.NumberRange(slot, null, false, n, true),
            };
            return new SearchTerm(slot, r => TableRecords.NumberOf(r) is { } x && test(x), range, 2);
        }
        var s = TableRecords.TextOf(value) ?? throw new ApiException(ApiError.Validation($"'{op}' takes a number or a string"));
        Func<int, bool> ordinal = op switch
        {
            FilterOperators.Gt => c => c > 0,
            FilterOperators.Gte => c => c >= 0,
            FilterOperators.Lt => c => c < 0,
            _ => c => c <= 0,
        };
        return new SearchTerm(slot, r => TableRecords.TextOf(r) is { } t && ordinal(string.CompareOrdinal(t, s)), null, 0);
    }

    // Sorts records by a column: numbers before text, text ordinally, missing values last; ties in table order.
    public static List<RecordRow> Sort(List<RecordRow> rows, TableColumn column, bool descending)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(column);
        var key = TableRecords.SlotKey(column.Slot);
        var keyed = rows.Select(r =>
        {
            var value = JsonNode.Parse(r.Data)!.AsObject()[key];
            return (Row: r, Number: TableRecords.NumberOf(value), Text: TableRecords.TextOf(value));
        }).ToList();
        int Compare((RecordRow Row, double? Number, string? Text) a, (RecordRow Row, double? Number, string? Text) b)
        {
            int Rank((RecordRow, double? Number, string? Text) x) => x.Number is not null ? 0 : x.Text is not null ? 1 : 2;
            var c = Rank(a).CompareTo(Rank(b));
            if (c == 0 && a.Number is { } x && b.Number is { } y) c = x.CompareTo(y);
            else if (c == 0 && a.Text is { } s && b.Text is { } t) c = string.CompareOrdinal(s, t);
            if (descending && Rank(a) < 2 && Rank(b) < 2) c = -c;
            return c != 0 ? c : a.Row.Seq.CompareTo(b.Row.Seq);
        }
        keyed.Sort(Compare);
        return keyed.Select(k => k.Row).ToList();
    }

    // Cursors are opaque: "s<seq>" (table order: records after seq) or "o<offset>" (sorted: position).
    public static string Cursor(char kind, long value) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(kind + value.ToString(CultureInfo.InvariantCulture))).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static (char Kind, long Value) ParseCursor(string? cursor, char expected)
    {
        if (string.IsNullOrEmpty(cursor)) return (expected, 0);
        try
        {
            var padded = cursor.Replace('-', '+').Replace('_', '/');
            padded += new string('=', (4 - padded.Length % 4) % 4);
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(padded));
            if (text.Length > 1 && text[0] == expected && long.TryParse(text.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out var value))
                return (expected, value);
        }
        catch (FormatException)
        {
        }
        throw new ApiException(ApiError.Validation("'cursor' is not a cursor this query returned"));
    }
}

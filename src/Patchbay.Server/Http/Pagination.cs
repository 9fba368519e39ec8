using System.Text.Json.Serialization;

namespace Patchbay.Http;

// `page` and `limit` from the query string: page ≥ 1, 1 ≤ limit ≤ 1000 (defaults 1 and 10, as Refold's).
public sealed record Page(int Number, int Limit)
{
    public int Offset => (Number - 1) * Limit;

    public static Page From(HttpRequest request, int defaultLimit = 10, int maxLimit = 1000)
    {
        ArgumentNullException.ThrowIfNull(request);
        return new(Parse(request, "page", 1, int.MaxValue / maxLimit), Parse(request, "limit", defaultLimit, maxLimit));
    }

    static int Parse(HttpRequest request, string name, int fallback, int max)
    {
        var raw = request.Query[name].ToString();
        if (raw.Length == 0) return fallback;
        if (!int.TryParse(raw, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var value) || value < 1)
            throw new ApiException(ApiError.Validation($"'{name}' must be a positive integer"));
        return Math.Min(value, max);
    }
}

// mongoose-paginate-v2's envelope (refold-api.md §2.4).
public sealed record Paginated<T>(
    [property: JsonPropertyName("docs")] IReadOnlyList<T> Docs,
    [property: JsonPropertyName("totalDocs")] long TotalDocs,
    [property: JsonPropertyName("limit")] int Limit,
    [property: JsonPropertyName("totalPages")] long TotalPages,
    [property: JsonPropertyName("page")] int Page,
    [property: JsonPropertyName("pagingCounter")] long PagingCounter,
    [property: JsonPropertyName("hasPrevPage")] bool HasPrevPage,
    [property: JsonPropertyName("hasNextPage")] bool HasNextPage,
    [property: JsonPropertyName("prevPage")] int? PrevPage,
    [property: JsonPropertyName("nextPage")] int? NextPage,
    // Refold's workflow lists add an (always empty) `schema`; absent elsewhere.
    [property: JsonPropertyName("schema"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] System.Text.Json.Nodes.JsonObject? Schema = null);

public static class Paginated
{
    public static Paginated<T> Of<T>(IReadOnlyList<T> docs, long total, Page page, System.Text.Json.Nodes.JsonObject? schema = null)
    {
        ArgumentNullException.ThrowIfNull(page);
        var totalPages = Math.Max(1, (total + page.Limit - 1) / page.Limit);
        var hasNext = page.Number < totalPages;
        var hasPrev = page.Number > 1;
        return new Paginated<T>(docs, total, page.Limit, totalPages, page.Number, (long)page.Offset + 1,
            hasPrev, hasNext, hasPrev ? page.Number - 1 : null, hasNext ? page.Number + 1 : null, schema);
    }
}

using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using Patchbay.Http;

namespace Patchbay.Tables;

// One term of a search: the column's slot and a test of its value. `Candidates` is the index scan that finds every
// record that can pass (null: none narrower than the whole table).
public sealed record SearchTerm(int Slot, Func<JsonNode?, bool> Test, CellCondition? Candidates, int Rank);

// Runs searches: candidates from the cell index where a term allows it, every term re-checked in .NET on the
// record's value, so SQLite and PostgreSQL answer alike. Regexes run on .NET's non-backtracking engine (linear in
// the input, whatever the pattern) with a match timeout, and the whole search has a deadline.
public sealed class TableSearch(TableStore store, IOptions<TablesOptions> options)
{
    const int Batch = 1000;
    const int MaxCached = 1000;

    // Building a non-backtracking regex costs far more than running it once: the patterns clients repeat are kept.
    readonly System.Collections.Concurrent.ConcurrentDictionary<string, Regex> compiled = new(StringComparer.Ordinal);

    public TablesOptions Options => options.Value;

    // Refold's search: every `{column: value}` is a case-insensitive regex on the column's value.
    public SearchTerm RegexTerm(TableColumn column, string pattern)
    {
        ArgumentNullException.ThrowIfNull(column);
        var regex = Compile(pattern, column.Name);
        return new SearchTerm(column.Slot, v => TableRecords.TextOf(v) is { } text && regex.IsMatch(text), RegexCandidates(column.Slot, pattern), RegexRank(pattern));
    }

    // `column` names what the pattern is for in messages.
    public Regex Compile(string pattern, string column)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        var max = options.Value.MaxPatternLength;
        if (pattern.Length > max)
            throw new ApiException(ApiError.Validation($"The search pattern for {TableInput.Quote(column)} is longer than {max} characters"));
        if (compiled.TryGetValue(pattern, out var cached)) return cached;
        try
        {
            var regex = new Regex(pattern, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.NonBacktracking, options.Value.RegexMatchTimeout);
            if (compiled.Count >= MaxCached) compiled.Clear();
            compiled[pattern] = regex;
            return regex;
        }
        catch (NotSupportedException)
        {
            throw new ApiException(ApiError.Validation(
                $"The search pattern for {TableInput.Quote(column)} uses a backreference, lookaround or atomic group, which search does not support"));
        }
        catch (ArgumentException e)
        {
            throw new ApiException(ApiError.Validation($"The search pattern for {TableInput.Quote(column)} is not a valid regular expression: {e.Message}"));
        }
    }

    // `^literal` scans a key range, a plain literal the column's keys that contain it; anything else the table.
    static CellCondition? RegexCandidates(int slot, string pattern)
    {
        if (pattern.Length > 1 && pattern[0] == '^' && Literal(pattern[1..]) is { Length: > 0 } prefix)
            return Prefix(slot, prefix);
        if (Literal(pattern) is { Length: > 0 } literal) return new CellCondition.TextContains(slot, Key(literal));
        return null;
    }

    static int RegexRank(string pattern) => pattern.StartsWith('^') ? 3 : Literal(pattern) is not null ? 1 : 0;

    public static CellCondition.TextRange Prefix(int slot, string prefix)
    {
        var key = Key(prefix);
        return new CellCondition.TextRange(slot, key, key + "\uDBFF\uDFFF");
    }

    // The literal text a pattern matches when it has no regex syntax at all (null otherwise).
    static string? Literal(string pattern) => pattern.Length > 0 && Regex.Escape(pattern) == pattern ? pattern : null;

    public static string Key(string text) => TableRecords.IndexKey(text);

    // The matching records in table order, at most `max`; the terms' AND. Throws a 400 past the deadline.
    public async Task<List<RecordRow>> RunAsync(string tableId, IReadOnlyList<SearchTerm> terms, int max, long afterSeq, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(terms);
        var timeout = options.Value.SearchTimeout;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(timeout);
        var driver = terms.Where(t => t.Candidates is not null).OrderByDescending(t => t.Rank).FirstOrDefault();
        var results = new List<RecordRow>();
        try
        {
            var after = afterSeq;
            while (results.Count < max)
            {
                var batch = await store.ScanAsync(tableId, driver?.Candidates, after, Batch, deadline.Token);
                foreach (var row in batch)
                {
                    var data = JsonNode.Parse(row.Data)!.AsObject();
                    if (terms.All(t => t.Test(data.TryGetPropertyValue(TableRecords.SlotKey(t.Slot), out var v) ? v : null))) results.Add(row);
                    if (results.Count >= max) break;
                }
                deadline.Token.ThrowIfCancellationRequested();
                if (batch.Count < Batch) break;
                after = batch[^1].Seq;
            }
        }
        catch (Exception e) when (e is OperationCanceledException or RegexMatchTimeoutException && !ct.IsCancellationRequested)
        {
            throw new ApiException(ApiError.Validation(
                $"The search did not finish within {(int)timeout.TotalMilliseconds} ms; use a narrower pattern (e.g. anchored with ^) or fewer records"));
        }
        catch (Exception e) when (IsDriverTimeout(e) && !ct.IsCancellationRequested)
        {
            throw new ApiException(ApiError.Validation(
                $"The search did not finish within {(int)timeout.TotalMilliseconds} ms; use a narrower pattern (e.g. anchored with ^) or fewer records"));
        }
        return results;
    }

    // A cancelled query surfaces from the drivers as their own exception types.
    static bool IsDriverTimeout(Exception e) =>
        e is System.Data.Common.DbException && e.InnerException is OperationCanceledException or TimeoutException
        || e is Microsoft.Data.Sqlite.SqliteException { SqliteErrorCode: 9 /* SQLITE_INTERRUPT */ };
}

using System.Buffers;
using System.Text.Json;

namespace Patchbay.Http;

// Request bodies are read by hand rather than by model binding so that every malformed body, wrong type and
// missing field gets a deliberate message in the error shape (the framework's binder answers with .NET type names).
public static class JsonBody
{
    static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 64 };

    // Reads the body as one JSON object. An empty body is an empty object when `required` is false.
    public static async Task<JsonDocument> ReadObjectAsync(HttpContext http, bool required = true, IReadOnlySet<string>? duplicatesAllowedAt = null)
    {
        ArgumentNullException.ThrowIfNull(http);
        var limit = http.RequestServices.GetRequiredService<Microsoft.Extensions.Options.IOptions<HttpOptions>>().Value.MaxRequestBodySize;
        if (http.Request.ContentLength > limit) throw TooLarge(limit);

        var buffer = new ArrayBufferWriter<byte>(http.Request.ContentLength is > 0 and < 65536 ? (int)http.Request.ContentLength : 4096);
        var body = http.Request.Body;
        while (true)
        {
            var memory = buffer.GetMemory(4096);
            var read = await body.ReadAsync(memory, http.RequestAborted);
            if (read == 0) break;
            buffer.Advance(read);
            if (buffer.WrittenCount > limit) throw TooLarge(limit);
        }

        if (IsBlank(buffer.WrittenSpan))
        {
            if (required) throw new ApiException(ApiError.Validation("Request body is required and must be a JSON object"));
            return JsonDocument.Parse("{}");
        }

        var document = Parse(buffer.WrittenMemory, "Request body", duplicatesAllowedAt);
        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            document.Dispose();
            throw new ApiException(ApiError.Validation("Request body must be a JSON object"));
        }
        return document;
    }

    // Parses JSON text a client sent (`what` names it in messages): valid UTF-8, at most 64 deep, no lone surrogate
    // escapes (which no string can hold) and no duplicate keys (which one wins differs from parser to parser, so a
    // duplicate is refused rather than resolved). `duplicatesAllowedAt` names the objects (by dotted path) whose
    // handler reports duplicates itself with the contract's own message. Anything else is a 400 in the error shape.
    public static JsonDocument Parse(ReadOnlyMemory<byte> utf8, string what, IReadOnlySet<string>? duplicatesAllowedAt = null)
    {
        if (!System.Text.Unicode.Utf8.IsValid(utf8.Span))
            throw new ApiException(ApiError.BadRequest(ErrorCodes.InvalidJson, $"{what} is not valid UTF-8"));
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(utf8, DocumentOptions);
        }
        catch (JsonException e)
        {
            throw new ApiException(ApiError.BadRequest(ErrorCodes.InvalidJson,
                $"{what} is not valid JSON (line {(e.LineNumber ?? 0) + 1}, byte {(e.BytePositionInLine ?? 0) + 1})"));
        }
        // Escaped surrogates are rare: only then is every string decoded to find an unpaired one. Paths are built only
        // where a handler checks some objects itself, or to word a problem once one is found (a second, rare walk).
        var strings = utf8.Span.IndexOf("\\u"u8) >= 0;
        var problem = Check(document.RootElement, duplicatesAllowedAt is null ? null : "", strings, duplicatesAllowedAt);
        if (problem is null) return document;
        if (duplicatesAllowedAt is null) problem = Check(document.RootElement, "", strings, null);
        document.Dispose();
        throw new ApiException(ApiError.BadRequest(ErrorCodes.InvalidJson, $"{what} {problem}"));
    }

    public static JsonDocument Parse(string text, string what) => Parse(System.Text.Encoding.UTF8.GetBytes(text), what);

    // A problem in words, or null. `path` is the dotted path of `element`, or null when no one needs it.
    static string? Check(JsonElement element, string? path, bool strings, IReadOnlySet<string>? duplicatesAllowedAt)
    {
        try
        {
            switch (element.ValueKind)
            {
                case JsonValueKind.String when strings:
                    element.GetString();
                    return null;
                case JsonValueKind.Array:
                    var items = path is null ? null : path + "[]";
                    foreach (var item in element.EnumerateArray())
                        if (Check(item, items, strings, duplicatesAllowedAt) is { } problem) return problem;
                    return null;
                case JsonValueKind.Object:
                    HashSet<string>? seen = path is not null && duplicatesAllowedAt?.Contains(path) == true ? null : new(StringComparer.Ordinal);
                    foreach (var property in element.EnumerateObject())
                    {
                        var name = property.Name;
                        var at = path is null ? null : path.Length == 0 ? name : path + "." + name;
                        if (seen is not null && !seen.Add(name)) return $"has the key '{Shorten(at ?? name)}' twice";
                        if (Check(property.Value, at, strings, duplicatesAllowedAt) is { } problem) return problem;
                    }
                    return null;
                default:
                    return null;
            }
        }
        catch (InvalidOperationException)
        {
            return $"holds an invalid \\u escape (an unpaired surrogate) at '{Shorten(path ?? "")}'";
        }
    }

    static string Shorten(string path) => path.Length <= 100 ? path : string.Concat(path.AsSpan(0, 100), "…");

    // The body as a mutable JSON object (for handlers that reshape what they store).
    public static async Task<System.Text.Json.Nodes.JsonObject> ReadNodeAsync(HttpContext http, bool required = true)
    {
        using var body = await ReadObjectAsync(http, required);
        return System.Text.Json.Nodes.JsonNode.Parse(body.RootElement.GetRawText())!.AsObject();
    }


    static ApiException TooLarge(long limit) =>
        new(ApiError.Create(413, ErrorCodes.PayloadTooLarge, $"Request body is too large (limit {limit} bytes)"));

    static bool IsBlank(ReadOnlySpan<byte> bytes)
    {
        foreach (var b in bytes)
            if (b is not ((byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')) return false;
        return true;
    }
}

// Typed reads from a JSON object with messages that name the field.
public static class Json
{
    public static bool Has(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var value) && value.ValueKind is not (JsonValueKind.Null or JsonValueKind.Undefined);

    // Strings are bounded: Limits.Text unless the caller names a tighter limit.
    public static string? OptionalString(JsonElement obj, string name, string? path = null, int max = Limits.Text)
    {
        if (!obj.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null) return null;
        if (value.ValueKind != JsonValueKind.String)
            throw new ApiException(ApiError.Validation($"'{path ?? name}' must be a string"));
        return Limits.Check(value.GetString(), path ?? name, max);
    }

    public static string RequiredString(JsonElement obj, string name, string? path = null, int max = Limits.Text) =>
        OptionalString(obj, name, path, max) is { Length: > 0 } s
            ? s
            : throw new ApiException(ApiError.Validation($"'{path ?? name}' is required"));

    public static JsonElement? OptionalObject(JsonElement obj, string name, string? path = null)
    {
        if (!obj.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null) return null;
        if (value.ValueKind != JsonValueKind.Object)
            throw new ApiException(ApiError.Validation($"'{path ?? name}' must be an object"));
        return value;
    }

    // A JSON boolean under `name` (not a string that reads as one), or null when absent or of another type.
    public static bool? StrictBool(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var value) && value.ValueKind is JsonValueKind.True or JsonValueKind.False ? value.GetBoolean() : null;

    public static bool? OptionalBool(JsonElement obj, string name)
    {
        if (!obj.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null) return null;
        return value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            JsonValueKind.String when bool.TryParse(value.GetString(), out var b) => b,
            _ => throw new ApiException(ApiError.Validation($"'{name}' must be a boolean")),
        };
    }

    // A value the contract "coerces to a string": strings as they are, numbers and booleans as their JSON text,
    // objects and arrays as compact JSON. Null is reported by the caller.
    public static string? CoerceToString(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString(),
        JsonValueKind.Null or JsonValueKind.Undefined => null,
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        _ => value.GetRawText(),
    };

    // An object of scalar values read as ordered pairs, so duplicate keys in the raw JSON stay visible.
    // Numbers and booleans are coerced; null values are kept as null (callers decide what null means).
    public static List<KeyValuePair<string, string?>> ScalarMap(JsonElement obj, string path)
    {
        if (obj.ValueKind != JsonValueKind.Object)
            throw new ApiException(ApiError.Validation($"'{path}' must be an object"));
        var pairs = new List<KeyValuePair<string, string?>>();
        foreach (var property in obj.EnumerateObject())
        {
            if (property.Value.ValueKind is JsonValueKind.Object or JsonValueKind.Array)
                throw new ApiException(ApiError.Validation($"'{path}.{property.Name}' must be a string"));
            Limits.Check(property.Name, $"{path} key", Limits.Identifier);
            pairs.Add(new(property.Name, Limits.Check(CoerceToString(property.Value), $"{path}.{property.Name}", Limits.Secret)));
        }
        return pairs;
    }
}

using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Patchbay.Http;

public static class ApiJson
{
    // Wire JSON is snake_case; Refold's Mongo-shaped documents (`_id`, `createdAt`, `__v`) name their
    // properties explicitly with [JsonPropertyName].
    public static readonly JsonSerializerOptions Options = Configure(new JsonSerializerOptions(JsonSerializerDefaults.Web));

    public static JsonSerializerOptions Configure(JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
        options.DictionaryKeyPolicy = null;
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower));
        options.Converters.Add(new UtcInstantConverter());
        // Keeps '<', '>', '&' and '\'' readable in messages; responses are application/json, never HTML.
        options.Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping;
        return options;
    }
}

// Instants leave the server as ISO-8601 UTC with milliseconds and `Z`, as Refold writes them
// (`2026-05-22T11:24:06.840Z`).
public sealed class UtcInstantConverter : JsonConverter<DateTimeOffset>
{
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.GetDateTimeOffset();

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        Span<byte> text = stackalloc byte[24];
        Format(value, text);
        writer.WriteStringValue(text);
    }

    public static string Format(DateTimeOffset value)
    {
        Span<byte> text = stackalloc byte[24];
        Format(value, text);
        return System.Text.Encoding.ASCII.GetString(text);
    }

    // Fixed width, digit by digit: every response carries several instants, and the general custom-format path
    // showed in profiles.
    static void Format(DateTimeOffset value, Span<byte> text)
    {
        var t = value.UtcDateTime;
        Digits(text[..4], t.Year);
        text[4] = (byte)'-';
        Digits(text.Slice(5, 2), t.Month);
        text[7] = (byte)'-';
        Digits(text.Slice(8, 2), t.Day);
        text[10] = (byte)'T';
        Digits(text.Slice(11, 2), t.Hour);
        text[13] = (byte)':';
        Digits(text.Slice(14, 2), t.Minute);
        text[16] = (byte)':';
        Digits(text.Slice(17, 2), t.Second);
        text[19] = (byte)'.';
        Digits(text.Slice(20, 3), t.Millisecond);
        text[23] = (byte)'Z';
    }

    static void Digits(Span<byte> target, int value)
    {
        for (var i = target.Length - 1; i >= 0; i--)
        {
            target[i] = (byte)('0' + value % 10);
            value /= 10;
        }
    }
}

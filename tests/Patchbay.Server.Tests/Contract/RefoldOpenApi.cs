using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Xunit;
using YamlDotNet.Serialization;

namespace Patchbay.Tests.Contract;

// Validates response bodies against Refold's published OpenAPI document (a copy of shared/api/refold-openapi.yaml),
// which is the wire contract. Covers the subset of OpenAPI 3.0 schema the document uses: $ref, type, properties,
// required, items, enum, nullable, allOf/oneOf/anyOf, additionalProperties, format date-time.
public static class RefoldOpenApi
{
    static readonly Lazy<JsonObject> Loaded = new(Load);

    // The whole document as JSON (YAML scalars become strings: `required: true` reads "true").
    public static JsonObject Document => Loaded.Value;

    static JsonObject Load()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Contract", "refold-openapi.yaml");
        var yaml = new DeserializerBuilder().Build().Deserialize<object>(File.ReadAllText(path));
        return (JsonObject)ToNode(yaml)!;
    }

    static JsonNode? ToNode(object? value) => value switch
    {
        null => null,
        IDictionary<object, object> map => new JsonObject(map.Select(kv => KeyValuePair.Create(kv.Key.ToString()!, ToNode(kv.Value)))),
        IList<object> list => new JsonArray(list.Select(ToNode).ToArray()),
        _ => JsonValue.Create(value.ToString()),
    };

    // Asserts that `body` is valid for the documented response of `method path` with `status`.
    public static void AssertResponse(string method, string path, int status, JsonElement body)
    {
        var operation = Document["paths"]?[path]?[method.ToLowerInvariant()]
            ?? throw new InvalidOperationException($"{method} {path} is not in refold-openapi.yaml");
        var response = operation["responses"]?[status.ToString(CultureInfo.InvariantCulture)]
            ?? throw new InvalidOperationException($"{method} {path} documents no {status} response");
        var schema = response["content"]?["application/json"]?["schema"];
        if (schema is null) return;
        var errors = new List<string>();
        Validate(schema, body, "$", errors);
        Assert.True(errors.Count == 0, $"{method} {path} {status} does not match refold-openapi.yaml:\n  " + string.Join("\n  ", errors) + "\nbody: " + body.GetRawText());
    }

    static JsonNode Resolve(JsonNode schema)
    {
        while (schema["$ref"]?.GetValue<string>() is { } reference)
        {
            var node = (JsonNode)Document;
            foreach (var part in reference.TrimStart('#', '/').Split('/')) node = node[part]!;
            schema = node;
        }
        return schema;
    }

    static bool IsTrue(JsonNode? node) => node is not null && node.ToString() == "true";

    static void Validate(JsonNode schemaNode, JsonElement value, string at, List<string> errors)
    {
        var schema = Resolve(schemaNode);
        if (value.ValueKind == JsonValueKind.Null)
        {
            if (!IsTrue(schema["nullable"]) && schema["type"] is not null) errors.Add($"{at}: null is not allowed");
            return;
        }
        if (schema["allOf"] is JsonArray all)
        {
            foreach (var part in all) Validate(part!, value, at, errors);
        }
        foreach (var keyword in (string[])["oneOf", "anyOf"])
        {
            if (schema[keyword] is JsonArray options && !options.Any(o => { var e = new List<string>(); Validate(o!, value, at, e); return e.Count == 0; }))
                errors.Add($"{at}: matches none of {keyword}");
        }
        var type = schema["type"]?.ToString();
        var kindOk = type switch
        {
            null => true,
            "object" => value.ValueKind == JsonValueKind.Object,
            "array" => value.ValueKind == JsonValueKind.Array,
            "string" => value.ValueKind == JsonValueKind.String,
            "integer" => value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out _),
            "number" => value.ValueKind == JsonValueKind.Number,
            "boolean" => value.ValueKind is JsonValueKind.True or JsonValueKind.False,
            _ => true,
        };
        if (!kindOk)
        {
            errors.Add($"{at}: expected {type}, got {value.ValueKind}");
            return;
        }
        if (schema["enum"] is JsonArray values && !values.Any(v => v?.ToString() == (value.ValueKind == JsonValueKind.String ? value.GetString() : value.GetRawText())))
            errors.Add($"{at}: {value.GetRawText()} is not one of [{string.Join(", ", values)}]");
        if (type == "string" && schema["format"]?.ToString() == "date-time"
            && !DateTimeOffset.TryParse(value.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
        {
            errors.Add($"{at}: '{value.GetString()}' is not a date-time");
        }
        if (value.ValueKind == JsonValueKind.Array && schema["items"] is { } items)
        {
            var i = 0;
            foreach (var item in value.EnumerateArray()) Validate(items, item, $"{at}[{i++}]", errors);
        }
        if (value.ValueKind == JsonValueKind.Object)
        {
            var properties = schema["properties"] as JsonObject;
            if (schema["required"] is JsonArray required)
            {
                foreach (var name in required.Select(r => r!.ToString()))
                    if (!value.TryGetProperty(name, out _)) errors.Add($"{at}: missing required '{name}'");
            }
            foreach (var property in value.EnumerateObject())
            {
                if (properties?[property.Name] is { } propertySchema) Validate(propertySchema, property.Value, $"{at}.{property.Name}", errors);
                else if (schema["additionalProperties"] is JsonObject extra) Validate(extra, property.Value, $"{at}.{property.Name}", errors);
                else if (schema["additionalProperties"]?.ToString() == "false") errors.Add($"{at}: unexpected property '{property.Name}'");
            }
        }
    }
}

using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Patchbay.Tests.Contract;

// Compares one operation of Patchbay's served document with the same operation in Refold's published one and says
// what differs, in words: parameters (name + location, required where Refold requires), the required request body
// fields, and the 2xx response (each property Refold's schema has exists in Patchbay's with a compatible type).
// Both documents are JSON trees here: Refold's YAML scalars are strings ("true"), Patchbay's are JSON values, so
// every comparison goes through ToString().
public sealed partial class OpenApiComparison(JsonObject refold, JsonObject ours)
{
    const int MaxDepth = 8;

    public static string Normalize(string path) => PathParameter().Replace(path, "{}");

    public List<string> Compare(string method, string refoldPath, JsonObject refoldOperation, JsonObject ourOperation)
    {
        var problems = new List<string>();
        var at = $"{method.ToUpperInvariant()} {refoldPath}";
        SecurityDiffers(at, refoldOperation, ourOperation, problems);
        ParametersDiffer(at, refoldOperation, ourOperation, problems);
        BodyDiffers(at, refoldOperation, ourOperation, problems);
        ResponsesDiffer(at, refoldOperation, ourOperation, problems);
        return problems;
    }

    // A credential Refold's document accepts must be accepted here (accepting more is compatible). Scheme names are
    // Refold's without spaces, in any case ("Org API Key" → OrgApiKey).
    static void SecurityDiffers(string at, JsonObject refoldOperation, JsonObject ourOperation, List<string> problems)
    {
        static HashSet<string> Schemes(JsonObject operation) => new(
            (operation["security"] as JsonArray ?? []).SelectMany(r => r!.AsObject().Select(kv => kv.Key.Replace(" ", "", StringComparison.Ordinal))),
            StringComparer.OrdinalIgnoreCase);
        var ours = Schemes(ourOperation);
        foreach (var scheme in Schemes(refoldOperation).Where(s => !ours.Contains(s))) problems.Add($"{at}: does not accept {scheme}");
    }

    void ParametersDiffer(string at, JsonObject refoldOperation, JsonObject ourOperation, List<string> problems)
    {
        var ourParameters = (ourOperation["parameters"] as JsonArray ?? []).Select(p => Resolve(ours, p!)).ToList();
        foreach (var node in refoldOperation["parameters"] as JsonArray ?? [])
        {
            var parameter = Resolve(refold, node!);
            var name = parameter["name"]!.ToString();
            var location = parameter["in"]!.ToString();
            if (location == "path") continue; // compared through the normalized path
            var mine = ourParameters.FirstOrDefault(p => p["in"]?.ToString() == location
                && string.Equals(p["name"]?.ToString(), name, location == "header" ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal));
            if (mine is null) problems.Add($"{at}: {location} parameter '{name}' is missing");
            else if (IsTrue(parameter["required"]) && !IsTrue(mine["required"])) problems.Add($"{at}: {location} parameter '{name}' is not required");
        }
    }

    void BodyDiffers(string at, JsonObject refoldOperation, JsonObject ourOperation, List<string> problems)
    {
        if (refoldOperation["requestBody"]?["content"]?["application/json"]?["schema"] is not { } refoldSchema) return;
        if (ourOperation["requestBody"]?["content"]?["application/json"]?["schema"] is not { } ourSchema)
        {
            problems.Add($"{at}: no JSON request body");
            return;
        }
        var refoldShape = Merge(refold, refoldSchema);
        var ourShape = Merge(ours, ourSchema);
        if (ourShape.Properties.Count > 0 || ourShape.AdditionalProperties is not null)
        {
            foreach (var field in refoldShape.Properties.Keys.Where(f => !ourShape.Properties.ContainsKey(f) && ourShape.AdditionalProperties is null))
                problems.Add($"{at}: request body field '{field}' is not documented");
        }
        var expected = Required(refold, refoldSchema);
        var actual = Required(ours, ourSchema);
        foreach (var field in expected.Except(actual)) problems.Add($"{at}: request body field '{field}' is not required");
        foreach (var field in actual.Except(expected)) problems.Add($"{at}: request body field '{field}' is required (Refold: optional)");
    }

    void ResponsesDiffer(string at, JsonObject refoldOperation, JsonObject ourOperation, List<string> problems)
    {
        var ourResponses = ourOperation["responses"] as JsonObject ?? [];
        foreach (var (status, response) in refoldOperation["responses"] as JsonObject ?? [])
        {
            if (!status.StartsWith('2') || response?["content"]?["application/json"]?["schema"] is not { } refoldSchema) continue;
            var mine = ourResponses[status]?["content"]?["application/json"]?["schema"]
                ?? ourResponses.Where(r => r.Key.StartsWith('2')).Select(r => r.Value?["content"]?["application/json"]?["schema"]).FirstOrDefault(s => s is not null);
            if (mine is null)
            {
                problems.Add($"{at}: no JSON {status} response");
                continue;
            }
            var missing = new List<string>();
            Compatible(refoldSchema, mine, $"{at} {status} $", problems, missing, 0, []);
            if (missing.Count > 0) problems.Add($"{at} {status}: properties missing: {string.Join(", ", missing)}");
        }
    }

    // Every property Refold's schema has exists in ours with a compatible type, recursively.
    void Compatible(JsonNode refoldNode, JsonNode ourNode, string at, List<string> problems, List<string> missing, int depth, HashSet<string> seen)
    {
        // The same pair of named schemas compares the same everywhere (and recursive schemas would not end).
        if (depth > MaxDepth) return;
        if (refoldNode["$ref"] is { } r1 && ourNode["$ref"] is { } o1 && !seen.Add(r1 + "|" + o1)) return;
        var r = Merge(refold, refoldNode);
        var o = Merge(ours, ourNode);
        var refoldTypes = Types(r);
        var ourTypes = Types(o);
        if (refoldTypes.Count > 0 && ourTypes.Count > 0 && !refoldTypes.Any(t => ourTypes.Contains(t) || (t == "number" && ourTypes.Contains("integer"))))
        {
            problems.Add($"{at}: type {string.Join("|", ourTypes)}, Refold: {string.Join("|", refoldTypes)}");
            return;
        }
        if (r.Properties.Count > 0)
        {
            if (o.Properties.Count == 0 && o.AdditionalProperties is null)
            {
                if (ourTypes.Count > 0 && !ourTypes.Contains("object")) problems.Add($"{at}: not an object");
                return; // the user's own JSON (a free-form object): any property may be there
            }
            foreach (var (name, schema) in r.Properties)
            {
                if (o.Properties.TryGetValue(name, out var mine)) Compatible(schema, mine, $"{at}.{name}", problems, missing, depth + 1, seen);
                else if (o.AdditionalProperties is { } extra) Compatible(schema, extra, $"{at}.{name}", problems, missing, depth + 1, seen);
                else missing.Add($"{at[at.IndexOf('$', StringComparison.Ordinal)..]}.{name}");
            }
        }
        if (r.Items is { } items && o.Items is { } ourItems) Compatible(items, ourItems, $"{at}[]", problems, missing, depth + 1, seen);
    }

    sealed class Shape
    {
        public HashSet<string> Types { get; } = [];
        public Dictionary<string, JsonNode> Properties { get; } = [];
        public JsonNode? AdditionalProperties { get; set; }
        public JsonNode? Items { get; set; }
    }

    static HashSet<string> Types(Shape shape) => shape.Types;

    // A schema with its $refs followed, allOf merged and a nullable oneOf/anyOf (`[{type: null}, X]`) read as X.
    static Shape Merge(JsonObject document, JsonNode node)
    {
        var shape = new Shape();
        Add(document, node, shape, 0);
        shape.Types.Remove("null");
        return shape;
    }

    static void Add(JsonObject document, JsonNode node, Shape shape, int depth)
    {
        if (depth > MaxDepth) return;
        var schema = Resolve(document, node);
        foreach (var part in schema["allOf"] as JsonArray ?? []) Add(document, part!, shape, depth + 1);
        // A nullable X (`[{type: null}, X]`) reads as X; alternatives as their union (a property exists if a branch has it).
        foreach (var keyword in (string[])["oneOf", "anyOf"])
        {
            foreach (var option in schema[keyword] as JsonArray ?? [])
            {
                if (Resolve(document, option!)["type"]?.ToString() != "null") Add(document, option!, shape, depth + 1);
            }
        }
        switch (schema["type"])
        {
            case JsonArray many:
                foreach (var t in many) shape.Types.Add(t!.ToString());
                break;
            case { } one:
                shape.Types.Add(one.ToString());
                break;
        }
        foreach (var (name, property) in schema["properties"] as JsonObject ?? []) shape.Properties.TryAdd(name, property!);
        if (schema["additionalProperties"] is JsonObject additional) shape.AdditionalProperties ??= additional;
        if (schema["items"] is { } items) shape.Items ??= items;
    }

    static HashSet<string> Required(JsonObject document, JsonNode node)
    {
        var schema = Resolve(document, node);
        var required = new HashSet<string>((schema["required"] as JsonArray ?? []).Select(r => r!.ToString()));
        foreach (var part in schema["allOf"] as JsonArray ?? []) required.UnionWith(Required(document, part!));
        return required;
    }

    static JsonNode Resolve(JsonObject document, JsonNode node)
    {
        for (var hops = 0; node["$ref"]?.ToString() is { } reference && hops < 20; hops++)
        {
            JsonNode target = document;
            foreach (var part in reference.TrimStart('#', '/').Split('/')) target = target[part] ?? throw new InvalidOperationException($"unresolved {reference}");
            node = target;
        }
        return node;
    }

    static bool IsTrue(JsonNode? node) => node?.ToString() == "true";

    [GeneratedRegex(@"\{[^}]+\}")]
    private static partial Regex PathParameter();
}

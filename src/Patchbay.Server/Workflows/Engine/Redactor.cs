using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Patchbay.Workflows.Engine;

// Hides secret values (encrypted environment variables, config password values) in what an execution records: node inputs and outputs,
// errors, the response, a child's payload. A secret is found as it is, and as JSON and URLs escape it (an error
// quotes a value as JSON text; a query string carries it URL-encoded). Object keys are redacted too. A secret the
// workflow transforms (hashes, encodes, splits) is no longer recognisable: redaction cannot follow it.
public sealed class Redactor
{
    public const string Mask = "[REDACTED]";

    public static readonly Redactor None = new([], []);

    readonly string[] secrets;
    readonly string[] needles;

    Redactor(string[] secrets, string[] needles) => (this.secrets, this.needles) = (secrets, needles);

    public bool IsEmpty => needles.Length == 0;

    // This redactor and more secrets (config password values beside encrypted variables).
    public Redactor With(IEnumerable<string> more) => For(secrets.Concat(more));

    public static Redactor For(IEnumerable<string> secrets)
    {
        ArgumentNullException.ThrowIfNull(secrets);
        var kept = secrets.Where(s => s.Length > 0).Distinct(StringComparer.Ordinal).ToArray();
        var forms = new HashSet<string>(StringComparer.Ordinal);
        foreach (var secret in kept)
        {
            forms.Add(secret);
            forms.Add(JsonEncodedText.Encode(secret).ToString());
            forms.Add(JsonEncodedText.Encode(secret, JavaScriptEncoder.UnsafeRelaxedJsonEscaping).ToString());
            forms.Add(Uri.EscapeDataString(secret));
        }
        // Longest first, so a secret that contains another is hidden whole.
        return new Redactor(kept, [.. forms.OrderByDescending(f => f.Length).ThenBy(f => f, StringComparer.Ordinal)]);
    }

    public string? Redact(string? text)
    {
        if (text is null || needles.Length == 0) return text;
        foreach (var needle in needles)
            if (text.Contains(needle, StringComparison.Ordinal)) text = text.Replace(needle, Mask, StringComparison.Ordinal);
        return text;
    }

    // A copy of the value with every string (and key) that holds a secret redacted; a number or boolean whose text
    // is a secret becomes the mask.
    public JsonNode? Redact(JsonNode? node)
    {
        if (needles.Length == 0) return node;
        switch (node)
        {
            case JsonObject o:
                var obj = new JsonObject();
                foreach (var (key, value) in o) obj[Redact(key)!] = Redact(value);
                return obj;
            case JsonArray a:
                return new JsonArray([.. a.Select(Redact)]);
            case JsonValue v when v.GetValueKind() == JsonValueKind.String:
                var text = v.GetValue<string>();
                var redacted = Redact(text)!;
                return ReferenceEquals(redacted, text) ? v.DeepClone() : JsonValue.Create(redacted);
            case JsonValue v:
                var json = v.ToJsonString();
                return Redact(json) == json ? v.DeepClone() : JsonValue.Create(Mask);
            default:
                return null;
        }
    }

    public JsonObject Redact(JsonObject node) => IsEmpty ? node : (JsonObject)Redact((JsonNode)node)!;

    public NodeOutcome Redact(NodeOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        if (needles.Length == 0) return outcome;
        return outcome switch
        {
            NodeOutcome.Done done => done with { Output = Redact(done.Output) },
            NodeOutcome.Failed failed => failed with { Error = Redact(failed.Error)! },
            _ => outcome,
        };
    }
}

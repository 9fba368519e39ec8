using System.Text.Json;
using Microsoft.Extensions.Options;

namespace Patchbay.Apps;

public sealed record VerificationResult(bool Ok, string? Identifier, string? Reason, bool Rejected)
{
    public static VerificationResult Success(string? identifier) => new(true, identifier, null, false);
}

// Runs an auth type's `verify` request with submitted credentials. A 401/403 (or any status outside
// `expect_status`) means the provider rejected them; a network failure or timeout means it could not be asked.
public sealed class CredentialVerifier(ProviderClient client, IOptions<AppsOptions> options)
{
    public async Task<VerificationResult> VerifyAsync(AppManifest app, string authType, IReadOnlyDictionary<string, string> values, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(app);
        var verify = app.Auth[authType].Verify;
        if (verify is null) return VerificationResult.Success(null);

        ProviderResponse response;
        try
        {
            response = await client.SendAsync(app, authType, values,
                new ProviderRequest(new HttpMethod(verify.Method), verify.Path, verify.Query, verify.Headers, verify.Body),
                options.Value.VerifyTimeout, ct);
        }
        catch (ProviderException e)
        {
            return new VerificationResult(false, null, e.Message, Rejected: false);
        }

        var accepted = verify.ExpectStatus is { Count: > 0 } expected ? expected.Contains(response.Status) : response.Status is >= 200 and < 300;
        if (!accepted)
            return new VerificationResult(false, null, $"Request failed with status code {response.Status}", Rejected: response.Status is 401 or 403);

        JsonElement? json = TryParse(response.Body);
        if (verify.ExpectTrue is { } path && (json is not { } root || Follow(root, path) is not { ValueKind: JsonValueKind.True }))
            return new VerificationResult(false, null, $"{app.Name} rejected the credentials", Rejected: true);

        return VerificationResult.Success(Identifier(verify.Identifier, values, json));
    }

    public static string? Identifier(string? spec, IReadOnlyDictionary<string, string> values, JsonElement? json)
    {
        if (string.IsNullOrEmpty(spec)) return null;
        if (spec.Contains("{{", StringComparison.Ordinal)) return Templates.Render(spec, values) is { Length: > 0 } s ? s : null;
        return json is { } root && Follow(root, spec) is { } found ? found.ValueKind switch
        {
            JsonValueKind.String => found.GetString(),
            JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => found.GetRawText(),
            _ => null,
        } : null;
    }

    static JsonElement? TryParse(byte[] body)
    {
        try { return body.Length == 0 ? null : JsonDocument.Parse(body).RootElement.Clone(); }
        catch (JsonException) { return null; }
    }

    // "data.0.email": object properties by name, array items by index.
    public static JsonElement? Follow(JsonElement root, string path)
    {
        var current = root;
        foreach (var segment in path.Split('.'))
        {
            if (current.ValueKind == JsonValueKind.Object && current.TryGetProperty(segment, out var next)) current = next;
            else if (current.ValueKind == JsonValueKind.Array && int.TryParse(segment, out var index) && index >= 0 && index < current.GetArrayLength()) current = current[index];
            else return null;
        }
        return current;
    }
}

namespace Patchbay.Http;

// The longest strings Patchbay stores, so that no client can make a row (and every list that returns it) huge.
// A longer value is a 400 naming the field; docs/security.md lists them.
public static class Limits
{
    // Names: linked accounts, workflows, events, organizations, apps.
    public const int Name = 500;

    // Identifiers a client chooses: aliases, slugs, config ids, key names.
    public const int Identifier = 256;

    // Descriptions and any other free text read from a body.
    public const int Text = 10_000;

    // One credential value (an API key, a private key, a token).
    public const int Secret = 10_000;

    // A string to store, or a 400 that names the field.
    public static string? Check(string? value, string field, int max) =>
        value is { Length: var length } && length > max
            ? throw new ApiException(ApiError.Validation($"'{field}' must be at most {max} characters"))
            : value;
}

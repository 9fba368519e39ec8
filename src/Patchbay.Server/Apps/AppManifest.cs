using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Patchbay.Apps;

// One app of the catalog, as written in Apps/Catalog/<slug>.json (docs/apps.md).
public sealed record AppManifest
{
    public required string Slug { get; init; }
    public required string Name { get; init; }
    public required string Description { get; init; }
    public required List<string> Tags { get; init; }
    public required string BrandColor { get; init; }
    public required string DocsUrl { get; init; }
    public required string BaseUrl { get; init; }
    public required Dictionary<string, AuthTypeManifest> Auth { get; init; }

    // Operations callable through the actions API, workflow action nodes and MCP tools (docs/actions.md).
    public List<Actions.ActionManifest> Actions { get; init; } = [];

    [JsonIgnore] public string AppId { get; set; } = "";

    public const string OAuth2 = "oauth2";
    public const string KeyBased = "keybased";

    // Refold's `auth_type` of an app: oauth2 when offered, else its first key-based type.
    [JsonIgnore] public string PrimaryAuthType => Auth.ContainsKey(OAuth2) ? OAuth2 : Auth.Keys.First();

    // The key-based type used when a request names none.
    [JsonIgnore] public string? DefaultKeyBasedType => Auth.ContainsKey(KeyBased) ? KeyBased : Auth.Keys.FirstOrDefault(k => k != OAuth2);

    public bool IsKeyBased(string authType) => authType != OAuth2 && Auth.ContainsKey(authType);

    // The URL templates of an auth type whose host may hold customer values (HostRules): the base URL, an absolute
    // verify path, the OAuth2 endpoints.
    public IEnumerable<string> UrlTemplates(string authType)
    {
        var auth = Auth[authType];
        yield return auth.BaseUrl ?? BaseUrl;
        if (auth.Verify is { } verify && Templates.Authority(verify.Path).Length > 0) yield return verify.Path;
        if (auth.AuthorizeUrl is { } authorize) yield return authorize;
        if (auth.TokenUrl is { } token) yield return token;
    }
}

public sealed record AuthTypeManifest
{
    public string? Label { get; init; }
    public List<FieldManifest> Fields { get; init; } = [];
    public string? BaseUrl { get; init; }
    public ApplyManifest Apply { get; init; } = new();
    public RequestManifest? Verify { get; init; }

    // OAuth2 only.
    public string? AuthorizeUrl { get; init; }
    public string? TokenUrl { get; init; }
    public List<string> Scopes { get; init; } = [];
    public string ScopeSeparator { get; init; } = " ";
    public bool Pkce { get; init; }
    public string TokenAuth { get; init; } = "body";
    public Dictionary<string, string> AuthorizeParams { get; init; } = [];
    public List<FieldManifest> Prerequisites { get; init; } = [];
    public bool Refresh { get; init; }
    public string GrantType { get; init; } = "authorization_code";
    public string? Identifier { get; init; }

    // What the customer types: key-based fields, or OAuth2 prerequisites.
    [JsonIgnore] public IReadOnlyList<FieldManifest> Inputs => [.. Fields, .. Prerequisites];
}

public sealed record FieldManifest
{
    public required string Name { get; init; }
    public required string Label { get; init; }
    public string Type { get; init; } = "text";
    public bool Required { get; init; }
    public bool Secret { get; init; }
    public string? Placeholder { get; init; }
    public string? HelpText { get; init; }
    public List<FieldOption>? Options { get; init; }
    // A regular expression the whole value must match as typed (case-insensitive, printable ASCII only): required of
    // fields that a `host` or `label` filter reduces into a URL's host, so only what the app expects gets there.
    public string? Pattern { get; init; }
}

public sealed record FieldOption(string Name, string Value);

public sealed record ApplyManifest
{
    public Dictionary<string, string> Headers { get; init; } = [];
    public Dictionary<string, string> Query { get; init; } = [];
    public BasicManifest? Basic { get; init; }
    public OAuth1Manifest? Oauth1 { get; init; }
}

public sealed record BasicManifest(string Username, string Password);

public sealed record OAuth1Manifest
{
    public required string ConsumerKey { get; init; }
    public required string ConsumerSecret { get; init; }
    public required string Token { get; init; }
    public required string TokenSecret { get; init; }
    public string? Realm { get; init; }
    public string SignatureMethod { get; init; } = "HMAC-SHA256";
}

public sealed record RequestManifest
{
    public string Method { get; init; } = "GET";
    public required string Path { get; init; }
    public Dictionary<string, string> Query { get; init; } = [];
    public Dictionary<string, string> Headers { get; init; } = [];
    public JsonNode? Body { get; init; }
    public List<int>? ExpectStatus { get; init; }
    // A dot path that must be JSON true in the response, for APIs that answer 200 with {"ok": false} (Slack).
    public string? ExpectTrue { get; init; }
    public string? Identifier { get; init; }
}

public static class ManifestJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        ReadCommentHandling = JsonCommentHandling.Skip,
    };
}

using System.Text.Json.Serialization;
using Patchbay.Connections;
using Patchbay.Apps;

namespace Patchbay.Applications;

// Refold's ApplicationItem (refold-api.md §3.4; OpenAPI `ApplicationItem`), augmented with the linked account's
// connection status.
public sealed record ApplicationResponse(
    [property: JsonPropertyName("_id")] string Id,
    [property: JsonPropertyName("app_id")] string AppId,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("icon")] string Icon,
    [property: JsonPropertyName("description")] string Description,
    [property: JsonPropertyName("auth_type")] string AuthType,
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("slug")] string Slug,
    [property: JsonPropertyName("tags")] IReadOnlyList<string> Tags,
    [property: JsonPropertyName("ecosystem")] bool Ecosystem,
    [property: JsonPropertyName("kind")] string Kind,
    [property: JsonPropertyName("version")] AppVersion Version,
    [property: JsonPropertyName("auth_type_options")] IReadOnlyDictionary<string, IReadOnlyList<InputField>> AuthTypeOptions,
    [property: JsonPropertyName("auth_input_map")] IReadOnlyList<InputField> AuthInputMap,
    [property: JsonPropertyName("grant_type"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? GrantType,
    [property: JsonPropertyName("connected")] bool Connected,
    [property: JsonPropertyName("connected_accounts")] IReadOnlyList<ConnectedAccount> ConnectedAccounts,
    [property: JsonPropertyName("reauth_required")] bool ReauthRequired,
    [property: JsonPropertyName("docs_url")] string DocsUrl);

public sealed record AppVersion(
    [property: JsonPropertyName("_v")] string V,
    [property: JsonPropertyName("description")] string Description);

public sealed record InputField(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("label")] string Label,
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("required")] bool Required,
    [property: JsonPropertyName("placeholder"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Placeholder,
    [property: JsonPropertyName("help_text"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? HelpText,
    [property: JsonPropertyName("options"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<FieldOption>? Options)
{
    public static InputField From(FieldManifest field)
    {
        ArgumentNullException.ThrowIfNull(field);
        return new(field.Name, field.Label, field.Type, field.Required, field.Placeholder, field.HelpText, field.Options);
    }
}

public sealed record ConnectedAccount(
    [property: JsonPropertyName("identifier")] string Identifier,
    [property: JsonPropertyName("connectedAt")] DateTimeOffset ConnectedAt,
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("auth_type")] string AuthType);

public static class ApplicationView
{
    public static ApplicationResponse For(AppManifest app, IEnumerable<AccountConnection> connections, string publicBase)
    {
        ArgumentNullException.ThrowIfNull(app);
        var mine = connections.Where(c => c.AppKey == app.Slug).ToList();
        var options = app.Auth.ToDictionary(
            a => a.Key,
            a => (IReadOnlyList<InputField>)[.. (a.Key == AppManifest.OAuth2 ? a.Value.Prerequisites : a.Value.Fields).Select(InputField.From)]);
        var keyBased = app.DefaultKeyBasedType is { } k ? options[k] : [];
        return new ApplicationResponse(
            app.AppId, app.AppId, app.Name, IconUrl(publicBase, app.Slug), app.Description, app.PrimaryAuthType, app.Slug, app.Slug, app.Tags,
            Ecosystem: false, Kind: "native", new AppVersion("1.0.0", app.Description), options, keyBased,
            app.Auth.TryGetValue(AppManifest.OAuth2, out var oauth) ? (oauth.Pkce ? "authorization_code_pkce" : oauth.GrantType) : null,
            Connected: mine.Count > 0,
            [.. mine.Select(c => new ConnectedAccount(c.Identifier ?? "NA", c.ConnectedAt, c.Status, c.AuthType))],
            ReauthRequired: mine.Any(c => c.Status == ConnectionStatus.Expired),
            app.DocsUrl);
    }

    public static string IconUrl(string publicBase, string slug) => $"{publicBase}/assets/apps/{slug}.svg";
}

using System.Text.RegularExpressions;

namespace Patchbay.Apps;

// The rules of docs/apps.md, checked when the catalog loads (and by a test over every shipped manifest).
public static partial class ManifestValidator
{
    public static readonly IReadOnlySet<string> Tags = new HashSet<string>
    {
        "CRM", "Accounting", "Ticketing", "HRIS", "ATS", "Payments", "Marketing", "Communication", "Developer Tools",
        "Project Management", "E-commerce", "Productivity", "Storage", "Monitoring", "Identity", "AI", "Forms",
        "Scheduling", "Documents", "ERP", "Support",
    };

    static readonly HashSet<string> FieldTypes = ["text", "password", "number", "boolean", "select"];
    static readonly HashSet<string> Methods = ["GET", "POST", "PUT", "PATCH", "HEAD"];

    public static IReadOnlyList<string> Validate(AppManifest app, string fileName)
    {
        ArgumentNullException.ThrowIfNull(app);
        var errors = new List<string>();
        void Check(bool ok, string message) { if (!ok) errors.Add(message); }

        Check(Slug().IsMatch(app.Slug ?? ""), "slug must be lower-case words joined by hyphens");
        Check(fileName == app.Slug + ".json", $"file name must be {app.Slug}.json");
        Check(!string.IsNullOrWhiteSpace(app.Name), "name is required");
        Check(!string.IsNullOrWhiteSpace(app.Description), "description is required");
        Check(app.Tags is { Count: > 0 } && app.Tags.All(Tags.Contains), $"tags must be one or more of: {string.Join(", ", Tags)}");
        Check(Color().IsMatch(app.BrandColor ?? ""), "brand_color must be #RRGGBB");
        Check(IsHttpUrl(app.DocsUrl, https: true), "docs_url must be an https URL");
        Check(app.Auth is { Count: > 0 }, "auth must name at least one auth type");

        foreach (var (type, auth) in app.Auth ?? [])
        {
            var at = $"auth.{type}";
            var isOAuth = type == AppManifest.OAuth2;
            var names = new HashSet<string>(StringComparer.Ordinal);
            foreach (var field in (isOAuth ? auth.Prerequisites : auth.Fields) ?? [])
            {
                Check(FieldName().IsMatch(field.Name ?? ""), $"{at}: field name '{field.Name}' must be snake_case");
                Check(names.Add(field.Name ?? ""), $"{at}: field '{field.Name}' appears twice");
                Check(!string.IsNullOrWhiteSpace(field.Label), $"{at}.{field.Name}: label is required");
                Check(FieldTypes.Contains(field.Type), $"{at}.{field.Name}: type must be one of {string.Join(", ", FieldTypes)}");
                Check(field.Type != "select" || field.Options is { Count: > 0 }, $"{at}.{field.Name}: a select needs options");
                Check(field.Pattern is null || IsRegex(field.Pattern), $"{at}.{field.Name}: pattern must be a regular expression without lookarounds or backreferences (patterns run on the non-backtracking engine)");
            }
            // Customer values in a URL's host (HostRules): only this type's fields, and a field reduced to a host or label
            // by a filter says what may be typed.
            foreach (var template in app.UrlTemplates(type))
            {
                foreach (var name in Templates.Placeholders(Templates.Authority(template)).Select(p => p.Name).Where(n => !auth.Inputs.Any(f => f.Name == n)))
                    errors.Add($"{at}: '{{{{{name}}}}}' in the host of {template} is not a field the customer types");
                foreach (var name in HostRules.ReducedFields(template).Where(n => auth.Inputs.Any(f => f.Name == n && f.Type != "select" && f.Pattern is null)))
                    errors.Add($"{at}.{name}: a field reduced by the host or label filter into the host of {template} needs a pattern");
            }
            if (isOAuth)
            {
                names.Add("access_token");
                Check(auth.GrantType is "authorization_code" or "client_credentials", $"{at}: grant_type must be authorization_code or client_credentials");
                Check(auth.GrantType == "client_credentials" || IsHttpUrl(Sample(auth.AuthorizeUrl), https: true), $"{at}: authorize_url must be an https URL");
                Check(IsHttpUrl(Sample(auth.TokenUrl), https: true), $"{at}: token_url must be an https URL");
                Check(auth.TokenAuth is "body" or "basic", $"{at}: token_auth must be body or basic");
                Check(auth.Fields.Count == 0, $"{at}: OAuth2 takes prerequisites, not fields");
            }
            else
            {
                Check(auth.Fields.Count > 0, $"{at}: a key-based type needs fields");
            }

            var templates = new List<(string Where, string Text)> { ("base_url", auth.BaseUrl ?? app.BaseUrl ?? "") };
            templates.AddRange(auth.Apply.Headers.Select(h => ($"apply.headers.{h.Key}", h.Value)));
            templates.AddRange(auth.Apply.Query.Select(q => ($"apply.query.{q.Key}", q.Value)));
            if (auth.Apply.Basic is { } basic) templates.AddRange([("apply.basic.username", basic.Username), ("apply.basic.password", basic.Password)]);
            if (auth.Apply.Oauth1 is { } o)
            {
                templates.AddRange([("apply.oauth1.consumer_key", o.ConsumerKey), ("apply.oauth1.consumer_secret", o.ConsumerSecret),
                    ("apply.oauth1.token", o.Token), ("apply.oauth1.token_secret", o.TokenSecret), ("apply.oauth1.realm", o.Realm ?? "")]);
                Check(o.SignatureMethod == "HMAC-SHA256", $"{at}: oauth1.signature_method must be HMAC-SHA256");
            }
            if (auth.AuthorizeUrl is not null) templates.Add(("authorize_url", auth.AuthorizeUrl));
            if (auth.TokenUrl is not null) templates.Add(("token_url", auth.TokenUrl));
            if (auth.Verify is { } verify)
            {
                Check(Methods.Contains(verify.Method), $"{at}.verify: method must be one of {string.Join(", ", Methods)}");
                Check(verify.Path.StartsWith('/') || IsHttpUrl(Sample(verify.Path), https: true), $"{at}.verify: path must start with / or be an https URL");
                templates.Add(("verify.path", verify.Path));
                templates.AddRange(verify.Query.Select(q => ($"verify.query.{q.Key}", q.Value)));
                templates.AddRange(verify.Headers.Select(h => ($"verify.headers.{h.Key}", h.Value)));
                if (verify.Identifier is { } id && id.Contains("{{", StringComparison.Ordinal)) templates.Add(("verify.identifier", id));
            }
            Check(IsHttpUrl(Sample(auth.BaseUrl ?? app.BaseUrl), https: true), $"{at}: base_url must be an https URL without a trailing slash");
            Check(!(auth.BaseUrl ?? app.BaseUrl ?? "").EndsWith('/'), $"{at}: base_url must not end with /");

            foreach (var (where, text) in templates)
            {
                var (used, unknownFilters) = Templates.Inspect(text);
                foreach (var name in used.Where(n => !names.Contains(n))) errors.Add($"{at}.{where}: '{{{{{name}}}}}' is not a field of this auth type");
                foreach (var filter in unknownFilters) errors.Add($"{at}.{where}: unknown filter '{filter}'");
            }
        }
        errors.AddRange(Actions.ActionValidator.Validate(app));
        return errors;
    }

    // Templates filled with a harmless sample value, to check the URL shape around them.
    static string Sample(string? template) => template is null ? "" : Templates.Render(template, new SampleValues());

    static bool IsRegex(string pattern)
    {
        try { _ = new Regex(pattern, RegexOptions.NonBacktracking); return true; }
        catch (ArgumentException) { return false; }
    }

    static bool IsHttpUrl(string? value, bool https) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || (!https && uri.Scheme == Uri.UriSchemeHttp));

    sealed class SampleValues : Dictionary<string, string>, IReadOnlyDictionary<string, string>
    {
        bool IReadOnlyDictionary<string, string>.TryGetValue(string key, out string value)
        {
            value = "sample";
            return true;
        }
    }

    [GeneratedRegex("^[a-z0-9]+(-[a-z0-9]+)*$")]
    private static partial Regex Slug();

    [GeneratedRegex("^#[0-9A-Fa-f]{6}$")]
    private static partial Regex Color();

    [GeneratedRegex("^[a-z][a-z0-9_]*$")]
    private static partial Regex FieldName();
}

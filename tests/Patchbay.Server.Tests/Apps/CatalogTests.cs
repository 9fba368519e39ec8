using Patchbay.Apps;
using Xunit;

namespace Patchbay.Tests.Apps;

public sealed class CatalogTests
{
    static readonly IReadOnlyList<(string File, AppManifest Manifest)> Manifests = AppCatalog.LoadEmbedded();

    [Fact]
    public void Catalog_ShipsAtLeastFortyValidApps()
    {
        Assert.True(Manifests.Count >= 40, $"{Manifests.Count} apps");
        foreach (var (file, manifest) in Manifests) Assert.Empty(ManifestValidator.Validate(manifest, file));
        Assert.Equal(Manifests.Count, Manifests.Select(m => m.Manifest.Slug).Distinct().Count());
    }

    [Fact]
    public void Catalog_KeyBasedAuthTypes_HaveVerificationRequests_AndSecretFieldsAreHidden()
    {
        foreach (var (_, app) in Manifests)
        {
            foreach (var (type, auth) in app.Auth.Where(a => a.Key != AppManifest.OAuth2))
            {
                Assert.True(auth.Verify is not null, $"{app.Slug}.{type} has no verify request");
                foreach (var field in auth.Fields.Where(f => f.Secret)) Assert.True(field.Type == "password", $"{app.Slug}.{type}.{field.Name} is secret but shown as {field.Type}");
            }
        }
    }

    [Fact]
    public void Catalog_CoversTheAppsTheIssueNames()
    {
        var slugs = Manifests.Select(m => m.Manifest.Slug).ToHashSet();
        string[] required = ["netsuite", "stripe", "hubspot", "zendesk", "freshdesk", "jira", "confluence", "github", "gitlab", "airtable", "notion",
            "linear", "asana", "trello", "pipedrive", "close", "intercom", "mailchimp", "sendgrid", "twilio", "shopify", "woocommerce", "bamboohr",
            "greenhouse", "lever", "workable", "personio", "gorgias", "helpscout", "clickup", "monday", "calendly", "typeform", "brevo", "klaviyo",
            "okta", "datadog", "pagerduty", "sentry", "openai", "anthropic"];
        Assert.All(required, s => Assert.Contains(s, slugs));
        Assert.True(Manifests.Count(m => m.Manifest.Auth.ContainsKey(AppManifest.OAuth2)) >= 25, "at least 25 OAuth2 apps");
    }

    [Fact]
    public void Validator_RejectsUnknownTemplateNamesAndFilters()
    {
        var app = AppCatalog.Parse("stripe.json", File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Apps", "stripe.json")));
        var broken = app with
        {
            Auth = new() { ["keybased"] = app.Auth["keybased"] with { Apply = new ApplyManifest { Headers = new() { ["Authorization"] = "Bearer {{apikey|shout}}" } } } },
        };
        var errors = ManifestValidator.Validate(broken, "stripe.json");
        Assert.Contains(errors, e => e.Contains("'{{apikey}}' is not a field", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("unknown filter 'shout'", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("{{account_id|lower|hyphenate}}", "1234567-sb1")]
    [InlineData("{{account_id|upper|underscore}}", "1234567_SB1")]
    [InlineData("https://{{shop|host}}/admin", "https://acme.myshopify.com/admin")]
    [InlineData("{{missing}}x", "x")]
    [InlineData("{{ email }}/token", "a@b.c/token")]
    public void Templates_ApplyFilters(string template, string expected)
    {
        var values = new Dictionary<string, string> { ["account_id"] = "1234567_sb1", ["shop"] = "https://acme.myshopify.com/", ["email"] = "a@b.c" };
        Assert.Equal(expected, Templates.Render(template, values));
    }

    static AppManifest App(string slug) => Manifests.Single(m => m.Manifest.Slug == slug).Manifest;

    // The host a manifest URL may have: its literal parts, each placeholder one label (or its select's options, or a
    // host name through the host filter).
    [Theory]
    [InlineData("zendesk", "keybased", "https://acme.zendesk.com/api/v2/users/me", true)]
    [InlineData("zendesk", "keybased", "https://ACME.Zendesk.com/api/v2", true)]
    [InlineData("zendesk", "keybased", "https://evil.com/x.zendesk.com/api/v2", false)]
    [InlineData("zendesk", "keybased", "https://a.b.zendesk.com/api/v2", false)]
    [InlineData("zendesk", "keybased", "https://zendesk.com/api/v2", false)]
    [InlineData("zendesk", "keybased", "https://acme.zendesk.com.evil.com/api/v2", false)]
    [InlineData("zendesk", "keybased", "https://acme-zendesk.com/api/v2", false)]
    [InlineData("netsuite", "keybased", "https://1234567-sb1.suitetalk.api.netsuite.com", true)]
    [InlineData("netsuite", "keybased", "https://127.0.0.1/", false)]
    [InlineData("shopify", "keybased", "https://acme.myshopify.com/admin/api/2026-10", true)]
    [InlineData("shopify", "keybased", "https://evil.com/admin/api/2026-10", false)]
    [InlineData("datadog", "keybased", "https://api.us3.datadoghq.com", true)]
    [InlineData("datadog", "keybased", "https://api.evil.com", false)]
    [InlineData("gitlab", "keybased", "https://gitlab.example.com/api/v4", true)]
    [InlineData("stripe", "keybased", "https://api.stripe.com/v1", true)]
    [InlineData("stripe", "keybased", "https://api.stripe.com.evil.com/v1", false)]
    [InlineData("stripe", "keybased", "https://xn--pi-7ba.stripe.com/v1", false)]
    public void HostRules_Allows_OnlyTheTemplatesHostShape(string slug, string authType, string url, bool allowed)
    {
        var app = App(slug);
        Assert.Equal(allowed, HostRules.Allows(app.Auth[authType].BaseUrl ?? app.BaseUrl, app.Auth[authType].Inputs, new Uri(url)));
    }

    [Theory]
    [InlineData("zendesk", "subdomain", "acme", null)]
    [InlineData("zendesk", "subdomain", "evil.com/", "'subdomain' must be a host name label (letters, digits and '-'), not 'evil.com/'")]
    [InlineData("zendesk", "subdomain", "\u212Aelvin", "'subdomain' must be a host name label (letters, digits and '-'), not 'kelvin'")]
    [InlineData("netsuite", "account_id", "1234567_SB1", null)]
    [InlineData("netsuite", "account_id", "1234567.evil", "'account_id' must be a host name label (letters, digits and '-'), not '1234567.evil'")]
    [InlineData("datadog", "site", "datadoghq.eu", null)]
    [InlineData("datadog", "site", "evil.com", "'site' must be one of the options, not 'evil.com'")]
    [InlineData("gitlab", "gitlab_url", "https://gitlab.example.com/", null)]
    [InlineData("gitlab", "gitlab_url", "", "'gitlab_url' is not a valid GitLab URL (for example https://gitlab.com)")]
    [InlineData("shopify", "shop_domain", "shop.example.com", "'shop_domain' is not a valid Shop domain (for example your-store.myshopify.com)")]
    public void HostRules_Problem_NamesTheField(string slug, string field, string value, string? problem)
    {
        var app = App(slug);
        var auth = app.Auth["keybased"];
        Assert.Equal(problem, HostRules.Problem(auth.BaseUrl ?? app.BaseUrl, auth.Inputs, new Dictionary<string, string> { [field] = value }));
    }

    [Theory]
    [InlineData("acme", true)]
    [InlineData("acme.myshopify.com", true)]
    [InlineData("https://acme.myshopify.com/admin/settings", true)]
    [InlineData("evil.com/", false)]
    [InlineData("acme/x", false)]
    [InlineData("acme.myshopify.com.evil.com", false)]
    [InlineData("\u212Acme", false)]
    public void HostRules_DeclaredPattern_MatchesTheWholeValueAsTyped(string value, bool matches) =>
        Assert.Equal(matches, HostRules.PatternProblem(App("shopify").Auth["keybased"].Fields.Single(f => f.Name == "shop_domain"), value, "shop_domain") is null);

    [Fact]
    public void Validator_HostFieldsReducedByAFilter_NeedAPattern()
    {
        var shopify = App("shopify");
        var keybased = shopify.Auth["keybased"];
        var broken = shopify with
        {
            Auth = new() { ["keybased"] = keybased with { Fields = [.. keybased.Fields.Select(f => f with { Pattern = f.Pattern is null ? null : "(" })] } },
        };
        var errors = ManifestValidator.Validate(broken, "shopify.json");
        Assert.Contains(errors, e => e.Contains("shop_domain: pattern must be a regular expression", StringComparison.Ordinal));
        var unbounded = shopify with
        {
            Auth = new() { ["keybased"] = keybased with { Fields = [.. keybased.Fields.Select(f => f with { Pattern = null })] } },
        };
        Assert.Contains(ManifestValidator.Validate(unbounded, "shopify.json"), e => e.Contains("shop_domain: a field reduced by the host or label filter", StringComparison.Ordinal));
        var foreign = shopify with { BaseUrl = "https://{{other}}.myshopify.com" };
        Assert.Contains(ManifestValidator.Validate(foreign, "shopify.json"), e => e.Contains("'{{other}}' in the host of", StringComparison.Ordinal));
    }
}

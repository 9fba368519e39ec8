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
}

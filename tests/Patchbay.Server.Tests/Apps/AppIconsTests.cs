using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Patchbay.Apps;
using Patchbay.Tests.Infrastructure;
using Xunit;

namespace Patchbay.Tests.Apps;

// The `icon` URL of every application answer: simple-icons' brand mark where the catalog maps one, a generated
// letter tile otherwise; served as a safe, cacheable SVG.
public abstract class AppIconsTests(PatchbayApp app)
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    // The start of simple-icons' own path data for Stripe and GitHub (icons/stripe.svg, icons/github.svg).
    const string StripePath = "<path d=\"M13.976 9.15c-2.172-.806-3.356-1.426-3.356-2.409 0-.831.683-1.305 1.901-1.305";
    const string GitHubPath = "<path d=\"M12 .297c-6.63 0-12 5.373-12 12 0 5.303 3.438 9.8 8.205 11.385";

    static void AssertSafeSvgHeaders(HttpResponseMessage response)
    {
        Assert.Equal("image/svg+xml", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        var csp = Assert.Single(response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("default-src 'none'", csp, StringComparison.Ordinal);
        Assert.Contains("sandbox", csp, StringComparison.Ordinal);
        Assert.True(response.Headers.CacheControl is { Public: true, MaxAge.TotalSeconds: >= 3600 }, $"Cache-Control: {response.Headers.CacheControl}");
        Assert.NotNull(response.Headers.ETag);
    }

    [Fact]
    public async Task CoveredApp_AnswersSimpleIconsMark_InItsBrandColour_Cacheably()
    {
        var response = await app.CreateClient().GetAsync("/assets/apps/stripe.svg", Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        AssertSafeSvgHeaders(response);
        var svg = await response.Content.ReadAsStringAsync(Ct);
        Assert.StartsWith("<svg fill=\"#635BFF\" role=\"img\" viewBox=\"0 0 24 24\"", svg, StringComparison.Ordinal);
        Assert.Contains("<title>Stripe</title>", svg, StringComparison.Ordinal);
        Assert.Contains(StripePath, svg, StringComparison.Ordinal);
        Assert.DoesNotContain("<text", svg, StringComparison.Ordinal);

        using var again = new HttpRequestMessage(HttpMethod.Get, "/assets/apps/stripe.svg");
        again.Headers.IfNoneMatch.Add(response.Headers.ETag!);
        var cached = await app.CreateClient().SendAsync(again, Ct);
        Assert.Equal(HttpStatusCode.NotModified, cached.StatusCode);
        Assert.Empty(await cached.Content.ReadAsByteArrayAsync(Ct));
    }

    [Fact]
    public async Task UncoveredApp_AnswersLetterTile()
    {
        var response = await app.CreateClient().GetAsync("/assets/apps/slack.svg", Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        AssertSafeSvgHeaders(response);
        var svg = await response.Content.ReadAsStringAsync(Ct);
        Assert.StartsWith("<svg xmlns=\"http://www.w3.org/2000/svg\"", svg, StringComparison.Ordinal);
        Assert.Contains("<rect width=\"64\" height=\"64\" rx=\"14\" fill=\"#4A154B\"/>", svg, StringComparison.Ordinal); // slack.json's brand_color
        Assert.Contains(">Sl</text>", svg, StringComparison.Ordinal);
        Assert.DoesNotContain("<path", svg, StringComparison.Ordinal);

        var twoWords = await app.CreateClient().GetStringAsync("/assets/apps/microsoft-outlook.svg", Ct);
        Assert.Contains(">MO</text>", twoWords, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/assets/apps/no-such-app.svg")]
    [InlineData("/assets/apps/stripe.png")]
    [InlineData("/assets/apps/stripe")]
    public async Task UnknownIcon_Is404InTheErrorShape(string path)
    {
        var response = await app.CreateClient().GetAsync(path, Ct);
        await ApiAssert.ErrorAsync(response, 404, "NOT_FOUND", "RESOURCE_NOT_FOUND");
    }

    [Fact]
    public async Task ApplicationAnswers_IconUrl_ServesTheMark()
    {
        var account = await app.CreateLinkedAccountAsync();
        var list = await ApiAssert.OkAsync(await app.ClientFor(linkedAccountId: account).GetAsync("/api/v2/public/application?slug=github", Ct));
        var icon = Assert.Single(list.EnumerateArray()).Str("icon");
        Assert.EndsWith("/assets/apps/github.svg", icon, StringComparison.Ordinal);

        var svg = await app.CreateClient().GetStringAsync(new Uri(icon).PathAndQuery, Ct);
        Assert.StartsWith("<svg fill=\"#181717\"", svg, StringComparison.Ordinal);
        Assert.Contains(GitHubPath, svg, StringComparison.Ordinal);
    }
}

public sealed class SqliteAppIconsTests(SqliteApp app) : AppIconsTests(app), IClassFixture<SqliteApp>;

public sealed class PostgresAppIconsTests(PostgresApp app) : AppIconsTests(app), IClassFixture<PostgresApp>;

// The vendored icons against their map (src/Patchbay.Server/Apps/Icons/simple-icons.json, kept by
// tools/refresh-icons.sh): every catalog app is mapped or explicitly left to a tile, and every mapped icon is embedded.
public sealed class AppIconMapTests
{
    static JsonElement Map()
    {
        var file = Path.Combine(SdkCompatibilityTests.RepositoryRoot(), "src", "Patchbay.Server", "Apps", "Icons", "simple-icons.json");
        using var document = JsonDocument.Parse(File.ReadAllText(file));
        return document.RootElement.Clone();
    }

    [Fact]
    public void EveryCatalogApp_IsMapped_AndEveryMappedIconIsEmbedded()
    {
        var map = Map();
        Assert.Equal("CC0-1.0", map.Str("license"));
        Assert.StartsWith("16.", map.Str("version"), StringComparison.Ordinal);
        var apps = map.GetProperty("apps").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString() : null);
        var catalog = AppCatalog.LoadEmbedded().Select(m => m.Manifest.Slug).ToHashSet();
        Assert.Equal(catalog.Order(), apps.Keys.Order());

        var embedded = AppIcons.LoadEmbedded().ToDictionary(i => i.Slug, i => i.Svg);
        foreach (var (slug, simpleIconsSlug) in apps)
        {
            if (simpleIconsSlug is null)
            {
                Assert.False(embedded.ContainsKey(slug), $"{slug} is mapped to a tile but an icon is embedded");
                continue;
            }
            Assert.True(embedded.TryGetValue(slug, out var svg), $"{slug} is mapped to simple-icons' {simpleIconsSlug} but Apps/Icons/{slug}.svg is missing (run tools/refresh-icons.sh)");
            Assert.Matches("^<svg fill=\"#[0-9A-F]{6}\" role=\"img\" viewBox=\"0 0 24 24\" xmlns=\"http://www.w3.org/2000/svg\"><title>[^<]+</title><path d=\"[Mm][^\"]{20,}\"/></svg>\n$", svg);
        }
        Assert.Equal(apps.Count(a => a.Value is not null), embedded.Count);
        Assert.True(embedded.Count >= 30, $"{embedded.Count} brand marks");
    }
}

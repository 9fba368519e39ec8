using System.Net;
using System.Security.Cryptography;
using System.Text;

namespace Patchbay.Apps;

// Each catalog app's icon: the brand mark vendored from simple-icons (CC0; Apps/Icons, refreshed by
// tools/refresh-icons.sh) where simple-icons has one, else a generated tile with the app's initials on its brand
// colour. Both are built once, so every answer is the same bytes with the same ETag, and none needs the network.
public sealed class AppIcons
{
    public const string ContentType = "image/svg+xml";

    // Embedded under this prefix by the project file.
    public const string ResourcePrefix = "app-icons/";

    readonly Dictionary<string, Icon> icons;

    public sealed record Icon(byte[] Svg, string ETag);

    public AppIcons(AppCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        var marks = LoadEmbedded().ToDictionary(m => m.Slug, m => m.Svg, StringComparer.Ordinal);
        icons = catalog.All.ToDictionary(
            app => app.Slug,
            app => marks.TryGetValue(app.Slug, out var mark) ? For(mark) : For(Tile(app)),
            StringComparer.Ordinal);
    }

    // The icon of a catalog app, or null for a slug the catalog does not have.
    public Icon? Find(string slug) => icons.GetValueOrDefault(slug);

    public static IReadOnlyList<(string Slug, string Svg)> LoadEmbedded()
    {
        var assembly = typeof(AppIcons).Assembly;
        var result = new List<(string, string)>();
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal) && n.EndsWith(".svg", StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(resource)!; // listed by the same assembly
            using var reader = new StreamReader(stream, Encoding.UTF8);
            result.Add((resource[ResourcePrefix.Length..^4], reader.ReadToEnd()));
        }
        return result;
    }

    static Icon For(string svg)
    {
        var bytes = Encoding.UTF8.GetBytes(svg);
        return new(bytes, $"\"{Convert.ToHexStringLower(SHA256.HashData(bytes).AsSpan(0, 12))}\"");
    }

    // The app's initials (two words: their first letters; one word: its first two) on its brand colour.
    static string Tile(AppManifest app)
    {
        var words = app.Name.Split([' ', '-', '.'], StringSplitOptions.RemoveEmptyEntries);
        var initials = words.Length >= 2 ? $"{char.ToUpperInvariant(words[0][0])}{char.ToUpperInvariant(words[1][0])}" : app.Name[..Math.Min(2, app.Name.Length)];
        return $"""
            <svg xmlns="http://www.w3.org/2000/svg" width="64" height="64" viewBox="0 0 64 64" role="img" aria-label="{WebUtility.HtmlEncode(app.Name)}">
              <rect width="64" height="64" rx="14" fill="{app.BrandColor}"/>
              <text x="32" y="41" font-family="system-ui, -apple-system, Segoe UI, sans-serif" font-size="24" font-weight="600" text-anchor="middle" fill="#FFFFFF">{WebUtility.HtmlEncode(initials)}</text>
            </svg>
            """;
    }
}

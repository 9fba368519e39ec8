using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace Patchbay.Apps;

// The apps Patchbay can connect: the manifests embedded from Apps/Catalog, plus any in Patchbay:Apps:CatalogFolder.
// Loaded once; an invalid manifest stops start-up with the file and the rule it breaks.
public sealed class AppCatalog
{
    readonly Dictionary<string, AppManifest> bySlug;

    public AppCatalog(IOptions<AppsOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var manifests = LoadEmbedded().ToDictionary(m => m.Manifest.Slug, m => m.Manifest);
        if (options.Value.CatalogFolder is { Length: > 0 } folder)
        {
            foreach (var file in Directory.GetFiles(folder, "*.json"))
            {
                var manifest = Parse(Path.GetFileName(file), File.ReadAllText(file));
                manifests[manifest.Slug] = manifest;
            }
        }
        bySlug = manifests;
        All = [.. manifests.Values.OrderBy(m => m.Name, StringComparer.OrdinalIgnoreCase)];
    }

    public IReadOnlyList<AppManifest> All { get; }

    public AppManifest? Find(string slug) => bySlug.GetValueOrDefault(slug);

    public static IReadOnlyList<(string File, AppManifest Manifest)> LoadEmbedded()
    {
        var assembly = typeof(AppCatalog).Assembly;
        const string Prefix = "apps/";
        var result = new List<(string, AppManifest)>();
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(Prefix, StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(resource)!; // listed by the same assembly
            using var reader = new StreamReader(stream, Encoding.UTF8);
            var file = resource[Prefix.Length..];
            result.Add((file, Parse(file, reader.ReadToEnd())));
        }
        return result;
    }

    public static AppManifest Parse(string file, string json)
    {
        AppManifest manifest;
        try
        {
            manifest = JsonSerializer.Deserialize<AppManifest>(json, ManifestJson.Options)
                ?? throw new InvalidOperationException($"App manifest {file} is empty.");
        }
        catch (JsonException e)
        {
            throw new InvalidOperationException($"App manifest {file} is not valid: {e.Message}", e);
        }
        var errors = ManifestValidator.Validate(manifest, file);
        if (errors.Count > 0) throw new InvalidOperationException($"App manifest {file}: {string.Join("; ", errors)}");
        manifest.AppId = AppIdFor(manifest.Slug);
        return manifest;
    }

    // A stable 24-hex id per slug, the same on every node and every start (Refold's app_id is an ObjectId).
    public static string AppIdFor(string slug) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes("patchbay-app:" + slug)).AsSpan(0, 12));
}

using Patchbay.Configuration;

namespace Patchbay.Apps;

public sealed class AppsOptions
{
    public const string Section = "Patchbay:Apps";

    // A folder of extra manifests (same format as Apps/Catalog) loaded next to the built-in catalog; a manifest
    // there replaces the built-in one with the same slug.
    public string? CatalogFolder { get; set; }

    // Per app: send its API (and OAuth) traffic somewhere else — a sandbox, a recording proxy, a fake provider in
    // tests. Absolute URLs in the manifest keep their path and take the override's origin. Overrides are templates too
    // ({{subdomain}} and other connection values), like the manifest URLs they replace.
    public Dictionary<string, AppOverride> Overrides { get; set; } = [];

    /// <summary>How long a verification request may take.</summary>
    [Duration("00:00:00.100", "00:10:00")]
    public TimeSpan VerifyTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The largest provider response read (verification, actions, app HTTP nodes).</summary>
    [Between(1024, 1_073_741_824)]
    public long MaxResponseBytes { get; set; } = 10 * 1024 * 1024;
}

public sealed class AppOverride
{
    public string? BaseUrl { get; set; }
    public string? AuthorizeUrl { get; set; }
    public string? TokenUrl { get; set; }
}

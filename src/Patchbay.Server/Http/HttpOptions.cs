using Patchbay.Configuration;

namespace Patchbay.Http;

public sealed class HttpOptions
{
    public const string Section = "Patchbay:Http";

    /// <summary>Largest accepted request body, in bytes.</summary>
    [Between(1024, 1L << 30)]
    public long MaxRequestBodySize { get; set; } = 1 << 20;

    // The address clients reach Patchbay at (https://patchbay.example.com), for the absolute URLs Patchbay hands out
    // (app icons, OAuth redirect URIs, hosted Connect links). Unset: taken from each request.
    public string? PublicUrl { get; set; }

    // Set when Patchbay runs behind a reverse proxy, so rate limits see the client's address (X-Forwarded-For).
    public bool TrustForwardedHeaders { get; set; }
}

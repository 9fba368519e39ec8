using Microsoft.Extensions.Options;

namespace Patchbay.Http;

public sealed class PublicUrls(IOptions<HttpOptions> options)
{
    // The origin (and path base) absolute links start with: Patchbay:Http:PublicUrl, or the request's own.
    public string Base(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return options.Value.PublicUrl is { Length: > 0 } configured
            ? configured.TrimEnd('/')
            : $"{request.Scheme}://{request.Host}{request.PathBase}";
    }
}

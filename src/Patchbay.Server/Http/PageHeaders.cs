namespace Patchbay.Http;

// The headers of the HTML pages Patchbay serves (the hosted Connect page, the OAuth callback page). Their URLs may
// carry a session token, a connect code or an OAuth code: never cached, never sent on as a referrer, never framed
// (a framing page could overlay them to steal clicks on "Connect").
public static class PageHeaders
{
    public static void Apply(HttpResponse response, string contentSecurityPolicy)
    {
        ArgumentNullException.ThrowIfNull(response);
        response.Headers.ContentSecurityPolicy = contentSecurityPolicy + "; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";
        response.Headers.XFrameOptions = "DENY";
        response.Headers["Referrer-Policy"] = "no-referrer";
        response.Headers.XContentTypeOptions = "nosniff";
        response.Headers.CacheControl = "no-store";
    }
}

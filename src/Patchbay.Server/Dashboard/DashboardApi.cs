using System.Reflection;
using Patchbay.Http;

namespace Patchbay.Dashboard;

// The dashboard (issue 18): a console in the browser, static files only. It signs in with an org API key kept in
// the tab's sessionStorage and calls the same public and Patchbay routes a program calls, with the same auth and
// rate limits; the admin token opens /admin/v1. Pages are addressed by the URL's fragment, so one HTML document
// serves them all and no path under /dashboard ever carries a secret.
public static class DashboardApi
{
    // Everything the console loads is its own: module scripts, one style sheet, the vendored layout library. It
    // talks only to this server. Nothing inline, no eval; graphs are SVG built through the DOM.
    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'none'; manifest-src 'none'";

    public static void MapDashboard(this IEndpointRouteBuilder app)
    {
        app.MapGet("/dashboard", Page).AllowAnonymous().ExcludeFromDescription();
        app.MapGet("/dashboard/assets/{file}", Asset).AllowAnonymous().ExcludeFromDescription();
    }

    static IResult Page(HttpContext http)
    {
        PageHeaders.Apply(http.Response, ContentSecurityPolicy);
        return Results.Text(Read("index.html"), "text/html; charset=utf-8");
    }

    static IResult Asset(string file, HttpContext http)
    {
        var type = Path.GetExtension(file) switch
        {
            ".js" => "text/javascript; charset=utf-8",
            ".css" => "text/css; charset=utf-8",
            ".svg" => "image/svg+xml",
            _ => null,
        };
        if (type is null || !Exists(file)) return ApiError.NotFound(ErrorCodes.RouteNotFound, $"No asset {file}");
        // Short caching: a new server version's files are picked up within minutes without a build step.
        http.Response.Headers.CacheControl = "public, max-age=300";
        http.Response.Headers.XContentTypeOptions = "nosniff";
        http.Response.Headers.ContentSecurityPolicy = "default-src 'none'; frame-ancestors 'none'";
        return Results.Text(Read(file), type);
    }

    static readonly Assembly Assembly = typeof(DashboardApi).Assembly;

    static bool Exists(string file) => Assembly.GetManifestResourceInfo("dashboard/" + file) is not null;

    static string Read(string file)
    {
        using var stream = Assembly.GetManifestResourceStream("dashboard/" + file)!; // embedded by the project file
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}

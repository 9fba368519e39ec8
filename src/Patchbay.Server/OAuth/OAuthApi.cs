using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Patchbay.Apps;
using Patchbay.Auth;
using Patchbay.Http;
using Patchbay.LinkedAccounts;

namespace Patchbay.OAuth;

// OAuth2 connections (refold-api.md AP4, AP5; §5 SDK integrate).
public static class OAuthApi
{
    public static void MapOAuth(this IEndpointRouteBuilder app)
    {
        app.MapGet(Routes.Public + "/linked-account/integration/oauth-url/{slug}", OAuthUrl)
            .RequireAuthorization(Policies.OrgLinkedAccount).WithTags("OAuth")
            .WithSummary("Get the OAuth authorization URL for an app")
            .WithQuery("return_to", "A path on this server (or a URL at its public origin) to send the browser back to after the provider's consent.");
        // The app's prerequisite fields (a subdomain…) come as further query parameters or body fields.
        app.MapGet("/api/v1/{slug}/integrate", IntegrateFromQuery).RequireAuthorization(Policies.LinkedAccount).WithTags("Frontend SDK")
            .WithSummary("Start connecting an OAuth app (frontend SDK)")
            .WithQuery("return_to", "A path on this server (or a URL at its public origin) to send the browser back to after the provider's consent.");
        app.MapPost("/api/v1/{slug}/integrate", IntegrateFromBody).RequireAuthorization(Policies.LinkedAccount).WithTags("Frontend SDK")
            .WithSummary("Start connecting an OAuth app, fields in the body (frontend SDK)")
            .Accepts<System.Text.Json.Nodes.JsonObject>("application/json")
            .WithQuery("return_to", "A path on this server (or a URL at its public origin) to send the browser back to after the provider's consent.");
        app.MapGet("/api/v1/{slug}/callback", Callback).AllowAnonymous().WithTags("OAuth")
            .WithSummary("The OAuth provider's redirect back to Patchbay (HTML page or redirect)")
            .WithQuery("code", "The authorization code.").WithQuery("state", "The flow's state.")
            .WithQuery("error", "The provider's error, if consent failed.");
    }

    public sealed record AuthUrlResponse(string AuthUrl);

    public sealed record IntegrateResponse(
        [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] string? AuthUrl,
        [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] bool? Connected);

    static async Task<Results<Ok<AuthUrlResponse>, ApiError>> OAuthUrl(
        string slug, HttpRequest request, Caller caller, LinkedAccountStore accounts, OrgAppStore orgApps, OAuthFlow flow, PublicUrls urls, CancellationToken ct)
    {
        var (account, app, error) = await ResolveAsync(slug, caller, accounts, orgApps, ct);
        if (error is not null) return error;
        var input = QueryInput(request);
        var url = await flow.AuthorizeUrlAsync(caller.OrgId, caller.Environment, account!.Id, app!, input, urls.Base(request), "api",
            ReturnTo(request.Query["return_to"].ToString(), urls.Base(request)), Opener(request), ct);
        return TypedResults.Ok(new AuthUrlResponse(url));
    }

    static async Task<Results<Ok<IntegrateResponse>, ApiError>> IntegrateFromQuery(
        string slug, HttpRequest request, Caller caller, LinkedAccountStore accounts, OrgAppStore orgApps, OAuthFlow flow, PublicUrls urls, CancellationToken ct) =>
        await IntegrateAsync(slug, QueryInput(request), request, caller, accounts, orgApps, flow, urls, ct);

    static async Task<Results<Ok<IntegrateResponse>, ApiError>> IntegrateFromBody(
        string slug, HttpContext http, Caller caller, LinkedAccountStore accounts, OrgAppStore orgApps, OAuthFlow flow, PublicUrls urls, CancellationToken ct)
    {
        using var body = await JsonBody.ReadObjectAsync(http, required: false);
        return await IntegrateAsync(slug, body.RootElement, http.Request, caller, accounts, orgApps, flow, urls, ct);
    }

    // The SDK opens the URL in a popup and polls the application; the hosted page redirects (return_to). A
    // client-credentials app needs no browser: it connects here and answers {connected}.
    static async Task<Results<Ok<IntegrateResponse>, ApiError>> IntegrateAsync(
        string slug, JsonElement input, HttpRequest request, Caller caller, LinkedAccountStore accounts, OrgAppStore orgApps, OAuthFlow flow,
        PublicUrls urls, CancellationToken ct)
    {
        var (account, app, error) = await ResolveAsync(slug, caller, accounts, orgApps, ct);
        if (error is not null) return error;
        if (app!.Auth[AppManifest.OAuth2].GrantType == "client_credentials")
        {
            var failure = await flow.ConnectClientCredentialsAsync(caller.OrgId, caller.Environment, account!.Id, app, input, ct);
            return failure is null ? TypedResults.Ok(new IntegrateResponse(null, true)) : ApiError.Server(failure);
        }
        var publicBase = urls.Base(request);
        var returnTo = ReturnTo(Json.OptionalString(input, "return_to") ?? request.Query["return_to"].ToString(), publicBase);
        var url = await flow.AuthorizeUrlAsync(caller.OrgId, caller.Environment, account!.Id, app, input, publicBase,
            returnTo is null ? "popup" : "redirect", returnTo, Opener(request), ct);
        return TypedResults.Ok(new IntegrateResponse(url, null));
    }

    static async Task<(LinkedAccountRow? Account, AppManifest? App, ApiError? Error)> ResolveAsync(
        string slug, Caller caller, LinkedAccountStore accounts, OrgAppStore orgApps, CancellationToken ct)
    {
        var account = await accounts.ForCallerAsync(caller, ct);
        if (account is null) return (null, null, caller.LinkedAccountNotFound(caller.AccountId));
        var app = await orgApps.FindEnabledAsync(caller.OrgId, caller.Environment, slug, ct);
        if (app is null) return (null, null, caller.AppNotFound(slug));
        if (!app.Auth.ContainsKey(AppManifest.OAuth2)) return (null, null, ApiError.Validation($"Application '{slug}' does not support OAuth2"));
        return (account, app, null);
    }

    static JsonElement QueryInput(HttpRequest request) =>
        JsonSerializer.SerializeToElement(request.Query.ToDictionary(q => q.Key, q => q.Value.ToString()));

    // Where the browser goes after the callback: a path on this server, or a URL at its public origin. Anything
    // else would make the callback an open redirect.
    public static string? ReturnTo(string? value, string publicBase)
    {
        if (string.IsNullOrWhiteSpace(value)) return null;
        return ReturnToProblem(value, publicBase) is { } problem ? throw new ApiException(ApiError.Validation(problem)) : value;
    }

    // Why a return_to cannot be a redirect target, or null. It goes into a Location header as written, so it must be
    // printable ASCII. Browsers drop tabs and newlines and read '\' as '/' ("/\t/evil.example" would leave this
    // server), some read U+3002 as a dot, and a decoding proxy or browser would turn "%2F%2Fevil.example" or
    // "%E3%80%82" into the same: before the query, percent-encoding may not stand for '.', '/', '\', '%', control or
    // non-ASCII characters; after it, not for control or non-ASCII ones.
    static string? ReturnToProblem(string value, string publicBase)
    {
        if (value.Any(c => c is <= ' ' or >= '\x7f' || c == '\\'))
            return "'return_to' must be a path on this server, in printable ASCII without spaces or backslashes";
        var query = value.IndexOfAny(['?', '#']);
        for (var i = value.IndexOf('%', StringComparison.Ordinal); i >= 0 && i + 2 < value.Length; i = value.IndexOf('%', i + 1))
        {
            if (!byte.TryParse(value.AsSpan(i + 1, 2), System.Globalization.NumberStyles.AllowHexSpecifier, null, out var b)) continue;
            if (b is < 0x20 or >= 0x7f || ((query < 0 || i < query) && b is (byte)'.' or (byte)'/' or (byte)'\\' or (byte)'%'))
                return "'return_to' must not percent-encode control or non-ASCII characters, nor '.', '/', '\\' or '%' in its path";
        }
        if (value.StartsWith('/') && !value.StartsWith("//", StringComparison.Ordinal)) return null;
        if (Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.GetLeftPart(UriPartial.Authority) == new Uri(publicBase).GetLeftPart(UriPartial.Authority))
            return null;
        return "'return_to' must be a path on this server";
    }

    // The origin of the page that started the flow (a browser sends Origin on the SDK's cross-origin call): the
    // only window the callback page tells the outcome to, besides Patchbay's own pages. "null" and non-web origins
    // are no origin.
    public static string? Opener(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var origin = request.Headers.Origin.ToString();
        return Uri.TryCreate(origin, UriKind.Absolute, out var uri) && uri.Scheme is "https" or "http" && uri.AbsolutePath == "/"
            && uri.Query.Length == 0 && uri.UserInfo.Length == 0 && origin.Length <= 200
            ? uri.GetLeftPart(UriPartial.Authority)
            : null;
    }

    // The provider's redirect. With a return_to the browser goes back there (?patchbay_connected= or
    // ?patchbay_error=); otherwise a small page says what happened and, in a popup, tells the opener and closes.
    // A stored return_to is checked again (a state written before a rule existed): a bad one shows the page instead.
    static async Task<IResult> Callback(string slug, HttpRequest request, OAuthFlow flow, PublicUrls urls, CancellationToken ct)
    {
        var outcome = await flow.CompleteAsync(slug, request.Query, ct);
        // The URL carried the code and the state: the next page must not receive it as a referrer.
        request.HttpContext.Response.Headers["Referrer-Policy"] = "no-referrer";
        if (outcome.State?.ReturnTo is { } returnTo && ReturnToProblem(returnTo, urls.Base(request)) is null)
        {
            var separator = returnTo.Contains('?', StringComparison.Ordinal) ? '&' : '?';
            var target = outcome.Ok
                ? $"{returnTo}{separator}patchbay_connected={Uri.EscapeDataString(slug)}"
                : $"{returnTo}{separator}patchbay_error={Uri.EscapeDataString(outcome.Message)}&patchbay_app={Uri.EscapeDataString(slug)}";
            return Results.Redirect(target);
        }
        var opener = outcome.State?.Context.Opener ?? new Uri(urls.Base(request)).GetLeftPart(UriPartial.Authority);
        return new CallbackPage(outcome.Ok, outcome.App?.Name ?? slug, slug, outcome.Message, opener);
    }

    // targetOrigin: the opener's origin as the flow recorded it, else Patchbay's own; a window at any other origin
    // does not receive the message.
    sealed class CallbackPage(bool ok, string appName, string slug, string message, string targetOrigin) : IResult
    {
        public async Task ExecuteAsync(HttpContext httpContext)
        {
            var nonce = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
            var title = ok ? $"{appName} connected" : $"Could not connect {appName}";
            var payload = JsonSerializer.Serialize(new { type = "patchbay:oauth", slug, status = ok ? "connected" : "error", message });
            var html = $$"""
                <!doctype html>
                <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
                <title>{{WebUtility.HtmlEncode(title)}}</title>
                <style nonce="{{nonce}}">body{font-family:system-ui,-apple-system,Segoe UI,sans-serif;display:grid;place-items:center;min-height:90vh;margin:0;color:#1f2937}
                main{max-width:28rem;padding:2rem;text-align:center}h1{font-size:1.25rem}.ok{color:#047857}.err{color:#b91c1c}</style></head>
                <body><main role="status"><h1 class="{{(ok ? "ok" : "err")}}">{{WebUtility.HtmlEncode(title)}}</h1><p>{{WebUtility.HtmlEncode(message)}}</p>
                <p>You can close this window.</p></main>
                <script nonce="{{nonce}}">if (window.opener) { window.opener.postMessage({{payload}}, {{JsonSerializer.Serialize(targetOrigin)}}); setTimeout(function () { window.close(); }, 300); }</script>
                </body></html>
                """;
            httpContext.Response.StatusCode = ok ? 200 : 400;
            httpContext.Response.ContentType = "text/html; charset=utf-8";
            PageHeaders.Apply(httpContext.Response, $"default-src 'none'; style-src 'nonce-{nonce}'; script-src 'nonce-{nonce}'; form-action 'none'");
            await httpContext.Response.WriteAsync(html);
        }
    }
}

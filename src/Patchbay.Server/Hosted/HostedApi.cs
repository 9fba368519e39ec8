using System.Reflection;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Patchbay.Auth;
using Patchbay.Http;

namespace Patchbay.Hosted;

// Hosted Connect (refold-api.md §3.3, ST3): a page Patchbay serves where a customer connects and disconnects apps
// with no UI built by the org.
public static class HostedApi
{
    public static void MapHosted(this IEndpointRouteBuilder app)
    {
        var api = app.MapPublic("Hosted Connect");
        api.MapPost("/connect-url", ConnectUrl).RequireAuthorization(Policies.Session)
            .WithSummary("Get a hosted Connect page URL").Accepts<System.Text.Json.Nodes.JsonObject>("application/json")
            .WithQuery("config_id", "The config the page opens with.")
            .WithQuery("single_use", "true (Patchbay): the URL carries a code valid once for 15 minutes instead of the session token.", ApiParameterType.Flag);
        api.MapGet("/hosted-properties", Properties).RequireAuthorization(Policies.Session)
            .WithSummary("Get the properties stored with the Connect page").Produces<System.Text.Json.Nodes.JsonObject>(200, "application/json");
        api.MapPost("/connect-code/exchange", ExchangeCode).AllowAnonymous()
            .WithSummary("Trade a connect URL's single-use code for its session token").Accepts<ExchangeCodeRequest>("application/json");

        app.MapGet("/connect", Page).AllowAnonymous().ExcludeFromDescription();
        app.MapGet("/connect/{token}", Page).AllowAnonymous().ExcludeFromDescription();
        app.MapGet("/connect/assets/{file}", Asset).AllowAnonymous().ExcludeFromDescription();
    }

    public sealed record ConnectUrlResponse(string HostedUrl);

    public sealed record ExchangeResponse(string Token, long ExpiresIn);

    public sealed record ExchangeCodeRequest([property: System.Text.Json.Serialization.JsonPropertyName("code")] string Code);

    // Stores the body (any JSON object: theme colours, name, redirect URL…) for the page and answers its URL. With
    // ?single_use=true (Patchbay) the URL carries a code valid once for 15 minutes instead of the session token.
    static async Task<Results<Ok<ConnectUrlResponse>, ApiError>> ConnectUrl(
        HttpContext http, Caller caller, HostedStore store, PublicUrls urls, CancellationToken ct)
    {
        using var body = await JsonBody.ReadObjectAsync(http, required: false);
        var properties = body.RootElement.GetRawText();
        if (properties.Length > 16_384) return ApiError.Validation("Hosted properties are limited to 16 KB");
        await store.SavePropertiesAsync(caller.CredentialId, properties, ct);

        var publicBase = urls.Base(http.Request);
        var configId = http.Request.Query["config_id"].ToString();
        string url;
        if (http.Request.Query["single_use"].ToString() == "true")
        {
            url = $"{publicBase}/connect?code={await store.CreateCodeAsync(caller.CredentialId, ct)}";
            if (configId.Length > 0) url += $"&config_id={Uri.EscapeDataString(configId)}";
        }
        else
        {
            var token = http.Request.Headers.Authorization.ToString()[7..].Trim(); // the session token this request came with
            url = $"{publicBase}/connect/{token}" + (configId.Length > 0 ? $"?config_id={Uri.EscapeDataString(configId)}" : "");
        }
        return TypedResults.Ok(new ConnectUrlResponse(url));
    }

    static async Task<IResult> Properties(Caller caller, HostedStore store, CancellationToken ct)
    {
        var json = await store.PropertiesAsync(caller.CredentialId, ct) ?? "{}";
        return Results.Text(json, "application/json");
    }

    // ST3: trades a code from a connect URL for the session token it stands for. Each code works once.
    static async Task<Results<Ok<ExchangeResponse>, ApiError>> ExchangeCode(
        HttpContext http, HostedStore store, SessionStore sessions, SessionTokens tokens, TimeProvider time, CancellationToken ct)
    {
        using var body = await JsonBody.ReadObjectAsync(http);
        var code = Json.RequiredString(body.RootElement, "code");
        var invalid = ApiError.Unauthorized(ErrorCodes.InvalidToken, "Invalid or expired code");
        if (await store.SpendCodeAsync(code, ct) is not { } sessionId) return invalid;
        var row = await sessions.FindAsync(sessionId, ct);
        var now = time.GetUtcNow();
        if (row is null || row.RevokedAt is not null || row.ExpiresAt <= now) return invalid;
        var issued = tokens.Sign(row, now);
        return TypedResults.Ok(new ExchangeResponse(issued.Token, issued.ExpiresIn));
    }

    static IResult Page(HttpContext http)
    {
        // The URL may carry a session token or a code. Everything the page loads is its own (script, style, the apps'
        // icons; theme colours are set through the CSSOM, which style-src does not govern); https: images are provider logos.
        PageHeaders.Apply(http.Response,
            "default-src 'self'; img-src 'self' data: https:; style-src 'self'; script-src 'self'; connect-src 'self'; form-action 'self'");
        return Results.Text(Read("connect.html"), "text/html; charset=utf-8");
    }

    static IResult Asset(string file, HttpContext http)
    {
        var type = Path.GetExtension(file) switch { ".js" => "text/javascript; charset=utf-8", ".css" => "text/css; charset=utf-8", _ => null };
        if (type is null || !Exists(file)) return ApiError.NotFound(ErrorCodes.RouteNotFound, $"No asset {file}");
        http.Response.Headers.CacheControl = "public, max-age=300";
        http.Response.Headers["X-Content-Type-Options"] = "nosniff";
        return Results.Text(Read(file), type);
    }

    static readonly Assembly Assembly = typeof(HostedApi).Assembly;

    internal static bool Exists(string file) => Assembly.GetManifestResourceInfo("hosted/" + file) is not null;

    internal static string Read(string file)
    {
        using var stream = Assembly.GetManifestResourceStream("hosted/" + file)!; // embedded by the project file
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}

public static class HostedFeature
{
    public static IServiceCollection AddHosted(this IServiceCollection services) => services.AddSingleton<HostedStore>();
}

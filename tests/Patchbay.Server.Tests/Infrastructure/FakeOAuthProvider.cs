using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Patchbay.Tests.Infrastructure;

// An OAuth 2.0 authorization server and resource API on loopback, as strict as the real ones (RFC 6749, RFC 7636):
// - /{app}[/{tenant}]/authorize checks the client and redirect URI, then consents (302 back with a code) or, when
//   Deny is set, refuses (302 back with error=access_denied);
// - /{app}[/{tenant}]/token takes authorization codes (once, with the same redirect URI, and the PKCE verifier when
//   a challenge was sent), refresh tokens (rotated: a spent one is refused) and client credentials, authenticating
//   the client only the way that app's real provider does (HTTP Basic or the body, never both);
// - any GET ending in /users/me answers for a live access token, with the identifier fields the manifests read.
public sealed class FakeOAuthProvider : IAsyncDisposable
{
    public const string ClientId = "patchbay-fake-client";
    public const string ClientSecret = "fake-client-secret-123";
    public const string CustomerClientId = "customer-app-id";          // client credentials a customer brings (Help Scout)
    public const string CustomerClientSecret = "customer-app-secret";
    public const string Email = "owner@oauth.test";

    // How each app's real provider wants the client to authenticate at the token endpoint, and which insist on PKCE.
    static readonly Dictionary<string, string> ClientAuth = new() { ["notion"] = "basic" };
    static readonly HashSet<string> PkceRequired = ["asana", "zendesk"];

    sealed record Grant(string App, string ClientId, string RedirectUri, string? Challenge, DateTimeOffset ExpiresAt, string? Scope);

    readonly WebApplication app;
    readonly ConcurrentDictionary<string, Grant> codes = new();
    readonly ConcurrentDictionary<string, string> refreshTokens = new(); // refresh token → app
    readonly ConcurrentDictionary<string, string> accessTokens = new();  // access token → app
    int refreshCalls;
    int tokenCalls;

    public string BaseUrl { get; private set; } = "";
    public bool Deny { get; set; }
    public int TokenLifetimeSeconds { get; set; } = 3600;
    public bool RotateRefreshTokens { get; set; } = true;
    public TimeSpan RefreshDelay { get; set; }
    public int? RefreshStatus { get; set; } // e.g. 503: the token endpoint is down
    public int RefreshCalls => refreshCalls;
    public int TokenCalls => tokenCalls;
    public ConcurrentQueue<string> Tenants { get; } = new();  // {tenant} segments seen at the token endpoint
    public ConcurrentQueue<string> Errors { get; } = new();   // why requests were refused, for assertions
    public string? LastAccessToken { get; private set; }
    public string? LastScope { get; private set; }

    FakeOAuthProvider()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseSetting("urls", "http://127.0.0.1:0");
        app = builder.Build();
        app.Run(HandleAsync);
    }

    public static async Task<FakeOAuthProvider> StartAsync()
    {
        var provider = new FakeOAuthProvider();
        await provider.app.StartAsync();
        provider.BaseUrl = provider.app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return provider;
    }

    // The provider revokes every grant (the customer removed the app on the provider's side).
    public void RevokeAll()
    {
        refreshTokens.Clear();
        accessTokens.Clear();
    }

    public bool IsLive(string accessToken) => accessTokens.ContainsKey(accessToken);

    async Task HandleAsync(HttpContext http)
    {
        var segments = http.Request.Path.Value!.Trim('/').Split('/');
        var slug = segments[0];
        var tenant = segments.Length > 2 && segments[^1] is "authorize" or "token" ? segments[1] : null;
        switch (segments[^1])
        {
            case "authorize" when HttpMethods.IsGet(http.Request.Method):
                Authorize(http, slug);
                return;
            case "token" when HttpMethods.IsPost(http.Request.Method):
                if (tenant is not null) Tenants.Enqueue(tenant);
                await TokenAsync(http, slug);
                return;
            case "me" when HttpMethods.IsGet(http.Request.Method):
                await MeAsync(http, slug);
                return;
            default:
                http.Response.StatusCode = 404;
                return;
        }
    }

    void Authorize(HttpContext http, string slug)
    {
        var q = http.Request.Query;
        var redirectUri = q["redirect_uri"].ToString();
        // RFC 6749 §4.1.2.1: a bad client or redirect URI is shown to the user, never redirected to.
        if (q["client_id"] != ClientId || !Uri.TryCreate(redirectUri, UriKind.Absolute, out _))
        {
            Refuse(http, 400, "invalid_client_or_redirect_uri");
            return;
        }
        string? error = null;
        if (q["response_type"] != "code") error = "unsupported_response_type";
        else if (PkceRequired.Contains(slug) && (q["code_challenge"].ToString().Length == 0 || q["code_challenge_method"] != "S256")) error = "invalid_request";
        else if (Deny) error = "access_denied";
        var separator = redirectUri.Contains('?', StringComparison.Ordinal) ? '&' : '?';
        var state = Uri.EscapeDataString(q["state"].ToString());
        if (error is not null)
        {
            Errors.Enqueue("authorize: " + error);
            http.Response.Redirect($"{redirectUri}{separator}error={error}&error_description={Uri.EscapeDataString("The user denied access")}&state={state}");
            return;
        }
        var code = NewToken("code");
        codes[code] = new Grant(slug, ClientId, redirectUri, q["code_challenge"].ToString() is { Length: > 0 } c ? c : null,
            DateTimeOffset.UtcNow.AddMinutes(5), q["scope"].ToString());
        LastScope = q["scope"].ToString();
        http.Response.Redirect($"{redirectUri}{separator}code={code}&state={state}");
    }

    async Task TokenAsync(HttpContext http, string slug)
    {
        Interlocked.Increment(ref tokenCalls);
        if (!http.Request.HasFormContentType)
        {
            await ErrorAsync(http, 400, "invalid_request", "form body expected");
            return;
        }
        var form = await http.Request.ReadFormAsync();
        var (clientId, clientSecret, authError) = Client(http.Request, form, slug);
        if (authError is not null)
        {
            await ErrorAsync(http, 401, "invalid_client", authError);
            return;
        }
        switch (form["grant_type"].ToString())
        {
            case "authorization_code":
                {
                    if (clientId != ClientId || clientSecret != ClientSecret)
                    {
                        await ErrorAsync(http, 401, "invalid_client", "unknown client");
                        return;
                    }
                    var code = form["code"].ToString();
                    if (!codes.TryRemove(code, out var grant) || grant.App != slug || grant.ExpiresAt < DateTimeOffset.UtcNow)
                    {
                        await ErrorAsync(http, 400, "invalid_grant", "unknown, spent or expired code");
                        return;
                    }
                    if (form["redirect_uri"] != grant.RedirectUri)
                    {
                        await ErrorAsync(http, 400, "invalid_grant", "redirect_uri differs from the authorization request");
                        return;
                    }
                    var verifier = form["code_verifier"].ToString();
                    if (grant.Challenge is not null
                        ? Base64Url.EncodeToString(SHA256.HashData(Encoding.ASCII.GetBytes(verifier))) != grant.Challenge
                        : verifier.Length > 0)
                    {
                        await ErrorAsync(http, 400, "invalid_grant", "PKCE verification failed");
                        return;
                    }
                    await IssueAsync(http, slug, withRefresh: true);
                    return;
                }
            case "refresh_token":
                {
                    Interlocked.Increment(ref refreshCalls);
                    if (RefreshDelay > TimeSpan.Zero) await Task.Delay(RefreshDelay);
                    if (RefreshStatus is { } status)
                    {
                        await ErrorAsync(http, status, "temporarily_unavailable", "try again later");
                        return;
                    }
                    if (clientId != ClientId || clientSecret != ClientSecret)
                    {
                        await ErrorAsync(http, 401, "invalid_client", "unknown client");
                        return;
                    }
                    var token = form["refresh_token"].ToString();
                    var known = RotateRefreshTokens ? refreshTokens.TryRemove(token, out var owner) : refreshTokens.TryGetValue(token, out owner);
                    if (!known || owner != slug)
                    {
                        await ErrorAsync(http, 400, "invalid_grant", "refresh token revoked or already used");
                        return;
                    }
                    if (!RotateRefreshTokens) refreshTokens[token] = slug;
                    await IssueAsync(http, slug, withRefresh: RotateRefreshTokens);
                    return;
                }
            case "client_credentials":
                if (clientId != CustomerClientId || clientSecret != CustomerClientSecret)
                {
                    await ErrorAsync(http, 401, "invalid_client", "unknown client");
                    return;
                }
                await IssueAsync(http, slug, withRefresh: false);
                return;
            default:
                await ErrorAsync(http, 400, "unsupported_grant_type", "unsupported grant_type");
                return;
        }
    }

    // RFC 6749 §2.3.1: one method per request; this provider accepts only the one it documents.
    static (string? Id, string? Secret, string? Error) Client(HttpRequest request, IFormCollection form, string slug)
    {
        var header = request.Headers.Authorization.ToString();
        var basic = header.StartsWith("Basic ", StringComparison.Ordinal);
        var inBody = form.ContainsKey("client_secret");
        if (basic && inBody) return (null, null, "client authenticated twice");
        if (ClientAuth.GetValueOrDefault(slug, "body") == "basic")
        {
            if (!basic) return (null, null, "HTTP Basic client authentication required");
            var pair = Encoding.UTF8.GetString(Convert.FromBase64String(header[6..])).Split(':', 2);
            return (Uri.UnescapeDataString(pair[0]), Uri.UnescapeDataString(pair[1]), null);
        }
        if (basic) return (null, null, "client credentials belong in the body");
        return (form["client_id"].ToString(), form["client_secret"].ToString(), null);
    }

    async Task IssueAsync(HttpContext http, string slug, bool withRefresh)
    {
        var access = NewToken("at");
        accessTokens[access] = slug;
        LastAccessToken = access;
        var body = new Dictionary<string, object> { ["access_token"] = access, ["token_type"] = "bearer", ["expires_in"] = TokenLifetimeSeconds };
        if (withRefresh)
        {
            var refresh = NewToken("rt");
            refreshTokens[refresh] = slug;
            body["refresh_token"] = refresh;
        }
        if (slug == "notion") body["workspace_name"] = "Acme Workspace";
        http.Response.Headers.CacheControl = "no-store";
        await http.Response.WriteAsJsonAsync(body);
    }

    async Task MeAsync(HttpContext http, string slug)
    {
        var header = http.Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.Ordinal) || accessTokens.GetValueOrDefault(header[7..]) != slug)
        {
            http.Response.StatusCode = 401;
            await http.Response.WriteAsJsonAsync(new { error = "invalid_token" });
            return;
        }
        await http.Response.WriteAsJsonAsync(new
        {
            data = new { email = Email },                    // Asana
            user = new { email = Email },                    // Zendesk
            bot = new { workspace_name = "Acme Workspace" }, // Notion
            email = Email,                                   // Help Scout
            login = Email,                                   // Box
        });
    }

    Task ErrorAsync(HttpContext http, int status, string error, string description)
    {
        Errors.Enqueue($"token: {error}: {description}");
        http.Response.StatusCode = status;
        return http.Response.WriteAsJsonAsync(new { error, error_description = description });
    }

    void Refuse(HttpContext http, int status, string error)
    {
        Errors.Enqueue("authorize: " + error);
        http.Response.StatusCode = status;
    }

    static string NewToken(string prefix) => prefix + "_" + Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(24));

    public async ValueTask DisposeAsync()
    {
        await app.DisposeAsync();
        GC.SuppressFinalize(this);
    }
}

using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Patchbay.Apps;
using Patchbay.Connections;
using Patchbay.Credentials;
using Patchbay.Http;

namespace Patchbay.OAuth;

public sealed record OAuthCompletion(bool Ok, string Message, AppManifest? App, OAuthState? State);

// The authorization-code flow (RFC 6749 §4.1 with PKCE, RFC 7636) and the client-credentials grant, from the
// authorize URL to a stored connection. The redirect URI is recorded with the state at the start and sent
// unchanged at the token exchange, so the two always match.
public sealed class OAuthFlow(
    OAuthClientStore clients, OAuthStateStore states, TokenEndpoint tokens, CredentialVerifier verifier, ConnectionStore connections,
    AppCatalog catalog, IOptions<OAuthOptions> options, IOptions<AppsOptions> apps, TimeProvider time)
{
    public static string RedirectUri(string publicBase, string slug) => $"{publicBase}/api/v1/{slug}/callback";

    public async Task<string> AuthorizeUrlAsync(string orgId, string environment, string accountRowId, AppManifest app, JsonElement input,
        string publicBase, string mode, string? returnTo, string? opener, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(app);
        var auth = app.Auth[AppManifest.OAuth2];
        if (auth.GrantType == "client_credentials")
            throw new ApiException(ApiError.Validation($"{app.Name} connects with client credentials: POST /api/v1/{app.Slug}/integrate with its fields"));
        var client = await clients.FindAsync(orgId, environment, app.Slug, ct) ?? throw NotConfigured(app);
        var prerequisites = CredentialInput.Read(app, AppManifest.OAuth2, input);
        var codeVerifier = auth.Pkce ? Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32)) : null;
        var redirectUri = RedirectUri(publicBase, app.Slug);
        var state = await states.CreateAsync(orgId, environment, accountRowId, app.Slug, redirectUri,
            new OAuthStateContext(codeVerifier, prerequisites, mode, opener), returnTo, options.Value.StateLifetime, ct);

        var url = new StringBuilder(HostRules.RenderUrl(auth.AuthorizeUrl!, apps.Value.Overrides.GetValueOrDefault(app.Slug)?.AuthorizeUrl, auth.Inputs, prerequisites, out var problem)
            ?? throw new ApiException(ApiError.Validation(problem!)));
        void Add(string name, string value) =>
            url.Append(url.ToString().Contains('?', StringComparison.Ordinal) ? '&' : '?').Append(Uri.EscapeDataString(name)).Append('=').Append(Uri.EscapeDataString(value));
        Add("response_type", "code");
        Add("client_id", client.ClientId);
        Add("redirect_uri", redirectUri);
        Add("state", state);
        var scopes = client.Scopes ?? auth.Scopes;
        if (scopes.Count > 0) Add("scope", string.Join(auth.ScopeSeparator, scopes));
        if (codeVerifier is not null)
        {
            Add("code_challenge", Base64Url.EncodeToString(SHA256.HashData(Encoding.ASCII.GetBytes(codeVerifier))));
            Add("code_challenge_method", "S256");
        }
        foreach (var (name, value) in auth.AuthorizeParams) Add(name, Templates.Render(value, prerequisites));
        return url.ToString();
    }

    // The provider sent the customer back. The state is spent whatever happens next; nothing is stored unless the
    // code exchange and the verification both succeed.
    public async Task<OAuthCompletion> CompleteAsync(string slug, IQueryCollection query, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(query);
        var state = await states.ConsumeAsync(query["state"].ToString(), slug, ct);
        var app = catalog.Find(slug);
        if (state is null || app is null)
            return new(false, "This authorization link has expired or was already used. Start the connection again.", app, null);
        if (query["error"].ToString() is { Length: > 0 } error)
        {
            var description = query["error_description"].ToString();
            return new(false, $"{app.Name} did not authorize the connection ({error}{(description.Length > 0 ? ": " + description : "")}).", app, state);
        }
        if (query["code"].ToString() is not { Length: > 0 } code) return new(false, $"{app.Name} sent no authorization code.", app, state);
        var client = await clients.FindAsync(state.OrgId, state.Environment, slug, ct);
        if (client is null) return new(false, $"OAuth is no longer set up for {app.Name}.", app, state);

        var result = await tokens.ExchangeCodeAsync(app, client, code, state.RedirectUri, state.Context.CodeVerifier, state.Context.Prerequisites, ct);
        if (!result.Ok) return new(false, $"{app.Name} refused the authorization ({result.Error}).", app, state);
        var stored = await VerifyAndSaveAsync(app, state.LinkedAccountRowId, state.Context.Prerequisites, result, ct);
        return stored is null ? new(true, $"{app.Name} is connected.", app, state) : new(false, stored, app, state);
    }

    // Apps whose grant is client credentials connect at once with the fields the customer gave (their own client id
    // and secret), or the org's client when the manifest asks for none.
    public async Task<string?> ConnectClientCredentialsAsync(string orgId, string environment, string accountRowId, AppManifest app, JsonElement input, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(app);
        var auth = app.Auth[AppManifest.OAuth2];
        var prerequisites = CredentialInput.Read(app, AppManifest.OAuth2, input);
        var orgClient = prerequisites.ContainsKey("client_id") ? null : await clients.FindAsync(orgId, environment, app.Slug, ct);
        var clientId = prerequisites.GetValueOrDefault("client_id") ?? orgClient?.ClientId ?? throw NotConfigured(app);
        var secret = prerequisites.GetValueOrDefault("client_secret") ?? orgClient?.ClientSecret;
        var result = await tokens.ClientCredentialsAsync(app, clientId, secret, orgClient?.Scopes ?? auth.Scopes, prerequisites, ct);
        if (!result.Ok) return $"Failed to verify credentials: {result.Error}";
        return await VerifyAndSaveAsync(app, accountRowId, prerequisites, result, ct) is { } failure ? $"Failed to verify credentials: {failure}" : null;
    }

    // Returns why the tokens could not be used, or null once the connection is stored.
    async Task<string?> VerifyAndSaveAsync(AppManifest app, string accountRowId, IReadOnlyDictionary<string, string> prerequisites, TokenResult result, CancellationToken ct)
    {
        var values = new Dictionary<string, string>(prerequisites, StringComparer.Ordinal);
        foreach (var (key, value) in result.Fields) values[key] = value;
        values.Remove("expires_in");
        if (result.ExpiresAt is { } expiresAt) values["expires_at"] = expiresAt.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);

        var verification = await verifier.VerifyAsync(app, AppManifest.OAuth2, values, ct);
        if (!verification.Ok) return $"{app.Name} did not accept the new token ({verification.Reason})";
        var identifier = verification.Identifier ?? CredentialVerifier.Identifier(app.Auth[AppManifest.OAuth2].Identifier, values, result.Raw);
        var now = time.GetUtcNow();
        await connections.SaveAsync(accountRowId, app, AppManifest.OAuth2, values, identifier, now, OAuthSchedule.For(values, now, options.Value), ct);
        return null;
    }

    static ApiException NotConfigured(AppManifest app) =>
        new(ApiError.Validation($"OAuth is not set up for {app.Name}: the organization has no OAuth client for it (admin API: PUT /admin/v1/orgs/{{org_id}}/oauth/{app.Slug})"));
}

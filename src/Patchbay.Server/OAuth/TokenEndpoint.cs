using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Patchbay.Apps;
using Patchbay.Egress;

namespace Patchbay.OAuth;

// What a token endpoint answered. Fields holds the response's top-level scalar values (access_token, scope,
// instance_url, …) so manifests can template them; Raw keeps the whole response for identifier paths.
public sealed record TokenResult(bool Ok, Dictionary<string, string> Fields, DateTimeOffset? ExpiresAt, JsonElement? Raw, string? Error, bool Rejected)
{
    public string? AccessToken => Fields.GetValueOrDefault("access_token");
    public string? RefreshToken => Fields.GetValueOrDefault("refresh_token");
}

// Calls a provider's token endpoint (RFC 6749 §4.1.3, §4.4, §6) through the egress policy, authenticating the
// client in the body or with HTTP Basic as the manifest says.
public sealed class TokenEndpoint(IHttpClientFactory httpClientFactory, IOptions<OAuthOptions> options, IOptions<AppsOptions> apps, TimeProvider time)
{
    public Task<TokenResult> ExchangeCodeAsync(AppManifest app, OAuthClient client, string code, string redirectUri, string? codeVerifier,
        IReadOnlyDictionary<string, string> prerequisites, CancellationToken ct)
    {
        var form = new Dictionary<string, string> { ["grant_type"] = "authorization_code", ["code"] = code, ["redirect_uri"] = redirectUri };
        if (codeVerifier is not null) form["code_verifier"] = codeVerifier;
        return RequestAsync(app, form, client.ClientId, client.ClientSecret, prerequisites, ct);
    }

    public Task<TokenResult> RefreshAsync(AppManifest app, OAuthClient client, string refreshToken, IReadOnlyDictionary<string, string> prerequisites, CancellationToken ct) =>
        RequestAsync(app, new() { ["grant_type"] = "refresh_token", ["refresh_token"] = refreshToken }, client.ClientId, client.ClientSecret, prerequisites, ct);

    public Task<TokenResult> ClientCredentialsAsync(AppManifest app, string clientId, string? clientSecret, IReadOnlyList<string> scopes,
        IReadOnlyDictionary<string, string> prerequisites, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(app);
        var form = new Dictionary<string, string> { ["grant_type"] = "client_credentials" };
        if (scopes.Count > 0) form["scope"] = string.Join(app.Auth[AppManifest.OAuth2].ScopeSeparator, scopes);
        return RequestAsync(app, form, clientId, clientSecret, prerequisites, ct);
    }

    // The token URL for these prerequisites (or the operator's override of it); null with the problem when a stored
    // value would move it off the provider's host.
    string? TokenUrl(AppManifest app, IReadOnlyDictionary<string, string> prerequisites, out string? problem)
    {
        var auth = app.Auth[AppManifest.OAuth2];
        return HostRules.RenderUrl(auth.TokenUrl!, apps.Value.Overrides.GetValueOrDefault(app.Slug)?.TokenUrl, auth.Inputs, prerequisites, out problem); // validated: oauth2 has a token_url
    }

    async Task<TokenResult> RequestAsync(AppManifest app, Dictionary<string, string> form, string clientId, string? clientSecret,
        IReadOnlyDictionary<string, string> prerequisites, CancellationToken ct)
    {
        var auth = app.Auth[AppManifest.OAuth2];
        if (TokenUrl(app, prerequisites, out var problem) is not { } url) return Failure(problem!, rejected: true); // a stored value no retry can fix
        if (auth.TokenAuth == "basic")
        {
            // RFC 6749 §2.3.1: both parts form-urlencoded before Basic encoding.
            var pair = Uri.EscapeDataString(clientId) + ":" + Uri.EscapeDataString(clientSecret ?? "");
            using var message = Build(url, form);
            message.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(pair)));
            return await SendAsync(message, ct);
        }
        form["client_id"] = clientId;
        if (clientSecret is not null) form["client_secret"] = clientSecret;
        using var body = Build(url, form);
        return await SendAsync(body, ct);
    }

    static HttpRequestMessage Build(string url, Dictionary<string, string> form)
    {
        var message = new HttpRequestMessage(HttpMethod.Post, url) { Content = new FormUrlEncodedContent(form) };
        message.Headers.Accept.ParseAdd("application/json"); // GitHub answers form-encoded unless asked
        message.Headers.UserAgent.ParseAdd("Patchbay/1.0");
        return message;
    }

    async Task<TokenResult> SendAsync(HttpRequestMessage message, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(options.Value.TokenTimeout);
        string text;
        int status;
        try
        {
            using var response = await httpClientFactory.CreateClient(EgressFeature.HttpClientName).SendAsync(message, timeout.Token);
            status = (int)response.StatusCode;
            text = await response.Content.ReadAsStringAsync(timeout.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return Failure($"timeout of {(long)options.Value.TokenTimeout.TotalMilliseconds}ms exceeded", rejected: false);
        }
        catch (HttpRequestException e)
        {
            var egress = e.InnerException as EgressException ?? e.InnerException?.InnerException as EgressException;
            return Failure(egress?.Message ?? $"request to {message.RequestUri?.Host} failed ({e.HttpRequestError})", rejected: false);
        }

        var (fields, raw) = Parse(text);
        if (status is >= 200 and < 300 && fields.ContainsKey("access_token"))
        {
            DateTimeOffset? expiresAt = fields.TryGetValue("expires_in", out var e) && double.TryParse(e, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds > 0
                ? time.GetUtcNow().AddSeconds(seconds) : null;
            return new TokenResult(true, fields, expiresAt, raw, null, false);
        }
        var error = fields.GetValueOrDefault("error");
        var description = fields.GetValueOrDefault("error_description");
        // invalid_grant and friends mean the grant itself is dead (revoked, expired, already used): retrying cannot
        // help. A 5xx or a network failure can.
        var rejected = status is 400 or 401 or 403 || error is "invalid_grant" or "invalid_client" or "unauthorized_client";
        var reason = error is null ? $"token endpoint answered {status}" : description is null ? error : $"{error}: {description}";
        return Failure(reason, rejected);
    }

    static TokenResult Failure(string reason, bool rejected) => new(false, [], null, null, reason, rejected);

    static (Dictionary<string, string> Fields, JsonElement? Raw) Parse(string text)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        try
        {
            using var document = JsonDocument.Parse(text);
            if (document.RootElement.ValueKind == JsonValueKind.Object)
            {
                foreach (var property in document.RootElement.EnumerateObject())
                {
                    if (property.Value.ValueKind is JsonValueKind.String or JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False)
                        fields[property.Name] = Patchbay.Http.Json.CoerceToString(property.Value)!;
                }
                return (fields, document.RootElement.Clone());
            }
        }
        catch (JsonException)
        {
            foreach (var pair in text.Split('&', StringSplitOptions.RemoveEmptyEntries))
            {
                var kv = pair.Split('=', 2);
                fields[Uri.UnescapeDataString(kv[0].Replace('+', ' '))] = kv.Length > 1 ? Uri.UnescapeDataString(kv[1].Replace('+', ' ')) : "";
            }
        }
        return (fields, null);
    }
}

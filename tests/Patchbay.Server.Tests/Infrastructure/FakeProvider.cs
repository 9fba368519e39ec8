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

// Provider APIs on loopback, standing in for real hosts through Patchbay:Apps:Overrides. Each knows the one set
// of credentials it accepts; NetSuite checks OAuth 1.0a signatures the way NetSuite does, with its own code.
public sealed class FakeProvider : IAsyncDisposable
{
    public const string StripeKey = "sk_test_good_4242";
    public const string HubSpotToken = "hubspot-oauth-token";
    public const string ShopifyToken = "shpat_good_4242";
    public static readonly (string Account, string ConsumerKey, string ConsumerSecret, string TokenId, string TokenSecret) NetSuite =
        ("1234567_SB1", "ns-consumer-key", "ns-consumer-secret", "ns-token-id", "ns-token-secret");

    readonly WebApplication app;
    readonly ConcurrentDictionary<string, byte> nonces = new();

    public ConcurrentQueue<(string Path, string? Authorization)> Requests { get; } = new();
    public bool StripeKeyRevoked { get; set; }
    public bool StripeDown { get; set; }
    // Where Stripe's API redirects, when set (a redirect to another scheme must fail the verification cleanly).
    public string? StripeRedirect { get; set; }
    public string BaseUrl { get; private set; } = "";

    FakeProvider()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseSetting("urls", "http://127.0.0.1:0");
        app = builder.Build();
        app.Use((http, next) =>
        {
            Requests.Enqueue((http.Request.Path + http.Request.QueryString, http.Request.Headers.Authorization.ToString()));
            return next(http);
        });

        app.MapGet("/v1/account", (HttpRequest r) =>
            StripeRedirect is { } target ? Results.Redirect(target)
            : StripeDown ? Results.StatusCode(503)
            : !StripeKeyRevoked && r.Headers.Authorization == $"Bearer {StripeKey}" ? Results.Json(new { id = "acct_1", email = "owner@acme.test" })
            : Results.Json(new { error = new { message = "Invalid API Key provided" } }, statusCode: 401));

        app.MapGet("/services/rest/record/v1/metadata-catalog", (HttpRequest r) =>
            VerifyNetSuiteSignature(r) ? Results.Json(new { items = Array.Empty<object>() })
            : Results.Json(new Dictionary<string, object>
            {
                ["type"] = "https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.2", ["title"] = "Unauthorized", ["status"] = 401,
                ["o:errorDetails"] = new[] { new Dictionary<string, string> { ["detail"] = "Invalid login attempt.", ["o:errorCode"] = "INVALID_LOGIN" } },
            }, statusCode: 401));

        app.MapGet("/account-info/v3/details", (HttpRequest r) =>
            r.Headers.Authorization == $"Bearer {HubSpotToken}" ? Results.Json(new { portalId = 4242, timeZone = "UTC" }) : Results.StatusCode(401));

        // Shopify, with the shop (the one label of {{shop_domain}}) as the first path segment of the overridden base URL.
        app.MapGet("/shopify/{shop}/shop.json", (string shop, HttpRequest r) =>
            r.Headers["X-Shopify-Access-Token"] == ShopifyToken ? Results.Json(new { shop = new { myshopify_domain = $"{shop}.myshopify.com" } }) : Results.StatusCode(401));

        // SendGrid stands in for a provider that answers too slowly: never, until the caller gives up.
        app.MapGet("/v3/user/email", async (CancellationToken ct) =>
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, ct);
            return Results.Json(new { email = "slow@acme.test" });
        });
    }

    public static async Task<FakeProvider> StartAsync()
    {
        var provider = new FakeProvider();
        await provider.app.StartAsync();
        provider.BaseUrl = provider.app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return provider;
    }

    // RFC 5849 as NetSuite applies it to token-based authentication: HMAC-SHA256 over the method, the base URL and the
    // sorted, percent-encoded oauth_* and query parameters, keyed by consumer secret & token secret; realm = account.
    bool VerifyNetSuiteSignature(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        if (!header.StartsWith("OAuth ", StringComparison.Ordinal)) return false;
        var fields = new Dictionary<string, string>();
        foreach (var part in header[6..].Split(','))
        {
            var kv = part.Trim().Split('=', 2);
            if (kv.Length == 2) fields[kv[0]] = Uri.UnescapeDataString(kv[1].Trim('"'));
        }
        string Get(string name) => fields.GetValueOrDefault(name) ?? "";
        if (Get("realm") != NetSuite.Account || Get("oauth_consumer_key") != NetSuite.ConsumerKey || Get("oauth_token") != NetSuite.TokenId
            || Get("oauth_signature_method") != "HMAC-SHA256" || Get("oauth_version") != "1.0" || Get("oauth_nonce").Length < 6
            || !long.TryParse(Get("oauth_timestamp"), out var timestamp) || Math.Abs(DateTimeOffset.UtcNow.ToUnixTimeSeconds() - timestamp) > 300
            || !nonces.TryAdd(Get("oauth_nonce"), 0))
        {
            return false;
        }

        var parameters = fields.Where(f => f.Key.StartsWith("oauth_", StringComparison.Ordinal) && f.Key != "oauth_signature")
            .Select(f => (Uri.EscapeDataString(f.Key), Uri.EscapeDataString(f.Value)))
            .Concat(request.Query.SelectMany(q => q.Value.Select(v => (Uri.EscapeDataString(q.Key), Uri.EscapeDataString(v ?? "")))))
            .OrderBy(p => p.Item1, StringComparer.Ordinal).ThenBy(p => p.Item2, StringComparer.Ordinal)
            .Select(p => p.Item1 + "=" + p.Item2);
        var baseUrl = $"{request.Scheme}://{request.Host}{request.Path}";
        var baseString = $"{request.Method}&{Uri.EscapeDataString(baseUrl)}&{Uri.EscapeDataString(string.Join('&', parameters))}";
        var key = Encoding.UTF8.GetBytes(Uri.EscapeDataString(NetSuite.ConsumerSecret) + "&" + Uri.EscapeDataString(NetSuite.TokenSecret));
        var expected = Convert.ToBase64String(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(baseString)));
        return CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(expected), Encoding.UTF8.GetBytes(Get("oauth_signature")));
    }

    public async ValueTask DisposeAsync() => await app.DisposeAsync();
}

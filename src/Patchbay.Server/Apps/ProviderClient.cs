using System.Net;
using System.Net.Http.Headers;
using System.Security.Authentication;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using Patchbay.Egress;

namespace Patchbay.Apps;

public sealed record ProviderRequest(
    HttpMethod Method, string Path,
    IReadOnlyDictionary<string, string>? Query = null, IReadOnlyDictionary<string, string>? Headers = null, JsonNode? Body = null)
{
    // Path, query and headers are final text (actions render them from parameters): no `{{…}}` in them is filled with
    // connection values. An absolute path then names the template its host was built from, for the host rules.
    public bool Literal { get; init; }
    public string? HostTemplate { get; init; }

    // How a body is sent: JSON, or a form (application/x-www-form-urlencoded, nested keys in brackets as Stripe reads them).
    public string BodyEncoding { get; init; } = BodyEncodings.Json;
}

public static class BodyEncodings
{
    public const string Json = "json";
    public const string Form = "form";

    public static readonly IReadOnlySet<string> All = new HashSet<string> { Json, Form };

    // {"name":"Jo","metadata":{"k":"v"},"expand":["a"]} → name=Jo&metadata[k]=v&expand[0]=a (keys and values encoded).
    public static string FormEncode(JsonNode? body)
    {
        var pairs = new List<string>();
        void Add(string key, JsonNode? node)
        {
            switch (node)
            {
                case null: break;
                case JsonObject o:
                    foreach (var (k, v) in o) Add(key.Length == 0 ? k : $"{key}[{k}]", v);
                    break;
                case JsonArray a:
                    for (var i = 0; i < a.Count; i++) Add($"{key}[{i}]", a[i]);
                    break;
                default:
                    var value = node.GetValueKind() == System.Text.Json.JsonValueKind.String ? node.GetValue<string>() : node.ToJsonString();
                    pairs.Add(Uri.EscapeDataString(key) + "=" + Uri.EscapeDataString(value));
                    break;
            }
        }
        Add("", body);
        return string.Join('&', pairs);
    }
}

public sealed record ProviderResponse(int Status, byte[] Body, string? ContentType);

public enum ProviderFailure { DnsNotFound, Blocked, Refused, Unreachable, Timeout, Tls, Protocol }

// A call that did not get an HTTP answer. Message is safe to show a client: it names hosts, never credentials.
public sealed class ProviderException(ProviderFailure failure, string message, Exception? inner = null) : Exception(message, inner)
{
    public ProviderFailure Failure { get; } = failure;
}

// Sends requests to an app's API with a connection's credentials applied as its manifest says: base URL and path
// templates, headers, query parameters, HTTP Basic, OAuth 1.0a signatures. Every call goes through the egress
// policy, redirects are followed by hand (each hop checked again, credentials dropped when the origin changes).
public sealed class ProviderClient(IHttpClientFactory httpClientFactory, IOptions<AppsOptions> options, IOptions<EgressOptions> egress, TimeProvider time)
{
    public async Task<ProviderResponse> SendAsync(AppManifest app, string authType, IReadOnlyDictionary<string, string> values,
        ProviderRequest request, TimeSpan timeout, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(request);
        var auth = app.Auth[authType];
        var url = ResolveUrl(app, auth, request.Path, values, request.Query, request.Literal, request.HostTemplate);
        var origin = url.GetLeftPart(UriPartial.Authority);
        var method = request.Method;
        var body = request.Body;
        var client = httpClientFactory.CreateClient(EgressFeature.HttpClientName);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(timeout);

        for (var hop = 0; ; hop++)
        {
            using var message = new HttpRequestMessage(method, url);
            if (body is not null && method != HttpMethod.Get && method != HttpMethod.Head)
            {
                message.Content = request.BodyEncoding == BodyEncodings.Form
                    ? new StringContent(BodyEncodings.FormEncode(body), Encoding.UTF8, "application/x-www-form-urlencoded")
                    : new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
            }
            foreach (var (name, value) in request.Headers ?? new Dictionary<string, string>())
                message.Headers.TryAddWithoutValidation(name, request.Literal ? value : Templates.Render(value, values));
            // Credentials go only to the app's own origin, never to wherever a redirect points.
            if (url.GetLeftPart(UriPartial.Authority) == origin) ApplyCredentials(message, auth.Apply, values);
            message.Headers.UserAgent.ParseAdd("Patchbay/1.0");
            message.Headers.Accept.ParseAdd("application/json");

            HttpResponseMessage response;
            try
            {
                response = await client.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, deadline.Token);
            }
            catch (OperationCanceledException e) when (!ct.IsCancellationRequested)
            {
                throw new ProviderException(ProviderFailure.Timeout, $"timeout of {(long)timeout.TotalMilliseconds}ms exceeded", e);
            }
            catch (HttpRequestException e)
            {
                throw Translate(e, url);
            }

            using (response)
            {
                var status = (int)response.StatusCode;
                if (status is 301 or 302 or 303 or 307 or 308 && response.Headers.Location is { } location)
                {
                    if (hop >= egress.Value.MaxRedirects)
                        throw new ProviderException(ProviderFailure.Protocol, $"Maximum number of redirects exceeded ({egress.Value.MaxRedirects})");
                    // Only to http(s): the handler cannot speak file:, javascript: or ftp:, and must not try. Each hop
                    // still goes through the egress policy when it connects.
                    var next = location.IsAbsoluteUri ? location : Uri.TryCreate(url, location, out var relative) ? relative : null;
                    if (next is not { Scheme: "http" or "https" })
                        throw new ProviderException(ProviderFailure.Protocol, $"the provider redirected to a non-HTTP(S) URL ({next?.Scheme ?? "invalid"}:), which is not followed");
                    url = next;
                    if (status is 303 || (status is 301 or 302 && method == HttpMethod.Post))
                    {
                        method = HttpMethod.Get;
                        body = null;
                    }
                    continue;
                }
                byte[] bytes;
                try
                {
                    bytes = await ReadCappedAsync(response.Content, options.Value.MaxResponseBytes, deadline.Token);
                }
                catch (OperationCanceledException e) when (!ct.IsCancellationRequested)
                {
                    throw new ProviderException(ProviderFailure.Timeout, $"timeout of {(long)timeout.TotalMilliseconds}ms exceeded", e);
                }
                catch (HttpRequestException e)
                {
                    throw Translate(e, url);
                }
                return new ProviderResponse(status, bytes, response.Content.Headers.ContentType?.MediaType);
            }
        }
    }

    // A provider (or a customer's own server, for apps on one) cannot make the server hold more than this.
    static async Task<byte[]> ReadCappedAsync(HttpContent content, long limit, CancellationToken ct)
    {
        if (content.Headers.ContentLength > limit) throw TooLarge(limit);
        await using var stream = await content.ReadAsStreamAsync(ct);
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await stream.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > limit) throw TooLarge(limit);
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }

    static ProviderException TooLarge(long limit) =>
        new(ProviderFailure.Protocol, $"the provider's response is larger than {limit / 1_048_576.0:0.#} MB (Patchbay:Apps:MaxResponseBytes)");

    public Uri ResolveUrl(AppManifest app, AuthTypeManifest auth, string path, IReadOnlyDictionary<string, string> values,
        IReadOnlyDictionary<string, string>? query = null, bool literal = false, string? hostTemplate = null)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(auth);
        var overrideBase = options.Value.Overrides.GetValueOrDefault(app.Slug)?.BaseUrl is { } configured ? Templates.Render(configured, values).TrimEnd('/') : null;
        var rendered = literal ? path : Templates.Render(path, values);
        var absolute = rendered.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || rendered.StartsWith("https://", StringComparison.OrdinalIgnoreCase);
        // The manifest template that gives the host: its customer values are checked even under an override.
        var template = absolute ? (literal ? hostTemplate ?? "" : path) : auth.BaseUrl ?? app.BaseUrl;
        if (HostRules.Problem(template, auth.Inputs, values) is { } problem)
            throw new ProviderException(ProviderFailure.Protocol, $"Invalid URL for {app.Name}: {problem}");
        var text = absolute
            ? overrideBase is null ? rendered
                : overrideBase + (Uri.TryCreate(rendered, UriKind.Absolute, out var given) ? given.PathAndQuery : throw new ProviderException(ProviderFailure.Protocol, $"Invalid URL for {app.Name}: check the account fields"))
            : (overrideBase ?? Templates.Render(template, values)) + rendered;
        var parameters = new List<string>();
        foreach (var (name, value) in auth.Apply.Query) parameters.Add(Uri.EscapeDataString(name) + "=" + Uri.EscapeDataString(Templates.Render(value, values)));
        foreach (var (name, value) in query ?? new Dictionary<string, string>())
            parameters.Add(Uri.EscapeDataString(name) + "=" + Uri.EscapeDataString(literal ? value : Templates.Render(value, values)));
        if (parameters.Count > 0) text += (text.Contains('?', StringComparison.Ordinal) ? "&" : "?") + string.Join('&', parameters);
        return Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" && (overrideBase is not null || HostRules.Allows(template, auth.Inputs, uri))
            ? uri
            : throw new ProviderException(ProviderFailure.Protocol, $"Invalid URL for {app.Name}: check the account fields");
    }

    void ApplyCredentials(HttpRequestMessage message, ApplyManifest apply, IReadOnlyDictionary<string, string> values)
    {
        foreach (var (name, value) in apply.Headers) message.Headers.TryAddWithoutValidation(name, Templates.Render(value, values));
        if (apply.Basic is { } basic)
        {
            var pair = Templates.Render(basic.Username, values) + ":" + Templates.Render(basic.Password, values);
            message.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(pair)));
        }
        if (apply.Oauth1 is { } o)
        {
            var credentials = new OAuth1Signer.Credentials(
                Templates.Render(o.ConsumerKey, values), Templates.Render(o.ConsumerSecret, values),
                Templates.Render(o.Token, values), Templates.Render(o.TokenSecret, values),
                o.Realm is null ? null : Templates.Render(o.Realm, values), o.SignatureMethod);
            message.Headers.TryAddWithoutValidation("Authorization",
                OAuth1Signer.AuthorizationHeader(credentials, message.Method, message.RequestUri!, time.GetUtcNow().ToUnixTimeSeconds(), OAuth1Signer.NewNonce()));
        }
    }

    static ProviderException Translate(HttpRequestException e, Uri url)
    {
        for (Exception? inner = e; inner is not null; inner = inner.InnerException)
        {
            switch (inner)
            {
                case EgressException egressFailure:
                    return new ProviderException(egressFailure.Failure switch
                    {
                        EgressFailure.DnsNotFound => ProviderFailure.DnsNotFound,
                        EgressFailure.Blocked => ProviderFailure.Blocked,
                        EgressFailure.Refused => ProviderFailure.Refused,
                        _ => ProviderFailure.Unreachable,
                    }, egressFailure.Message, e);
                case AuthenticationException:
                    return new ProviderException(ProviderFailure.Tls, $"SSL handshake with {url.Host} failed", e);
            }
        }
        return new ProviderException(ProviderFailure.Protocol, $"request to {url.Host} failed ({e.HttpRequestError})", e);
    }
}

using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.DependencyInjection;
using Patchbay.Http;
using Patchbay.Tests.Infrastructure;
using Xunit;

namespace Patchbay.Tests.Contract;

// The served document (/openapi/v1.json) against the server's own route table and against Refold's published
// document. Both checks walk the route table, so a route added later is checked without touching this file: it
// needs a summary, its security, a request body (or `.WithoutBody()`), and, where Refold has the same operation,
// Refold's parameters, required body fields and response properties.
public abstract partial class ServedOpenApiTests(PatchbayApp app)
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    sealed record Route(string Method, string Path, Endpoint Endpoint);

    IReadOnlyList<Route> Routes() =>
        [.. app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.IExcludeFromDescriptionMetadata>() is not { ExcludeFromDescription: true })
            .SelectMany(e => (e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? []).Select(m => new Route(m, PathOf(e.RoutePattern), e)))];

    static string PathOf(RoutePattern pattern) =>
        "/" + string.Join("/", pattern.PathSegments.Select(segment => string.Concat(segment.Parts.Select(part => part switch
        {
            RoutePatternLiteralPart literal => literal.Content,
            RoutePatternSeparatorPart separator => separator.Content,
            RoutePatternParameterPart parameter => "{" + parameter.Name + "}",
            _ => "",
        }))));

    async Task<JsonObject> ServedAsync()
    {
        var response = await app.CreateClient().GetAsync("/openapi/v1.json", Ct);
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!.AsObject();
    }

    [Fact]
    public async Task EveryRoute_IsDocumentedWithSummarySecurityBodyAndResponses()
    {
        var document = await ServedAsync();
        var routes = Routes();
        Assert.True(routes.Count > 60, $"only {routes.Count} routes found in the route table");
        var problems = new List<string>();
        foreach (var (method, path, endpoint) in routes)
        {
            var at = $"{method} {path}";
            if (document["paths"]?[path]?[method.ToLowerInvariant()] is not JsonObject operation)
            {
                problems.Add($"{at}: not in the served document");
                continue;
            }
            if (string.IsNullOrWhiteSpace(operation["summary"]?.ToString())) problems.Add($"{at}: no summary (.WithSummary)");

            var anonymous = endpoint.Metadata.GetMetadata<IAllowAnonymous>() is not null;
            var schemes = (operation["security"] as JsonArray ?? []).SelectMany(r => r!.AsObject().Select(kv => kv.Key)).ToList();
            if (!anonymous && schemes.Count == 0) problems.Add($"{at}: no security requirement");
            foreach (var scheme in schemes)
            {
                if (document["components"]?["securitySchemes"]?[scheme] is null) problems.Add($"{at}: security scheme '{scheme}' is not declared");
            }

            var bodyless = endpoint.Metadata.GetMetadata<NoRequestBody>() is not null;
            var hasBody = operation["requestBody"]?["content"] is JsonObject { Count: > 0 };
            if (method is "POST" or "PUT" or "PATCH" && !bodyless && !hasBody) problems.Add($"{at}: no request body (.Accepts<T> or .WithoutBody())");
            if (bodyless && hasBody) problems.Add($"{at}: declared body-less but documents a body");

            var responses = operation["responses"] as JsonObject ?? [];
            if (!responses.Any(r => r.Key.StartsWith('2') || r.Key == "501")) problems.Add($"{at}: no 2xx response (nor a documented 501)");
            foreach (var (status, response) in responses.Where(r => r.Key[0] is '4' or '5'))
            {
                if (response?["content"]?["application/json"]?["schema"]?["$ref"]?.ToString() != "#/components/schemas/ApiErrorBody")
                    problems.Add($"{at}: {status} is not the error shape");
            }
            if (!anonymous && !responses.ContainsKey("401")) problems.Add($"{at}: no 401 response");

            foreach (var parameter in operation["parameters"] as JsonArray ?? [])
            {
                if (parameter?["in"]?.ToString() == "path" && !path.Contains("{" + parameter["name"] + "}", StringComparison.Ordinal))
                    problems.Add($"{at}: path parameter '{parameter["name"]}' is not in the path");
            }
        }
        var operationIds = document["paths"]!.AsObject().SelectMany(p => p.Value!.AsObject().Select(o => o.Value?["operationId"]?.ToString())).ToList();
        problems.AddRange(operationIds.Where(id => id is null).Select(_ => "an operation has no operationId"));
        problems.AddRange(operationIds.GroupBy(id => id).Where(g => g.Key is not null && g.Count() > 1).Select(g => $"operationId '{g.Key}' is not unique"));
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Fact]
    public async Task OperationsRefoldAlsoHas_MatchRefoldsDocument()
    {
        var document = await ServedAsync();
        var refold = RefoldOpenApi.Document;
        var comparison = new OpenApiComparison(refold, document);
        var problems = new List<string>();
        // Two paths differing only in parameter names are one path to a client (and to the comparison).
        var byShape = Routes().GroupBy(r => (r.Method.ToLowerInvariant(), OpenApiComparison.Normalize(r.Path))).ToList();
        problems.AddRange(byShape.Where(g => g.Select(r => r.Path).Distinct().Count() > 1)
            .Select(g => $"{g.Key.Item1.ToUpperInvariant()} {string.Join(" and ", g.Select(r => r.Path).Distinct())}: the same path with different parameter names"));
        var ours = byShape.ToDictionary(g => g.Key, g => g.First().Path);
        var compared = 0;
        foreach (var (refoldPath, item) in refold["paths"]!.AsObject())
        {
            foreach (var (method, operation) in item!.AsObject())
            {
                if (!ours.TryGetValue((method, OpenApiComparison.Normalize(refoldPath)), out var ourPath)) continue;
                compared++;
                var mine = document["paths"]![ourPath]![method]!.AsObject();
                problems.AddRange(comparison.Compare(method, refoldPath, operation!.AsObject(), mine));
            }
        }
        Assert.True(compared >= 45, $"only {compared} of Refold's operations matched a route");

        // What Refold's document lacks is Patchbay's own (marked) or one of Refold's undocumented routes (listed).
        var refoldKeys = refold["paths"]!.AsObject()
            .SelectMany(p => p.Value!.AsObject().Select(o => (o.Key, OpenApiComparison.Normalize(p.Key)))).ToHashSet();
        foreach (var ((method, normalized), path) in ours)
        {
            if (refoldKeys.Contains((method, normalized))) continue;
            var key = $"{method.ToUpperInvariant()} {path}";
            var marked = document["paths"]![path]![method]![ApiDocs.PatchbayExtension]?.ToString() == "true";
            if (marked == RefoldRoutesOutsideItsDocument.Contains(key))
                problems.Add(marked ? $"{key}: listed as Refold's but marked as a Patchbay extension" : $"{key}: not in Refold's document: mark it .AsPatchbayExtension() (or list it as Refold's)");
        }
        var unexpected = problems.Where(p => !KnownDifferences.ContainsKey(p)).ToList();
        var stale = KnownDifferences.Keys.Where(k => !problems.Contains(k)).ToList();
        Assert.True(unexpected.Count == 0, "differences from Refold's document:\n" + string.Join("\n", unexpected));
        Assert.True(stale.Count == 0, "known differences that no longer occur (remove them):\n" + string.Join("\n", stale));
    }

    [Fact]
    public async Task Security_FollowsTheAuthorizationPolicy()
    {
        var document = await ServedAsync();
        string[] Schemes(string path, string method) =>
            [.. (document["paths"]![path]![method]!["security"] as JsonArray ?? []).SelectMany(r => r!.AsObject().Select(kv => kv.Key)).Order()];
        JsonNode? Header(string path, string method, string name) =>
            (document["paths"]![path]![method]!["parameters"] as JsonArray ?? []).FirstOrDefault(p => p!["in"]!.ToString() == "header" && p["name"]!.ToString() == name);

        // Org: the key only, no linked account.
        Assert.Equal([ApiDocs.OrgApiKey], Schemes("/api/v2/public/linked-account", "get"));
        Assert.Null(Header("/api/v2/public/linked-account", "get", "linked_account_id"));
        // LinkedAccount: the key with linked_account_id, or a session token; the header is optional.
        Assert.Equal([ApiDocs.LinkedAccountToken, ApiDocs.OrgApiKey], Schemes("/api/v2/public/application", "get"));
        Assert.Equal("false", (Header("/api/v2/public/application", "get", "linked_account_id")?["required"] ?? JsonValue.Create(false)).ToString());
        // OrgLinkedAccount: the key only, and the header is required.
        Assert.Equal([ApiDocs.OrgApiKey], Schemes("/api/v1/workflow/public/scheduled", "get"));
        Assert.Equal("true", Header("/api/v1/workflow/public/scheduled", "get", "linked_account_id")?["required"]?.ToString());
        // Session: the token only.
        Assert.Equal([ApiDocs.LinkedAccountToken], Schemes("/api/v2/public/session/active-linked-account", "get"));
        // Anonymous and admin.
        Assert.Empty(Schemes("/api/v2/public/auth-structure/{slug}", "get"));
        Assert.Equal([ApiDocs.AdminToken], Schemes("/admin/v1/orgs", "get"));
        Assert.Equal("true", document["paths"]!["/admin/v1/orgs"]!["get"]![ApiDocs.PatchbayExtension]?.ToString());
        Assert.Null(document["paths"]!["/api/v2/public/linked-account"]!["get"]![ApiDocs.PatchbayExtension]);
    }
}

public sealed class SqliteServedOpenApiTests(SqliteApp app) : ServedOpenApiTests(app), IClassFixture<SqliteApp>;
public sealed class PostgresServedOpenApiTests(PostgresApp app) : ServedOpenApiTests(app), IClassFixture<PostgresApp>;

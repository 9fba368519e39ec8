using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Patchbay.Http;
using Xunit;

namespace Patchbay.Tests.Contract;

// Where routes live (docs/api.md): under /api/, a path is either one of Refold's (in its published document, or one of
// its routes listed in RefoldRoutesOutsideItsDocument) or Patchbay's own under /api/patchbay/v1/, so that no future
// Refold route can collide with a Patchbay extension. Walks the whole route table, routes hidden from the served
// document included.
public abstract partial class ServedOpenApiTests
{
    const string ApiRoot = "/api/";
    static readonly string PatchbayPrefix = global::Patchbay.Http.Routes.Patchbay + "/";

    [Fact]
    public async Task UnderApi_EveryRouteIsRefoldsOrUnderPatchbaysPrefix()
    {
        var document = await ServedAsync();
        var refold = RefoldOpenApi.Document["paths"]!.AsObject()
            .SelectMany(p => p.Value!.AsObject().Select(o => (o.Key.ToUpperInvariant(), OpenApiComparison.Normalize(p.Key)))).ToHashSet();
        var listed = RefoldRoutesOutsideItsDocument.Select(r => r.Split(' ', 2)).Select(r => (r[0], OpenApiComparison.Normalize(r[1]))).ToHashSet();

        var problems = new List<string>();
        var patchbay = 0;
        var endpoints = app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>().ToList();
        foreach (var endpoint in endpoints)
        {
            var path = PathOf(endpoint.RoutePattern);
            if (!path.StartsWith(ApiRoot, StringComparison.OrdinalIgnoreCase)) continue;
            IReadOnlyList<string> methods = endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods is { Count: > 0 } m ? m : ["*"];
            foreach (var method in methods)
            {
                var at = $"{method} {path}";
                var ours = path.StartsWith(PatchbayPrefix, StringComparison.Ordinal);
                var marked = endpoint.Metadata.GetMetadata<PatchbayExtensionRoute>() is not null
                    || document["paths"]?[path]?[method.ToLowerInvariant()]?[ApiDocs.PatchbayExtension]?.ToString() == "true";
                if (ours)
                {
                    patchbay++;
                    continue;
                }
                var known = refold.Contains((method, OpenApiComparison.Normalize(path))) || listed.Contains((method, OpenApiComparison.Normalize(path)));
                if (marked) problems.Add($"{at}: a Patchbay extension outside {PatchbayPrefix}: move it under the prefix");
                else if (!known) problems.Add($"{at}: under {ApiRoot} but neither Refold's nor under {PatchbayPrefix}");
            }
        }
        Assert.True(problems.Count == 0, string.Join("\n", problems));
        Assert.True(patchbay >= 20, $"only {patchbay} routes under {PatchbayPrefix}");
        // The one extension that lived on Refold's path before the rule.
        Assert.Contains(endpoints, e => PathOf(e.RoutePattern) == PatchbayPrefix + "session-token/refresh");
        Assert.DoesNotContain(endpoints, e => PathOf(e.RoutePattern) == "/api/v2/public/session-token/refresh");
        Assert.Equal("true", document["paths"]![PatchbayPrefix + "session-token/refresh"]!["post"]![ApiDocs.PatchbayExtension]?.ToString());
    }
}

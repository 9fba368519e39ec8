using System.Net;
using System.Text.RegularExpressions;
using Patchbay.Tests.Infrastructure;
using Xunit;

namespace Patchbay.Tests.Dashboard;

// The dashboard's page and files as the server serves them: a strict Content-Security-Policy (nothing inline, only
// this server), never framed, never cached, no referrer; every module the page imports is served as JavaScript; no
// asset writes API data as HTML; unknown or crafted asset names are 404s in the error shape.
public abstract partial class DashboardTests(PatchbayApp app)
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Page_IsServedWithAStrictPolicy_NothingInline()
    {
        var response = await app.CreateClient().GetAsync("/dashboard", Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        var csp = response.Headers.GetValues("Content-Security-Policy").Single();
        var directives = csp.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .ToDictionary(d => d.Split(' ')[0], d => d[(d.IndexOf(' ', StringComparison.Ordinal) + 1)..]);
        Assert.Equal("'none'", directives["default-src"]);
        Assert.Equal("'self'", directives["script-src"]);
        Assert.Equal("'self'", directives["style-src"]);
        Assert.Equal("'self'", directives["connect-src"]);
        Assert.Equal("'none'", directives["frame-ancestors"]);
        Assert.Equal("'none'", directives["object-src"]);
        Assert.Equal("'none'", directives["base-uri"]);
        Assert.DoesNotContain("unsafe", csp, StringComparison.Ordinal);
        Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
        Assert.Equal("no-referrer", response.Headers.GetValues("Referrer-Policy").Single());
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.True(response.Headers.CacheControl?.NoStore);

        var html = await response.Content.ReadAsStringAsync(Ct);
        Assert.DoesNotMatch(InlineScript(), html);
        Assert.DoesNotContain("<style", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(" style=", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotMatch(EventAttribute(), html);
    }

    [Fact]
    public async Task EveryModule_IsServedAsJavaScript_AndNoneWritesHtml()
    {
        var client = app.CreateClient();
        var html = await client.GetStringAsync("/dashboard", Ct);
        var pending = new Queue<string>(Referenced().Matches(html).Select(m => m.Groups["file"].Value));
        var seen = new HashSet<string>();
        while (pending.TryDequeue(out var file))
        {
            if (!seen.Add(file)) continue;
            var response = await client.GetAsync($"/dashboard/assets/{file}", Ct);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{file}: {response.StatusCode}");
            Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
            if (!file.EndsWith(".js", StringComparison.Ordinal)) continue;
            Assert.Equal("text/javascript", response.Content.Headers.ContentType?.MediaType);
            var script = await response.Content.ReadAsStringAsync(Ct);
            foreach (Match import in Import().Matches(script)) pending.Enqueue(import.Groups["file"].Value);
            if (file == "dagre.esm.js") continue; // the vendored layout library: computes coordinates, touches no DOM
            // API data reaches the page only as text nodes and attribute values.
            foreach (var sink in (string[])["innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function", "localStorage.setItem(\"patchbay.key"])
                Assert.False(script.Contains(sink, StringComparison.Ordinal), $"{file} uses {sink}");
        }
        // The shell, the router, every page and the graph: all reachable from the page.
        Assert.Superset(new HashSet<string> { "app.js", "api.js", "dom.js", "graph.js", "dagre.esm.js", "dashboard.css", "accounts.js", "executions.js", "workflows.js", "audit.js", "admin.js", "mcp.js" }, seen);
    }

    [Theory]
    [InlineData("nothing.js")]
    [InlineData("index.html")]
    [InlineData("dagre.LICENSE.txt")]
    [InlineData("..%2F..%2Fappsettings.json")]
    [InlineData("%2E%2E%2Fconnect.js")]
    public async Task UnknownOrCraftedAsset_Is404(string file)
    {
        await ApiAssert.ErrorAsync(await app.CreateClient().GetAsync($"/dashboard/assets/{file}", Ct), 404, "NOT_FOUND", "ROUTE_NOT_FOUND");
    }

    [Fact]
    public async Task LandingPage_LinksTheDashboard()
    {
        var client = app.CreateClient();
        client.DefaultRequestHeaders.Accept.ParseAdd("text/html");
        Assert.Contains("href=\"/dashboard\"", await client.GetStringAsync("/", Ct), StringComparison.Ordinal);
        var index = await ApiAssert.OkAsync(await app.CreateClient().GetAsync("/", Ct));
        Assert.Equal("/dashboard", index.Str("dashboard"));
    }

    [GeneratedRegex(@"<script(?![^>]*\bsrc=)[^>]*>", RegexOptions.IgnoreCase)]
    private static partial Regex InlineScript();

    [GeneratedRegex(@"\son[a-z]+\s*=", RegexOptions.IgnoreCase)]
    private static partial Regex EventAttribute();

    [GeneratedRegex(@"/dashboard/assets/(?<file>[a-z.\-]+)")]
    private static partial Regex Referenced();

    [GeneratedRegex(@"from ""\./(?<file>[a-z.\-]+)""")]
    private static partial Regex Import();
}

public sealed class SqliteDashboardTests(SqliteApp app) : DashboardTests(app), IClassFixture<SqliteApp>;
public sealed class PostgresDashboardTests(PostgresApp app) : DashboardTests(app), IClassFixture<PostgresApp>;

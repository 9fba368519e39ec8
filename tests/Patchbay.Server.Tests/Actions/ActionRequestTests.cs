using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Patchbay.Apps;
using Patchbay.Tests.Infrastructure;
using Xunit;

namespace Patchbay.Tests.Actions;

// Every action of every catalog app, executed through AC3 against the recording provider: the request it sends must
// be the one its provider documents (method, URL with query, headers including the credentials, body), as written in
// Requests/<slug>.json from the provider's API reference. An action without an entry there fails, so does an entry
// without an action.
public abstract class ActionRequestTests(PatchbayApp app)
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;
    static RecordingProvider Provider => RecordingProvider.Shared;
    string Prefix => app.RecordingPrefix();

    static readonly IReadOnlyList<AppManifest> Manifests = [.. AppCatalog.LoadEmbedded().Select(m => m.Manifest).OrderBy(m => m.Slug, StringComparer.Ordinal)];

    public static TheoryData<string, string> CatalogActions()
    {
        var data = new TheoryData<string, string>();
        foreach (var app in Manifests)
        {
            foreach (var action in app.Actions) data.Add(app.Slug, action.ActionId);
        }
        return data;
    }

    static string RequestsFolder => Path.Combine(AppContext.BaseDirectory, "Actions", "Requests");

    static JsonObject? Expected(string slug) =>
        File.Exists(Path.Combine(RequestsFolder, slug + ".json")) ? JsonNode.Parse(File.ReadAllText(Path.Combine(RequestsFolder, slug + ".json")))!.AsObject() : null;

    [Fact]
    public void RequestFiles_NameOnlyCatalogActions_AndTheCatalogHasItsActions()
    {
        foreach (var file in Directory.GetFiles(RequestsFolder, "*.json"))
        {
            var slug = Path.GetFileNameWithoutExtension(file);
            var app = Manifests.SingleOrDefault(m => m.Slug == slug);
            Assert.True(app is not null, $"{slug}.json: no such app in the catalog");
            foreach (var (actionId, _) in Expected(slug)!["requests"]!.AsObject())
                Assert.True(app!.Actions.Any(a => a.ActionId == actionId), $"{slug}.json: '{actionId}' is not an action of {slug}");
        }
        // Issue 16: at least five real actions for each of these apps.
        string[] apps = ["hubspot", "salesforce", "slack", "stripe", "github", "jira", "notion", "linear", "zendesk", "shopify",
            "google-sheets", "gmail", "asana", "airtable", "intercom", "pipedrive", "trello", "twilio", "sendgrid", "mailchimp"];
        foreach (var slug in apps) Assert.True(Manifests.Single(m => m.Slug == slug).Actions.Count >= 5, $"{slug} has fewer than 5 actions");
    }

    // docs/actions.md's table names every action of every app that has some.
    [Fact]
    public void ActionsGuide_ListsEveryCatalogAction()
    {
        var lines = File.ReadAllLines(Path.Combine(Apps.SdkCompatibilityTests.RepositoryRoot(), "docs", "actions.md"));
        foreach (var app in Manifests.Where(m => m.Actions.Count > 0))
        {
            var row = lines.FirstOrDefault(l => l.StartsWith($"| {app.Name} (`{app.Slug}`) | {app.Actions.Count} |", StringComparison.Ordinal));
            Assert.True(row is not null, $"docs/actions.md: add the row \"| {app.Name} (`{app.Slug}`) | {app.Actions.Count} | …\" to the catalog's actions table");
            foreach (var action in app.Actions)
            {
                var cell = $"`{action.ActionId}`{(action.Writes ? " ✎" : "")}";
                Assert.True(row!.TrimEnd('|', ' ').Split([", ", " | "], StringSplitOptions.None).Contains(cell), $"docs/actions.md: {app.Slug}'s row lacks {cell}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(CatalogActions))]
    public async Task Action_SendsTheRequestItsProviderDocuments(string slug, string actionId)
    {
        var file = Expected(slug) ?? throw new Xunit.Sdk.XunitException($"Actions/Requests/{slug}.json is missing: write {slug}'s expected requests from its API reference");
        var expected = file["requests"]![actionId]?.AsObject()
            ?? throw new Xunit.Sdk.XunitException($"Actions/Requests/{slug}.json has no entry for '{actionId}'");
        var connection = file["connection"]!.AsObject();
        var authType = connection["auth_type"]!.GetValue<string>();
        var values = connection["values"]!.AsObject().ToDictionary(p => p.Key, p => p.Value!.GetValue<string>());

        var account = await app.CreateLinkedAccountAsync();
        await app.ConnectAsync(account, slug, authType, values);
        Provider.Take(Prefix);
        var response = await app.ClientFor(linkedAccountId: account)
            .PostAsync($"/api/v2/integration-schema/{slug}/actions/{actionId}/execute", JsonContent.Create(expected["parameters"]), Ct);
        var result = await ApiAssert.OkAsync(response);
        Assert.Equal("Success", result.Str("node_status"));
        var sent = Assert.Single(Provider.Take(Prefix));

        Assert.Equal(expected["method"]!.GetValue<string>(), sent.Method);
        // The app's base URL is the recording provider's /{prefix}/{slug}: what follows it must be what follows the
        // provider's base URL (an action on its own host, Salesforce's instance, keeps its path).
        var manifest = Manifests.Single(m => m.Slug == slug);
        var baseUrl = Templates.Render(manifest.Auth[authType].BaseUrl ?? manifest.BaseUrl, values);
        var url = expected["url"]!.GetValue<string>();
        var (expectedPath, expectedQuery) = Split(url);
        var rest = expectedPath.StartsWith(baseUrl + "/", StringComparison.Ordinal) ? expectedPath[baseUrl.Length..] : new Uri(url).AbsolutePath;
        Assert.Equal($"/{Prefix}/{slug}{rest}", sent.Path);
        Assert.Equal(Pairs(expectedQuery), Pairs(sent.Query.TrimStart('?')));

        foreach (var (name, value) in expected["headers"]?.AsObject() ?? [])
        {
            var actual = name.Equals("Content-Type", StringComparison.OrdinalIgnoreCase) ? sent.ContentType?.Split(';')[0] : sent.Headers.GetValueOrDefault(name);
            Assert.True(value!.GetValue<string>() == actual, $"header {name}: expected '{value}', sent '{actual}'");
        }
        if (expected["body"] is { } body)
        {
            Assert.True(SameJson(body, JsonNode.Parse(sent.Body)), $"body: expected {body.ToJsonString()}, sent {sent.Body}");
        }
        else if (expected["form"] is JsonObject form)
        {
            Assert.Equal(Pairs(string.Join('&', form.Select(p => Uri.EscapeDataString(p.Key) + "=" + Uri.EscapeDataString(p.Value!.GetValue<string>())))), Pairs(sent.Body));
        }
        else
        {
            Assert.Equal("", sent.Body);
        }
    }

    static (string Path, string Query) Split(string url) => url.Split('?', 2) is [var path, var query] ? (path, query) : (url, "");

    static List<(string, string)> Pairs(string query) =>
        [.. query.Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('=', 2))
            .Select(kv => (Uri.UnescapeDataString(kv[0]), Uri.UnescapeDataString(kv.Length > 1 ? kv[1] : "")))
            .OrderBy(p => p.Item1, StringComparer.Ordinal).ThenBy(p => p.Item2, StringComparer.Ordinal)];

    // JSON equality with numbers compared by value (1500.50 = 1500.5).
    static bool SameJson(JsonNode? a, JsonNode? b) => (a, b) switch
    {
        (null, null) => true,
        (JsonObject x, JsonObject y) => x.Count == y.Count && x.All(p => y.ContainsKey(p.Key) && SameJson(p.Value, y[p.Key])),
        (JsonArray x, JsonArray y) => x.Count == y.Count && x.Zip(y).All(p => SameJson(p.First, p.Second)),
        (JsonValue x, JsonValue y) when x.GetValueKind() == JsonValueKind.Number && y.GetValueKind() == JsonValueKind.Number => x.GetValue<decimal>() == y.GetValue<decimal>(),
        (JsonValue x, JsonValue y) => JsonNode.DeepEquals(x, y),
        _ => false,
    };
}

public sealed class SqliteActionRequestTests(SqliteApp<RecordingProviderOptions> app) : ActionRequestTests(app), IClassFixture<SqliteApp<RecordingProviderOptions>>;
public sealed class PostgresActionRequestTests(PostgresApp<RecordingProviderOptions> app) : ActionRequestTests(app), IClassFixture<PostgresApp<RecordingProviderOptions>>;

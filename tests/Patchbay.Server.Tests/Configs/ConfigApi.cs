using System.Text.Json;
using System.Text.Json.Nodes;
using Patchbay.Tests.Contract;
using Patchbay.Tests.Infrastructure;
using Xunit;
using static Patchbay.Tests.Workflows.WorkflowApi;

namespace Patchbay.Tests.Configs;

// What the config tests share: defining app fields through the management API, reading and writing configs and
// field values through the public API (each 2xx checked against Refold's OpenAPI document).
public static class ConfigApi
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static async Task<JsonElement> DefineAsync(HttpClient org, string slug, object field)
    {
        ArgumentNullException.ThrowIfNull(org);
        var response = await org.PostAsync($"/api/patchbay/v1/apps/{slug}/config-fields", Body(field), Ct);
        Assert.Equal(System.Net.HttpStatusCode.Created, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement.Clone();
    }

    public static async Task<JsonElement> ConfigAsync(HttpClient client, object body)
    {
        ArgumentNullException.ThrowIfNull(client);
        var config = await ApiAssert.OkAsync(await client.PostAsync("/api/v2/public/config", Body(body), Ct));
        RefoldOpenApi.AssertResponse("POST", "/api/v2/public/config", 200, config);
        return config;
    }

    public static async Task<JsonElement> UpdateAsync(HttpClient client, object body)
    {
        ArgumentNullException.ThrowIfNull(client);
        var config = await ApiAssert.OkAsync(await client.PutAsync("/api/v2/public/config", Body(body), Ct));
        RefoldOpenApi.AssertResponse("PUT", "/api/v2/public/config", 200, config);
        return config;
    }

    public static async Task<JsonElement> GetAsync(HttpClient client, string slug, string? configId = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        var config = await ApiAssert.OkAsync(await client.GetAsync($"/api/v2/public/slug/{slug}/config{(configId is null ? "" : "/" + configId)}", Ct));
        RefoldOpenApi.AssertResponse("GET", configId is null ? "/api/v2/public/slug/{slug}/config" : "/api/v2/public/slug/{slug}/config/{configId}", 200, config);
        return config;
    }

    // A field request with the slug header (and query).
    public static HttpRequestMessage FieldRequest(HttpMethod method, string slug, string path, object? body = null)
    {
        var request = new HttpRequestMessage(method, "/api/v2/public/config/" + path) { Content = body is null ? null : Body(body) };
        request.Headers.Add("slug", slug);
        return request;
    }

    public static JsonElement Field(JsonElement config, string id) =>
        config.GetProperty("fields").EnumerateArray().Single(f => f.Str("id") == id);

    public static JsonElement Workflow(JsonElement config, string id) =>
        config.GetProperty("workflows").EnumerateArray().Single(w => w.Str("id") == id);

    // A public workflow of the org (created with the org key) for an app, published; returns its draft id.
    public static async Task<string> PublicWorkflowAsync(HttpClient org, string slug, string name, JsonObject graph)
    {
        ArgumentNullException.ThrowIfNull(org);
        ArgumentNullException.ThrowIfNull(graph);
        var created = await ApiAssert.OkAsync(await org.PostAsync("/api/v2/public/workflow", Body(new { name, slug }), Ct));
        var draft = created.GetProperty("workflow").Str("_id");
        await ApiAssert.OkAsync(await org.PutAsync($"/api/v2/public/workflow/{draft}", new StringContent(graph.ToJsonString(), System.Text.Encoding.UTF8, "application/json"), Ct));
        await ApiAssert.OkAsync(await org.PutAsync($"/api/v2/public/workflow/{draft}/publish", Body(new { published = true }), Ct));
        return draft;
    }

    // Connects Stripe for the client's linked account with the fake provider's key (verified through the real route):
    // enabling a workflow of an app needs the app connected.
    public static async Task ConnectStripeAsync(HttpClient client)
    {
        ArgumentNullException.ThrowIfNull(client);
        await ApiAssert.OkAsync(await client.PutAsync("/api/v2/public/linked-account/integration/save-key-credentials/stripe",
            Body(new { api_key = FakeProvider.StripeKey }), Ct));
    }

    public static async Task<List<string>> OutboxTopicsAsync(PatchbayApp app)
    {
        ArgumentNullException.ThrowIfNull(app);
        return [.. await app.Db.QueryAsync<string>("select topic from outbox order by created_at, id", null, Ct)];
    }
}

using System.Text.Json;
using Patchbay.Tests.Infrastructure;
using Xunit;

namespace Patchbay.Tests.Audit;

// The audit tests' server: the fake provider (connections are verified against it) and forwarded headers trusted,
// as behind a reverse proxy, so a request's X-Forwarded-For is the address the audit log records.
public sealed class AuditTestOptions : IAppOptions
{
    public void Configure(AppSetup setup)
    {
        ArgumentNullException.ThrowIfNull(setup);
        setup.FakeProvider = true;
        setup.Settings["Patchbay:Http:TrustForwardedHeaders"] = "true";
    }
}

public static class AuditKit
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    public const string Trails = "/api/v2/public/audit/audit-trails";

    // Every entry the client may read (all pages), newest first, as wire JSON.
    public static async Task<List<JsonElement>> EntriesAsync(HttpClient client, string query = "")
    {
        ArgumentNullException.ThrowIfNull(client);
        var entries = new List<JsonElement>();
        for (var page = 1; ; page++)
        {
            var separator = query.Length == 0 ? "?" : "&";
            var json = await ApiAssert.OkAsync(await client.GetAsync($"{Trails}{(query.Length == 0 ? "" : "?" + query)}{separator}limit=100&page={page}", Ct));
            entries.AddRange(json.GetProperty("docs").EnumerateArray());
            if (!json.GetProperty("hasNextPage").GetBoolean()) return entries;
        }
    }

    public static JsonElement OneOf(IEnumerable<JsonElement> entries, string auditEvent, string? resourceId = null) =>
        Assert.Single(entries, e => e.Str("event") == auditEvent && (resourceId is null || e.Str("resource_id") == resourceId));

    // A client whose requests come through a proxy that names the client's address.
    public static HttpClient Forwarded(HttpClient client, string address)
    {
        ArgumentNullException.ThrowIfNull(client);
        client.DefaultRequestHeaders.Add("X-Forwarded-For", address);
        return client;
    }
}

using System.Net;
using System.Net.Http.Json;
using System.Text;
using Patchbay.Tests.Infrastructure;
using Xunit;

namespace Patchbay.Tests.Http;

// The error contract's three doors (DESIGN §4.4) and how the transport treats odd requests.
public abstract class HttpConventionsTests(PatchbayApp app)
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task UnknownRoute_Returns404InErrorShape()
    {
        var response = await app.ClientFor().GetAsync("/api/v2/public/no-such-thing", Ct);
        await ApiAssert.ErrorAsync(response, 404, "NOT_FOUND", "ROUTE_NOT_FOUND", "Route GET /api/v2/public/no-such-thing not found");
    }

    [Fact]
    public async Task WrongMethod_Returns405InErrorShape()
    {
        var response = await app.ClientFor().PatchAsync("/api/v2/public/linked-account", JsonContent.Create(new { }), Ct);
        await ApiAssert.ErrorAsync(response, 405, "METHOD_NOT_ALLOWED", "METHOD_NOT_ALLOWED", "Method PATCH is not allowed on /api/v2/public/linked-account");
    }

    [Fact]
    public async Task MalformedJson_Returns400InvalidJson()
    {
        var response = await app.ClientFor().PostAsync("/api/v2/public/linked-account",
            new StringContent("{\"linked_account_id\": ", Encoding.UTF8, "application/json"), Ct);
        await ApiAssert.ErrorAsync(response, 400, "BAD_REQUEST", "INVALID_JSON");
    }

    [Fact]
    public async Task BodyNotAnObject_Returns400()
    {
        var response = await app.ClientFor().PostAsync("/api/v2/public/linked-account",
            new StringContent("[1,2]", Encoding.UTF8, "application/json"), Ct);
        await ApiAssert.ErrorAsync(response, 400, "BAD_REQUEST", "VALIDATION_ERROR", "Request body must be a JSON object");
    }

    [Fact]
    public async Task EmptyBody_WhereRequired_Returns400()
    {
        var response = await app.ClientFor().PostAsync("/api/v2/public/linked-account", new StringContent("", Encoding.UTF8, "application/json"), Ct);
        await ApiAssert.ErrorAsync(response, 400, "BAD_REQUEST", "VALIDATION_ERROR", "Request body is required and must be a JSON object");
    }

    [Fact]
    public async Task WrongFieldType_Returns400NamingTheField()
    {
        var response = await app.ClientFor().PostAsJsonAsync("/api/v2/public/linked-account",
            new { linked_account_id = PatchbayApp.NewAccountId(), name = 42 }, Ct);
        await ApiAssert.ErrorAsync(response, 400, "BAD_REQUEST", "VALIDATION_ERROR", "'name' must be a string");
    }

    [Fact]
    public async Task OversizedBody_Returns413AndStoresNothing()
    {
        var id = PatchbayApp.NewAccountId();
        var body = $"{{\"linked_account_id\":\"{id}\",\"name\":\"{new string('x', 1_100_000)}\"}}";
        var response = await app.ClientFor().PostAsync("/api/v2/public/linked-account", new StringContent(body, Encoding.UTF8, "application/json"), Ct);
        await ApiAssert.ErrorAsync(response, 413, "PAYLOAD_TOO_LARGE", "PAYLOAD_TOO_LARGE");
        var get = await app.ClientFor().GetAsync($"/api/v2/public/linked-account/{id}", Ct);
        Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
    }

    [Fact]
    public async Task BodyOnGetAndDelete_IsTolerated()
    {
        var id = await app.CreateLinkedAccountAsync();
        using var get = new HttpRequestMessage(HttpMethod.Get, $"/api/v2/public/linked-account/{id}") { Content = JsonContent.Create(new { tenant_config = true }) };
        await ApiAssert.OkAsync(await app.ClientFor().SendAsync(get, Ct));
        using var delete = new HttpRequestMessage(HttpMethod.Delete, $"/api/v2/public/linked-account/{id}") { Content = JsonContent.Create(new { linked_account_id = id }) };
        await ApiAssert.OkAsync(await app.ClientFor().SendAsync(delete, Ct));
    }

    [Fact]
    public async Task UnexpectedFailure_Returns500WithoutExceptionText()
    {
        // Door 2: a row whose stored JSON is corrupt makes the read throw deep inside; the client learns nothing of it.
        var id = await app.CreateLinkedAccountAsync();
        await app.Db.ExecuteAsync("update linked_accounts set udf = 'not json' where account_id = @id", new { id }, Ct);
        var response = await app.ClientFor().GetAsync($"/api/v2/public/linked-account/{id}", Ct);
        var json = await ApiAssert.ErrorAsync(response, 500, "INTERNAL_SERVER_ERROR", "SERVER_ERROR", "An unexpected error occurred.");
        var text = json.GetRawText();
        Assert.DoesNotContain("Exception", text, StringComparison.Ordinal);
        Assert.DoesNotContain(" at ", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EveryResponse_CarriesTraceId()
    {
        var response = await app.CreateClient().GetAsync("/healthz", Ct);
        var traceId = Assert.Single(response.Headers.GetValues("X-Trace-ID"));
        Assert.True(Guid.TryParse(traceId, out _));
    }

    [Fact]
    public async Task CorsPreflight_FromAnyOrigin_IsAllowed()
    {
        using var request = new HttpRequestMessage(HttpMethod.Options, "/api/v2/public/session/active-linked-account");
        request.Headers.Add("Origin", "https://app.example.com");
        request.Headers.Add("Access-Control-Request-Method", "GET");
        request.Headers.Add("Access-Control-Request-Headers", "authorization,linked_account_id,x-api-key");
        var response = await app.CreateClient().SendAsync(request, Ct);
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal("*", Assert.Single(response.Headers.GetValues("Access-Control-Allow-Origin")));
    }
}

public sealed class SqliteHttpConventionsTests(SqliteApp app) : HttpConventionsTests(app), IClassFixture<SqliteApp>;
public sealed class PostgresHttpConventionsTests(PostgresApp app) : HttpConventionsTests(app), IClassFixture<PostgresApp>;

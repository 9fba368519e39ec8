using System.Text.Json;
using Xunit;
using Xunit.Sdk;

namespace Patchbay.Tests.Contract;

// The contract checker must be able to fail, or every assertion made with it is hollow.
public sealed class RefoldOpenApiTests
{
    static JsonElement Parse(string json) => JsonDocument.Parse(json).RootElement.Clone();

    [Fact]
    public void AssertResponse_NullIntegrations_Fails()
    {
        // The example in refold-api.md LA2 shows "integrations": null; the schema says array (§10).
        var body = Parse("""{"_id":"a","account_id":"b","name":"c","environment":"test","integrations":null}""");
        Assert.Throws<TrueException>(() => RefoldOpenApi.AssertResponse("POST", "/api/v2/public/linked-account", 200, body));
    }

    [Fact]
    public void AssertResponse_WrongEnum_Fails()
    {
        var body = Parse("""{"success":true,"revoked_count":2}""");
        Assert.Throws<TrueException>(() => RefoldOpenApi.AssertResponse("POST", "/api/v2/public/session-token/revoke", 200, body));
    }

    [Fact]
    public void AssertResponse_WrongTypeDeepInside_Fails()
    {
        var body = Parse("""{"docs":[{"_id":"a","udf":[{"key_name":"k","key_value":5}]}],"totalDocs":1}""");
        Assert.Throws<TrueException>(() => RefoldOpenApi.AssertResponse("GET", "/api/v2/public/linked-account", 200, body));
    }

    [Fact]
    public void AssertResponse_ValidShape_Passes()
    {
        var body = Parse("""{"success":true,"revoked_count":1}""");
        RefoldOpenApi.AssertResponse("POST", "/api/v2/public/session-token/revoke", 200, body);
    }
}

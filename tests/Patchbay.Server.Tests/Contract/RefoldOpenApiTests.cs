using System.Text.Json.Nodes;
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

// The document comparison must be able to fail too.
public sealed class OpenApiComparisonTests
{
    static JsonObject Doc(string json) => JsonNode.Parse(json)!.AsObject();

    const string Refold = """
        {"paths": {}, "components": {"schemas": {"Thing": {"type": "object", "required": ["name"],
          "properties": {"name": {"type": "string"}, "count": {"type": "integer"}, "tags": {"type": "array", "items": {"type": "string"}}}}}},
         "op": {"security": [{"Org API Key": []}, {"Linked Account Token": []}],
                "parameters": [{"name": "slug", "in": "header", "required": "true"}, {"name": "page", "in": "query"}],
                "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}}},
                "responses": {"200": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}}}}}}
        """;

    static List<string> Compare(string ours)
    {
        var refold = Doc(Refold);
        var mine = Doc(ours);
        return new OpenApiComparison(refold, mine).Compare("get", "/x", refold["op"]!.AsObject(), mine["op"]!.AsObject());
    }

    [Fact]
    public void Compare_SameShape_NoDifference()
    {
        Assert.Empty(Compare("""
            {"op": {"security": [{"LinkedAccountToken": []}, {"OrgApiKey": []}, {"AdminToken": []}],
              "parameters": [{"name": "SLUG", "in": "header", "required": true}, {"name": "page", "in": "query"}],
              "requestBody": {"content": {"application/json": {"schema": {"type": "object", "required": ["name"],
                "properties": {"name": {"type": "string"}, "count": {"type": "integer"}, "tags": {"type": "array"}}}}}},
              "responses": {"200": {"content": {"application/json": {"schema": {"type": "object",
                "properties": {"name": {"type": ["null", "string"]}, "count": {"type": "integer"}, "tags": {"type": "array", "items": {"type": "string"}}}}}}}}}}
            """));
    }

    [Fact]
    public void Compare_EveryKindOfDifference_IsReported()
    {
        var problems = Compare("""
            {"op": {"security": [{"OrgApiKey": []}], "parameters": [{"name": "slug", "in": "header"}],
              "requestBody": {"content": {"application/json": {"schema": {"type": "object", "required": ["other"], "properties": {"other": {"type": "string"}}}}}},
              "responses": {"200": {"content": {"application/json": {"schema": {"type": "object",
                "properties": {"name": {"type": "integer"}, "tags": {"type": "array", "items": {"type": "boolean"}}}}}}}}}}
            """);
        Assert.Equal([
            "GET /x: does not accept LinkedAccountToken",
            "GET /x: header parameter 'slug' is not required",
            "GET /x: query parameter 'page' is missing",
            "GET /x: request body field 'name' is not documented",
            "GET /x: request body field 'count' is not documented",
            "GET /x: request body field 'tags' is not documented",
            "GET /x: request body field 'name' is not required",
            "GET /x: request body field 'other' is required (Refold: optional)",
            "GET /x 200 $.name: type integer, Refold: string",
            "GET /x 200 $.tags[]: type boolean, Refold: string",
            "GET /x 200: properties missing: $.count",
        ], problems);
    }
}

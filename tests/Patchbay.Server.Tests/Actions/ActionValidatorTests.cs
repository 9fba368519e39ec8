using System.Text.Json.Nodes;
using Patchbay.Apps;
using Xunit;

namespace Patchbay.Tests.Actions;

// The rules a manifest's actions are held to when the catalog loads: a broken action stops start-up, naming itself.
public sealed class ActionValidatorTests
{
    static readonly string Stripe = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Apps", "stripe.json"));

    static string WithActions(string actionsJson)
    {
        var manifest = JsonNode.Parse(Stripe)!.AsObject();
        manifest["actions"] = JsonNode.Parse(actionsJson);
        return manifest.ToJsonString();
    }

    static string Problem(string actionsJson) =>
        Assert.Throws<InvalidOperationException>(() => AppCatalog.Parse("stripe.json", WithActions(actionsJson))).Message;

    const string Good = """
        {"action_id":"get_customer","name":"Get Customer","description":"Read one.","method":"GET","path":"/v1/customers/{{id}}",
         "query":{"expand":"{{expand}}"},"parameters":[{"name":"id","label":"ID","required":true},{"name":"expand","label":"Expand","type":"text"}]}
        """;

    [Fact]
    public void AWellFormedAction_Loads_WithItsDefaults()
    {
        var app = AppCatalog.Parse("stripe.json", WithActions($"[{Good}]"));
        var action = Assert.Single(app.Actions);
        Assert.Equal("v2", action.Tag);
        Assert.False(action.Writes);
        Assert.Equal("json", action.BodyEncoding);
    }

    [Theory]
    [InlineData("""[{"action_id":"a","name":"A","description":"d","path":"/x"},{"action_id":"a","name":"B","description":"d","path":"/y"}]""", "actions.a: action_id appears twice")]
    [InlineData("""[{"action_id":"httprequest","name":"A","description":"d","path":"/x"}]""", "httprequest is every app's built-in action")]
    [InlineData("""[{"action_id":"Bad-Id","name":"A","description":"d","path":"/x"}]""", "action_id must be snake_case")]
    [InlineData("""[{"action_id":"a","name":"A","description":"d","method":"TRACE","path":"/x"}]""", "method must be one of GET, POST, PUT, PATCH, DELETE")]
    [InlineData("""[{"action_id":"a","name":"A","description":"d","path":"/x/{{nope}}"}]""", "path: '{{nope}}' is not a parameter of the action")]
    [InlineData("""[{"action_id":"a","name":"A","description":"d","path":"/x","parameters":[{"name":"p","label":"P","type":"date"}],"query":{"p":"{{p}}"}}]""", "parameter 'p': type must be one of text, number, boolean, json, select")]
    [InlineData("""[{"action_id":"a","name":"A","description":"d","path":"/x","parameters":[{"name":"p","label":"P","type":"select"}],"query":{"p":"{{p}}"}}]""", "parameter 'p': a select needs options")]
    [InlineData("""[{"action_id":"a","name":"A","description":"d","path":"/x/{{p}}","parameters":[{"name":"p","label":"P"}]}]""", "parameter 'p' is in the path, so it must be required")]
    [InlineData("""[{"action_id":"a","name":"A","description":"d","path":"/x","parameters":[{"name":"p","label":"P"}]}]""", "parameter 'p' is not used by the request")]
    [InlineData("""[{"action_id":"a","name":"A","description":"d","path":"https://{{host}}/x","parameters":[{"name":"host","label":"H","required":true}]}]""", "only connection values may be there")]
    [InlineData("""[{"action_id":"a","name":"A","description":"d","path":"http://example.com/x"}]""", "path must start with / or be an https URL")]
    [InlineData("""[{"action_id":"a","name":"A","description":"d","path":"/x","body":{"a":1}}]""", "a GET or DELETE action sends no body")]
    [InlineData("""[{"action_id":"a","name":"A","description":"d","method":"POST","path":"/x","body_encoding":"xml"}]""", "body_encoding must be one of json, form")]
    [InlineData("""[{"action_id":"a","name":"A","description":"d","path":"/x","auth_types":["oauth2"]}]""", "auth_types: 'oauth2' is not an auth type of the app")]
    [InlineData("""[{"action_id":"a","name":"A","description":"d","path":"/x","query":{"q":"{{q|shout}}"},"parameters":[{"name":"q","label":"Q"}]}]""", "unknown filter 'shout'")]
    [InlineData("""[{"action_id":"a","name":"A","description":"d","path":"/x","unknown_key":1}]""", "is not valid")]
    public void ABrokenAction_StopsTheCatalog_NamingTheRule(string actions, string message)
    {
        var problem = Problem(actions);
        Assert.Contains("stripe.json", problem, StringComparison.Ordinal);
        Assert.Contains(message, problem, StringComparison.Ordinal);
    }
}

using System.Text.Json.Nodes;
using Patchbay.Workflows.Engine;
using Xunit;

namespace Patchbay.Tests.Workflows;

public sealed class RedactorTests
{
    [Fact]
    public void Redacts_Strings_Keys_Numbers_AndEscapedForms()
    {
        var redactor = Redactor.For(["s3cr+t<é", "4242", ""]);
        var value = JsonNode.Parse("""{"a":"x s3cr+t<é y","s3cr+t<é":1,"n":4242,"m":14242,"list":["ok",true,null],"deep":{"u":"q=s3cr%2Bt%3C%C3%A9"}}""");
        var redacted = redactor.Redact(value)!.ToJsonString();
        Assert.Equal("""{"a":"x [REDACTED] y","[REDACTED]":1,"n":"[REDACTED]","m":"[REDACTED]","list":["ok",true,null],"deep":{"u":"q=[REDACTED]"}}""", redacted);
        // The text of an error quoting the value as JSON (escaped) is redacted too.
        Assert.Equal("bad [REDACTED] and [REDACTED]", redactor.Redact("bad s3cr+t<é and " + new JsonArray("s3cr+t<é").ToJsonString()[2..^2]));
        Assert.Equal("nothing here", redactor.Redact("nothing here"));
    }

    [Fact]
    public void Outcomes_AreRedacted_AndNoneChangesNothing()
    {
        var redactor = Redactor.For(["k3y"]);
        var done = (NodeOutcome.Done)redactor.Redact(new NodeOutcome.Done(JsonValue.Create("k3y!"), "true"));
        Assert.Equal("[REDACTED]!", done.Output!.GetValue<string>());
        Assert.Equal("true", done.Handle);
        Assert.Equal("HTTP 401: [REDACTED]", ((NodeOutcome.Failed)redactor.Redact(new NodeOutcome.Failed("HTTP 401: k3y", true))).Error);
        var node = JsonNode.Parse("""{"k3y":"k3y"}""");
        Assert.Same(node, Redactor.None.Redact(node));
        Assert.True(Redactor.None.IsEmpty);
        Assert.True(Redactor.For([""]).IsEmpty);
    }
}

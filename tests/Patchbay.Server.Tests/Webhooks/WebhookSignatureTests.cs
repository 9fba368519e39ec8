using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Patchbay.Tests.Infrastructure;
using StandardWebhooks;
using StandardWebhooks.Diagnostics;
using Xunit;
using static Patchbay.Tests.Webhooks.WebhookKit;
using static Patchbay.Tests.Workflows.WorkflowApi;

namespace Patchbay.Tests.Webhooks;

// Signatures, verified the way receivers verify them. A class of its own: the published verifier checks the timestamp
// against the real clock, so this server's clock is not moved before a verification.
public abstract class WebhookSignatureTests(PatchbayApp app) : ReceiverTests
{
    [Fact]
    public async Task Signatures_VerifyWithApiKey_AndWithPublishedLibrary_BeforeAndAfterRotation()
    {
        var org = await HookOrgAsync(app);
        var path = Path();
        var hook = await SubscribeAsync(org, Receiver.Url(path), ["Connection Created", "Workflow Completed"]);
        var secret = (await ApiAssert.OkAsync(await org.Client.GetAsync($"/api/patchbay/v1/webhooks/{hook}/secret", Ct))).Str("secret");
        var account = await app.CreateLinkedAccountAsync(apiKey: org.Key);
        var connectedAt = app.Time.GetUtcNow();
        await ConnectAsync(app, org, account);
        await DeliverAsync(app);

        var first = Assert.Single(Receiver.At(path));
        Assert.Equal("POST", first.Method);
        Assert.Equal(CobaltSignature(org.Key, first.Body), first.Header("x-cobalt-signature"));
        new StandardWebhook(secret).Verify(first.Body, first.Headers);
        Assert.Throws<WebhookVerificationException>(() => new StandardWebhook(secret).Verify(first.Body.Replace("hubspot", "hubspoT", StringComparison.Ordinal), first.Headers));
        Assert.StartsWith("msg_", first.Header("webhook-id"), StringComparison.Ordinal);
        var payload = JsonDocument.Parse(first.Body).RootElement;
        Assert.Equal(account, payload.Str("linked_account_id"));
        Assert.Equal(org.Id, payload.Str("org_id"));
        Assert.Equal("test", payload.Str("environment"));
        Assert.Equal("General", payload.Str("type"));
        Assert.Equal("Connection Created", payload.Str("event"));
        Assert.Equal("hubspot", payload.Str("slug"));
        Assert.Equal(connectedAt.UtcDateTime.ToString("r", CultureInfo.InvariantCulture), payload.Str("createdAt")); // RFC 1123
        Assert.Equal(7, payload.EnumerateObject().Count());

        var rotated = await ApiAssert.OkAsync(await org.Client.PostAsync($"/api/patchbay/v1/webhooks/{hook}/secret/rotate", Body(new { }), Ct));
        var (draft, execution) = await RunWorkflowAsync(app, org, account, "Export contact");
        await DeliverAsync(app);
        var second = Receiver.At(path)[1];
        Assert.Equal(2, second.Header("webhook-signature").Split(' ').Length); // new and previous secret, during the overlap
        new StandardWebhook(rotated.Str("secret")).Verify(second.Body, second.Headers);
        var signed = System.Text.Encoding.UTF8.GetBytes($"{second.Header("webhook-id")}.{second.Header("webhook-timestamp")}.{second.Body}");
        var byOld = "v1," + Convert.ToBase64String(System.Security.Cryptography.HMACSHA256.HashData(Convert.FromBase64String(secret["whsec_".Length..]), signed));
        Assert.Equal(byOld, second.Header("webhook-signature").Split(' ')[1]);
        // The published C# verifier skips the last of several signatures (the bug Svix fixed in its own C# library,
        // svix-webhooks#2393), so the previous secret's signature is checked by it on its own.
        var previousOnly = new Microsoft.AspNetCore.Http.HeaderDictionary
        {
            ["webhook-id"] = second.Header("webhook-id"), ["webhook-timestamp"] = second.Header("webhook-timestamp"), ["webhook-signature"] = byOld,
        };
        new StandardWebhook(secret).Verify(second.Body, previousOnly);
        Assert.Equal(CobaltSignature(org.Key, second.Body), second.Header("x-cobalt-signature"));
        var workflow = JsonDocument.Parse(second.Body).RootElement;
        Assert.Equal(
            JsonSerializer.Serialize(new
            {
                linked_account_id = account, instance_id = execution, workflow_id = draft, config_id = account, @event = "Workflow Completed",
                workflow_name = "Export contact", status = "COMPLETED", environment = "test",
            }),
            workflow.GetRawText());

        // After the overlap only the new secret signs.
        app.Time.Advance(TimeSpan.FromHours(24) + TimeSpan.FromSeconds(1));
        await RunWorkflowAsync(app, org, account);
        await DeliverAsync(app);
        var third = Receiver.At(path)[2];
        Assert.Single(third.Header("webhook-signature").Split(' '));
    }
}

public sealed class SqliteWebhookSignatureTests(SqliteApp<WebhookDeliveryOptions> app) : WebhookSignatureTests(app), IClassFixture<SqliteApp<WebhookDeliveryOptions>>;

public sealed class PostgresWebhookSignatureTests(PostgresApp<WebhookDeliveryOptions> app) : WebhookSignatureTests(app), IClassFixture<PostgresApp<WebhookDeliveryOptions>>;

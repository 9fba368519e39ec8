using Patchbay.Configs;
using Patchbay.Configuration;
using Patchbay.Connections;
using Patchbay.Data;
using Microsoft.Extensions.Options;
using Patchbay.Executions;
using Patchbay.Http;
using Patchbay.HumanTasks;
using Patchbay.Workers;

namespace Patchbay.Webhooks;

// Outbound webhooks: Refold's subscriptions (WH1–WH9), the fan-out of connection and execution events from the
// outbox (and Patchbay's config and human-task events), signed deliveries with retries, the attempt log and replay (Patchbay routes), retention.
public static class WebhooksFeature
{
    static readonly string[] Topics =
    [
        ConnectionTopics.Created, ConnectionTopics.Deleted, ConnectionTopics.Expired, ExecutionTopics.Finished,
        ConfigTopics.Created, ConfigTopics.Updated, ConfigTopics.Deleted, ConfigTopics.WorkflowEnabled, ConfigTopics.WorkflowDisabled,
        HumanTaskTopics.Created, HumanTaskTopics.Submitted, HumanTaskTopics.TimedOut,
    ];

    public static IServiceCollection AddWebhooks(this IServiceCollection services)
    {
        services.AddSettings<WebhookOptions>(WebhookOptions.Section);
        services.AddSingleton<WebhookStore>();
        services.AddSingleton<WebhookSender>();
        foreach (var topic in Topics)
        {
            services.AddSingleton<IOutboxHandler>(sp => new WebhookFanout(topic, sp.GetRequiredService<Db>(), sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<WebhookIds>(), sp.GetRequiredService<IOptions<HttpOptions>>()));
        }
        services.AddSingleton<WebhookDeliveryWorker>();
        services.AddHostedService(sp => sp.GetRequiredService<WebhookDeliveryWorker>());
        services.AddSingleton<WebhookRetentionWorker>();
        services.AddHostedService(sp => sp.GetRequiredService<WebhookRetentionWorker>());
        return services;
    }

    public static void MapWebhooks(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapWebhookSubscriptions();
        app.MapWebhookDelivery();
    }
}

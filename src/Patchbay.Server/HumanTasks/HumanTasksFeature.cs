using Patchbay.Configuration;
using Patchbay.Workers;

namespace Patchbay.HumanTasks;

public static class HumanTasksFeature
{
    public static IServiceCollection AddHumanTasks(this IServiceCollection services)
    {
        services.AddSingleton<HumanTaskStore>();
        services.AddSingleton<HumanTaskNode>();
        services.AddSingleton<HumanTaskExpiryWorker>();
        services.AddHostedService(sp => sp.GetRequiredService<HumanTaskExpiryWorker>());
        services.AddSettings<HumanTaskEmailOptions>(HumanTaskEmailOptions.Section);
        services.AddSingleton<IOutboxHandler, HumanTaskEmailSender>(); // listens only while SMTP is configured
        return services;
    }
}

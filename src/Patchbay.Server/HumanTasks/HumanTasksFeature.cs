namespace Patchbay.HumanTasks;

public static class HumanTasksFeature
{
    public static IServiceCollection AddHumanTasks(this IServiceCollection services)
    {
        services.AddSingleton<HumanTaskStore>();
        services.AddSingleton<HumanTaskNode>();
        services.AddSingleton<HumanTaskExpiryWorker>();
        services.AddHostedService(sp => sp.GetRequiredService<HumanTaskExpiryWorker>());
        return services;
    }
}

using Patchbay.Configuration;

namespace Patchbay.Workers;

public static class WorkersFeature
{
    // Background work's shared pieces: its settings (Patchbay:Workers) and the transactional outbox with its worker.
    public static IServiceCollection AddWorkers(this IServiceCollection services)
    {
        services.AddSettings<WorkerOptions>(WorkerOptions.Section);
        services.AddSingleton<Outbox>();
        services.AddSingleton<OutboxWorker>();
        services.AddHostedService(sp => sp.GetRequiredService<OutboxWorker>());
        return services;
    }
}

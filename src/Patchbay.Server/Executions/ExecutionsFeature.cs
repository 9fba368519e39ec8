using Patchbay.Sandbox;

namespace Patchbay.Executions;

public static class ExecutionsFeature
{
    public static IServiceCollection AddExecutions(this IServiceCollection services)
    {
        services.AddSingleton<ExecutionStore>();
        services.AddSingleton<NodeRunner>();
        services.AddSingleton<WebhookIds>();
        services.AddSingleton<ExecutionService>();
        services.AddSingleton<ExecutionWorker>();
        services.AddHostedService(sp => sp.GetRequiredService<ExecutionWorker>());
        return services;
    }

    public static void MapExecutions(this IEndpointRouteBuilder app)
    {
        ExecutionsApi.Map(app);
        ExecuteApi.Map(app);
    }
}

using Patchbay.Configuration;

namespace Patchbay.Workflows;

public static class WorkflowsFeature
{
    public static IServiceCollection AddWorkflows(this IServiceCollection services)
    {
        services.AddSettings<WorkflowOptions>(WorkflowOptions.Section);
        services.AddSingleton<WorkflowStore>();
        services.AddSingleton<ExecutionStore>();
        services.AddSingleton<NodeRunner>();
        services.AddSingleton<WebhookIds>();
        services.AddSingleton<ExecutionService>();
        services.AddSingleton<ExecutionWorker>();
        services.AddHostedService(sp => sp.GetRequiredService<ExecutionWorker>());
        services.AddSingleton<ScheduleWorker>();
        services.AddHostedService(sp => sp.GetRequiredService<ScheduleWorker>());
        return services;
    }

    public static void MapWorkflowApis(this IEndpointRouteBuilder app)
    {
        app.MapWorkflows();
        app.MapExecutions();
        app.MapEvents();
        app.MapSchedules();
    }
}

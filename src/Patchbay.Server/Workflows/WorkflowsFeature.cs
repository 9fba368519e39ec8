using Patchbay.Sandbox;

namespace Patchbay.Workflows;

public static class WorkflowsFeature
{
    public static IServiceCollection AddWorkflows(this IServiceCollection services)
    {
        services.AddOptions<WorkflowOptions>().BindConfiguration(WorkflowOptions.Section);
        services.AddSingleton<WorkflowStore>();
        services.AddSingleton<ExecutionStore>();
        services.AddSingleton<CodeSandbox>();
        services.AddSingleton<NodeRunner>();
        services.AddSingleton<WebhookIds>();
        services.AddSingleton<ExecutionService>();
        services.AddSingleton<ExecutionWorker>();
        services.AddHostedService(sp => sp.GetRequiredService<ExecutionWorker>());
        return services;
    }

    public static void MapWorkflowApis(this IEndpointRouteBuilder app)
    {
        app.MapWorkflows();
        app.MapExecutions();
    }
}

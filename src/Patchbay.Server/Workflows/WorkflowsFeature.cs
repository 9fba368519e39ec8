using Patchbay.Configuration;

namespace Patchbay.Workflows;

public static class WorkflowsFeature
{
    public static IServiceCollection AddWorkflows(this IServiceCollection services)
    {
        services.AddSettings<WorkflowOptions>(WorkflowOptions.Section);
        services.AddSingleton<WorkflowStore>();
        return services;
    }
}

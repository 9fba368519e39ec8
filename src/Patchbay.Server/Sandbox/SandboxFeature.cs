using Patchbay.Configuration;

namespace Patchbay.Sandbox;

public static class SandboxFeature
{
    public static IServiceCollection AddSandbox(this IServiceCollection services)
    {
        services.AddSettings<SandboxOptions>(SandboxOptions.Section);
        services.AddSingleton<CodeSandbox>();
        return services;
    }
}

using Patchbay.Configuration;

namespace Patchbay.Cluster;

public static class ClusterFeature
{
    // Before the workers: hosted services stop in reverse order, so membership stops after them and hands back what
    // this node still holds.
    public static IServiceCollection AddCluster(this IServiceCollection services)
    {
        services.AddSettings<ClusterOptions>(ClusterOptions.Section);
        services.AddSingleton<NodeStore>();
        services.AddSingleton<Membership>();
        services.AddHostedService(sp => sp.GetRequiredService<Membership>());
        return services;
    }
}

namespace Patchbay.Orgs;

public static class OrgsFeature
{
    public static IServiceCollection AddOrgs(this IServiceCollection services)
    {
        services.AddSingleton<OrgStore>();
        services.AddSingleton<OrgBootstrapper>();
        services.AddSingleton<AdminTokenFilter>();
        return services;
    }
}

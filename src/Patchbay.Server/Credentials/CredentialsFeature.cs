namespace Patchbay.Credentials;

public static class CredentialsFeature
{
    public static IServiceCollection AddCredentials(this IServiceCollection services)
    {
        services.AddSingleton<IntegrationStore>();
        return services;
    }
}

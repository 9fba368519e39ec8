using Patchbay.Configuration;
namespace Patchbay.OAuth;

public static class OAuthFeature
{
    public static IServiceCollection AddOAuth(this IServiceCollection services)
    {
        services.AddSettings<OAuthOptions>(OAuthOptions.Section);
        services.AddSingleton<OAuthClientStore>();
        services.AddSingleton<OAuthStateStore>();
        services.AddSingleton<TokenEndpoint>();
        services.AddSingleton<OAuthFlow>();
        services.AddSingleton<OAuthTokens>();
        services.AddSingleton<OAuthRefreshWorker>();
        services.AddHostedService(sp => sp.GetRequiredService<OAuthRefreshWorker>());
        return services;
    }
}

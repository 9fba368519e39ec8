using Patchbay.Configuration;
using Microsoft.AspNetCore.Authorization;

namespace Patchbay.Auth;

public static class AuthFeature
{
    public static IServiceCollection AddAuth(this IServiceCollection services)
    {
        services.AddSettings<AuthOptions>(AuthOptions.Section);
        services.AddSettings<AdminOptions>(AdminOptions.Section);
        services.AddSettings<BootstrapOptions>(BootstrapOptions.Section);

        services.AddSingleton<ApiKeyHasher>();
        services.AddSingleton<ApiKeyCache>();
        services.AddSingleton<ApiKeyStore>();
        services.AddSingleton<SessionStore>();
        services.AddSingleton<SessionTokens>();
        services.AddSingleton<AuthSync>();
        services.AddHostedService(sp => sp.GetRequiredService<AuthSync>());

        services.AddAuthentication(PatchbayAuthenticationHandler.SchemeName)
            .AddScheme<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions, PatchbayAuthenticationHandler>(
                PatchbayAuthenticationHandler.SchemeName, null);
        services.AddAuthorizationBuilder().AddPatchbayPolicies();
        services.AddSingleton<IAuthorizationHandler, CallerRequirementHandler>();
        services.AddSingleton<Microsoft.AspNetCore.Authorization.IAuthorizationMiddlewareResultHandler, AuthorizationResultWriter>();
        return services;
    }
}

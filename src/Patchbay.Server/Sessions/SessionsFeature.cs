namespace Patchbay.Sessions;

// Session tokens for a company's frontend: the API (issue, revoke, refresh) and the clean-up of expired sessions
// (with the hosted page's expired properties and connect codes).
public static class SessionsFeature
{
    public static IServiceCollection AddSessions(this IServiceCollection services)
    {
        services.AddSingleton<SessionCleanupWorker>();
        services.AddHostedService(sp => sp.GetRequiredService<SessionCleanupWorker>());
        return services;
    }
}

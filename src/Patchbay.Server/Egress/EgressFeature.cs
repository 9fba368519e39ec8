using Patchbay.Configuration;
namespace Patchbay.Egress;

public static class EgressFeature
{
    public const string HttpClientName = "egress";

    public static IServiceCollection AddEgress(this IServiceCollection services)
    {
        services.AddSettings<EgressOptions>(EgressOptions.Section);
        services.AddSingleton<EgressPolicy>();
        services.AddHttpClient(HttpClientName, c => c.Timeout = Timeout.InfiniteTimeSpan) // callers set their own timeouts
            .ConfigurePrimaryHttpMessageHandler(sp => new SocketsHttpHandler
            {
                ConnectCallback = sp.GetRequiredService<EgressPolicy>().ConnectAsync,
                AllowAutoRedirect = false, // followed by hand, each hop through the policy again
                UseCookies = false,
                PooledConnectionLifetime = TimeSpan.FromMinutes(2), // DNS changes are picked up, through the policy
                AutomaticDecompression = System.Net.DecompressionMethods.All,
            })
            .SetHandlerLifetime(Timeout.InfiniteTimeSpan)
            // The framework's request logs print each URL (.NET redacts only its query), and a URL's path may hold a
            // secret: an encrypted environment variable a workflow puts there, a credential an app's API takes in its
            // path. Outbound calls are recorded by the execution (redacted) instead.
            .RemoveAllLoggers();
        return services;
    }
}

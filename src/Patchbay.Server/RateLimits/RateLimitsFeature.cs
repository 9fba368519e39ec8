using Patchbay.Configuration;
namespace Patchbay.RateLimits;

public static class RateLimitsFeature
{
    public static IServiceCollection AddRateLimits(this IServiceCollection services)
    {
        services.AddSettings<RateLimitOptions>(RateLimitOptions.Section);
        services.AddSingleton<TokenBuckets>();
        return services;
    }

    // After authentication (the partition is the caller), before authorization (so over-limit requests stop here).
    public static IApplicationBuilder UseRateLimits(this IApplicationBuilder app) => app.UseMiddleware<RateLimitMiddleware>();
}

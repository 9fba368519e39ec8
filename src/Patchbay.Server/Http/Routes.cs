namespace Patchbay.Http;

// Where routes live. Refold's public API keeps Refold's paths; everything Patchbay adds that Refold's contract does
// not have goes under one prefix of its own, so that no future Refold route can collide with it.
public static class Routes
{
    // Refold's public API (API key, API key + linked account, or session token).
    public const string Public = "/api/v2/public";

    // Refold's frontend-SDK routes (session tokens).
    public const string FrontendSdk = "/api/v2/f-sdk";

    // Patchbay-only routes (definitions managed with the org key, webhook logs and replay, MCP tokens, table filters…).
    public const string Patchbay = "/api/patchbay/v1";

    // A feature's group on Refold's public API, with its tag (and, by the caller, its policy).
    public static RouteGroupBuilder MapPublic(this IEndpointRouteBuilder app, string tag, string path = "") =>
        app.MapGroup(Public + path).WithTags(tag);
}

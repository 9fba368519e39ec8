namespace Patchbay.Http;

// What the served OpenAPI document cannot read from a handler's signature: the headers and query parameters a handler
// reads by hand, a POST/PUT/PATCH that takes no body, the admin token, routes Patchbay adds to Refold's API. Endpoint
// metadata, turned into the document by Operations/ApiDocsTransformer. Security and the linked_account_id header come
// from each endpoint's authorization policy, not from here; request bodies from `.Accepts<TRequest>("application/json")`.
public static class ApiDocs
{
    // The security schemes' names in the document: Refold's ("Org API Key", "Linked Account Token") without the
    // spaces, which component names may not contain.
    public const string OrgApiKey = "OrgApiKey";
    public const string LinkedAccountToken = "LinkedAccountToken";
    public const string AdminToken = "AdminToken";

    // The mark on every operation Refold's API does not have.
    public const string PatchbayExtension = "x-patchbay-extension";

    // The header (or query parameter) naming the linked account an org API key acts for.
    public const string LinkedAccountId = "linked_account_id";

    // A request header the handler reads.
    public static TBuilder WithHeader<TBuilder>(this TBuilder builder, string name, bool required, string description)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new ApiParameter(name, ApiParameterLocation.Header, required, description, ApiParameterType.Text));

    // A query-string parameter the handler reads from HttpRequest.Query.
    public static TBuilder WithQuery<TBuilder>(this TBuilder builder, string name, string description,
        ApiParameterType type = ApiParameterType.Text, bool required = false)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new ApiParameter(name, ApiParameterLocation.Query, required, description, type));

    // `page` and `limit`, as Page.From reads them (with the same default limit).
    public static TBuilder WithPaging<TBuilder>(this TBuilder builder, int defaultLimit = 10) where TBuilder : IEndpointConventionBuilder =>
        builder.WithQuery("page", "Page number, from 1 (default 1).", ApiParameterType.WholeNumber)
            .WithQuery("limit", $"Items per page (default {defaultLimit}).", ApiParameterType.WholeNumber);

    // For a route whose policy accepts the org key without a linked account but which narrows to one when the key
    // comes with linked_account_id (private workflows, an account's executions).
    public static TBuilder WithOptionalLinkedAccount<TBuilder>(this TBuilder builder,
        string description = "With the org API key: act for this linked account (its private workflows, its executions). A session token names its own.")
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithHeader(LinkedAccountId, required: false, description)
            .WithQuery(LinkedAccountId, "Alternative to the linked_account_id header.");

    // A second body the same status may carry (documented as anyOf with the typed result's), e.g. execute's
    // queued answer and its sync_execution answer.
    public static RouteHandlerBuilder WithAlternativeResponse<TResponse>(this RouteHandlerBuilder builder, int status) =>
        builder.WithMetadata(new ApiAlternativeResponse(status, typeof(TResponse)));

    // A POST/PUT/PATCH that reads no body (the contract test requires a body on every other one).
    public static TBuilder WithoutBody<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(NoRequestBody.Instance);

    // Security the authorization policy does not express (the admin API checks its token in a filter).
    public static TBuilder WithSecurityScheme<TBuilder>(this TBuilder builder, string scheme) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new ApiSecurity(scheme));

    // A route outside Routes.Patchbay and /admin/v1 that Refold's API does not have either.
    public static TBuilder AsPatchbayExtension<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(PatchbayExtensionRoute.Instance);
}

public enum ApiParameterLocation { Header, Query }

public enum ApiParameterType { Text, WholeNumber, Flag }

public sealed record ApiParameter(string Name, ApiParameterLocation In, bool Required, string Description, ApiParameterType Type);

public sealed class NoRequestBody
{
    public static readonly NoRequestBody Instance = new();
}

public sealed record ApiSecurity(string Scheme);

public sealed record ApiAlternativeResponse(int Status, Type Type);

public sealed class PatchbayExtensionRoute
{
    public static readonly PatchbayExtensionRoute Instance = new();
}

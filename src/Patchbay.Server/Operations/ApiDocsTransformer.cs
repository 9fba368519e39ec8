using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Patchbay.Auth;
using Patchbay.Http;

namespace Patchbay.Operations;

// Completes each operation of the served document from its endpoint's metadata: the security its authorization policy
// accepts (and the linked_account_id header when the policy needs a linked account), the headers and query parameters
// declared with ApiDocs, path parameters the handler does not bind, and the Patchbay-extension mark. Summaries come
// from `.WithSummary`, request bodies from `.Accepts<T>`, responses from the typed results.
public sealed partial class ApiDocsTransformer : IOpenApiOperationTransformer, IOpenApiDocumentTransformer
{
    static readonly string[] PatchbayPrefixes = [Routes.Patchbay.TrimStart('/') + "/", "admin/v1/"];

    public async Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(document);
        ArgumentNullException.ThrowIfNull(context);
        document.Info = new OpenApiInfo
        {
            Title = "Patchbay API",
            Version = "v1",
            Description = "Refold-compatible embedded-integration API. Authenticate with `x-api-key` (plus `linked_account_id` " +
                "for linked-account routes) or `Authorization: Bearer <session token>`. Operations marked **Patchbay** " +
                $"(`{ApiDocs.PatchbayExtension}: true`) are Patchbay's own additions; the admin API uses the admin token.",
        };
        AddSecuritySchemes(document);
        foreach (var server in document.Servers ?? []) server.Url = server.Url?.TrimEnd('/');
        // The operations' 401s refer to the error shape; every route returning ApiError declares it already.
        if (document.Components!.Schemas?.ContainsKey(nameof(ApiErrorBody)) != true)
        {
            document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>();
            document.Components.Schemas[nameof(ApiErrorBody)] = await context.GetOrCreateSchemaAsync(typeof(ApiErrorBody), null, cancellationToken);
        }
    }

    public async Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(operation);
        ArgumentNullException.ThrowIfNull(context);
        var metadata = context.Description.ActionDescriptor.EndpointMetadata;
        var path = context.Description.RelativePath ?? "";
        operation.Parameters ??= [];

        foreach (Match match in RouteParameter().Matches(path))
        {
            AddParameter(operation, new OpenApiParameter
            {
                Name = match.Groups["name"].Value, In = ParameterLocation.Path, Required = true,
                Schema = new OpenApiSchema { Type = JsonSchemaType.String },
            });
        }

        if (context.Document is { } document) AddSecuritySchemes(document);
        var security = await SecurityAsync(metadata, context.ApplicationServices);
        if (security.Schemes.Count == 0)
        {
            operation.Security = [];
        }
        else
        {
            operation.Security = security.Schemes
                .Select(s => new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(s, context.Document)] = [] })
                .ToList();
            // What authentication, authorization and rate limiting answer before the handler runs.
            if (security.Schemes is [ApiDocs.AdminToken])
            {
                AddError(operation, "401", "Unauthorized: no or a wrong admin token", context.Document);
                AddError(operation, "403", "Forbidden: the admin API is disabled (no admin token configured)", context.Document);
            }
            else
            {
                AddError(operation, "401", "Unauthorized: no, an unknown or an expired credential", context.Document);
                if (!security.Schemes.Contains(ApiDocs.LinkedAccountToken))
                    AddError(operation, "403", "Forbidden: session tokens are not accepted here", context.Document);
                AddError(operation, "429", "Too many requests (Retry-After and X-RateLimit-* headers)", context.Document);
            }
        }
        if (security.LinkedAccount is { } linked)
        {
            var apiKeyOnly = linked is { ApiKey: true, Session: false };
            AddParameter(operation, Parameter(new ApiParameter(PatchbayAuthenticationHandler.LinkedAccountHeader, ApiParameterLocation.Header,
                Required: apiKeyOnly,
                apiKeyOnly
                    ? "The linked account to act on (this route takes the org API key only)."
                    : "The linked account to act on, with the org API key (x-api-key). Not needed with a session token, which names its account.",
                ApiParameterType.Text)));
            AddParameter(operation, Parameter(new ApiParameter(PatchbayAuthenticationHandler.LinkedAccountHeader, ApiParameterLocation.Query,
                Required: false, "Alternative to the linked_account_id header.", ApiParameterType.Text)));
        }

        foreach (var parameter in metadata.OfType<ApiParameter>()) AddParameter(operation, Parameter(parameter));

        // Client generators name methods after operationIds: the summary in camelCase, without articles
        // ("Create a linked account" → createLinkedAccount).
        if (operation.OperationId is null && operation.Summary is { Length: > 0 } summary) operation.OperationId = OperationId(summary);

        foreach (var alternative in metadata.OfType<ApiAlternativeResponse>())
        {
            var status = alternative.Status.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var other = await context.GetOrCreateSchemaAsync(alternative.Type, null, cancellationToken);
            operation.Responses ??= [];
            if (operation.Responses.TryGetValue(status, out var response) && response.Content?.TryGetValue("application/json", out var media) == true && media.Schema is { } first)
                media.Schema = new OpenApiSchema { AnyOf = [first, other] };
        }

        if (metadata.OfType<PatchbayExtensionRoute>().Any() || PatchbayPrefixes.Any(p => path.StartsWith(p, StringComparison.OrdinalIgnoreCase)))
        {
            operation.Extensions ??= new Dictionary<string, IOpenApiExtension>();
            operation.Extensions[ApiDocs.PatchbayExtension] = new JsonNodeExtension(JsonValue.Create(true));
            operation.Extensions["x-badges"] = new JsonNodeExtension(new JsonArray(new JsonObject { ["name"] = "Patchbay", ["position"] = "after" }));
        }
    }

    static void AddError(OpenApiOperation operation, string status, string description, OpenApiDocument? document)
    {
        operation.Responses ??= [];
        operation.Responses.TryAdd(status, new OpenApiResponse
        {
            Description = description,
            Content = new Dictionary<string, OpenApiMediaType>
            {
                ["application/json"] = new() { Schema = new OpenApiSchemaReference(nameof(ApiErrorBody), document) },
            },
        });
    }

    static string OperationId(string summary)
    {
        var words = NonWord().Split(summary.Replace("'", "", StringComparison.Ordinal))
            .Where(w => w.Length > 0 && w is not ("a" or "an" or "the")).ToList();
        return string.Concat(words.Select((w, i) => i == 0
            ? w.ToLowerInvariant()
            : char.ToUpperInvariant(w[0]) + (w.Length > 1 && w.All(char.IsUpper) ? w[1..].ToLowerInvariant() : w[1..])));
    }

    // Who may call the endpoint, read from its authorization policies the way the authorization middleware combines
    // them: every requirement must pass, so a credential kind is accepted only if every policy accepts it.
    static async Task<(List<string> Schemes, CallerRequirement? LinkedAccount)> SecurityAsync(IList<object> metadata, IServiceProvider services)
    {
        if (metadata.OfType<ApiSecurity>().LastOrDefault() is { } explicitScheme) return ([explicitScheme.Scheme], null);
        if (metadata.OfType<IAllowAnonymous>().Any()) return ([], null);
        var provider = services.GetRequiredService<IAuthorizationPolicyProvider>();
        var requirements = new List<CallerRequirement>();
        foreach (var data in metadata.OfType<IAuthorizeData>())
        {
            var policy = data.Policy is { } name ? await provider.GetPolicyAsync(name) : await provider.GetDefaultPolicyAsync();
            if (policy is not null) requirements.AddRange(policy.Requirements.OfType<CallerRequirement>());
        }
        if (requirements.Count == 0) return ([], null);
        var combined = new CallerRequirement(
            ApiKey: requirements.All(r => r.ApiKey), Session: requirements.All(r => r.Session),
            NeedsLinkedAccount: requirements.Any(r => r.NeedsLinkedAccount));
        var schemes = new List<string>();
        if (combined.ApiKey) schemes.Add(ApiDocs.OrgApiKey);
        if (combined.Session) schemes.Add(ApiDocs.LinkedAccountToken);
        return (schemes, combined.NeedsLinkedAccount && combined.ApiKey ? combined : null);
    }

    static OpenApiParameter Parameter(ApiParameter parameter) => new()
    {
        Name = parameter.Name,
        In = parameter.In == ApiParameterLocation.Header ? ParameterLocation.Header : ParameterLocation.Query,
        Required = parameter.Required,
        Description = parameter.Description,
        Schema = new OpenApiSchema
        {
            Type = parameter.Type switch
            {
                ApiParameterType.WholeNumber => JsonSchemaType.Integer,
                ApiParameterType.Flag => JsonSchemaType.Boolean,
                _ => JsonSchemaType.String,
            },
        },
    };

    // A parameter the handler's signature already gives keeps its generated form.
    static void AddParameter(OpenApiOperation operation, OpenApiParameter parameter)
    {
        if (operation.Parameters!.Any(p => p.In == parameter.In && string.Equals(p.Name, parameter.Name, StringComparison.OrdinalIgnoreCase))) return;
        operation.Parameters!.Add(parameter);
    }

    static void AddSecuritySchemes(OpenApiDocument document)
    {
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        var schemes = document.Components.SecuritySchemes;
        schemes.TryAdd(ApiDocs.OrgApiKey, new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.ApiKey, In = ParameterLocation.Header, Name = "x-api-key",
            Description = "Organization API key (`tk…` test, `pk…` production).",
        });
        schemes.TryAdd(ApiDocs.LinkedAccountToken, new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http, Scheme = "bearer", BearerFormat = "JWT",
            Description = "Session token from POST /api/v2/public/session-token; it names its linked account.",
        });
        schemes.TryAdd(ApiDocs.AdminToken, new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http, Scheme = "bearer",
            Description = "The admin token from the server's configuration (Patchbay:Admin:Token), for /admin/v1.",
        });
    }

    [GeneratedRegex(@"\{\*{0,2}(?<name>[A-Za-z0-9_]+)[^}]*\}")]
    private static partial Regex RouteParameter();

    [GeneratedRegex(@"[^A-Za-z0-9]+")]
    private static partial Regex NonWord();
}

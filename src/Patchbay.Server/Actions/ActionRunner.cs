using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using Patchbay.Apps;
using Patchbay.Connections;
using Patchbay.Http;
using Patchbay.LinkedAccounts;
using Patchbay.OAuth;

namespace Patchbay.Actions;

// Runs an action for one linked account: checks its parameters, picks the account's active connection to the app,
// refreshes OAuth tokens when due (OAuthTokens), renders the request and sends it through ProviderClient (the egress
// policy, credentials applied as the manifest says). What happens before the provider is asked — unknown app or
// action, a missing parameter, no such account, no connection — throws an ApiException with the contract's answer;
// whatever the provider answers, or a provider that does not answer, is an ActionResult.
public sealed class ActionRunner(
    ActionCatalog catalog, LinkedAccountStore accounts, ConnectionStore connections, OAuthTokens tokens, ProviderClient provider,
    IOptions<ActionsOptions> options)
{
    public async Task<ActionResult> ExecuteAsync(string orgId, string environment, string linkedAccountId, string slug, string actionId,
        JsonObject parameters, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var (app, action) = Resolve(slug, actionId);
        var typed = ActionParameters.Check(action, parameters);
        var (authType, values) = await CredentialsAsync(orgId, environment, linkedAccountId, app, action, ct);
        return await SendAsync(app, action, authType, values, Build(app, action, typed, values), ct);
    }

    // The app and action of a request, or the contract's 404 (AC2/AC3).
    public (AppManifest App, ActionManifest Action) Resolve(string slug, string actionId)
    {
        var app = catalog.App(slug) ?? throw new ApiException(AppNotFound(slug));
        var action = catalog.Find(slug, actionId) ?? throw new ApiException(ActionNotFound(slug, actionId));
        return (app, action);
    }

    public static ApiError AppNotFound(string slug) => ApiError.NotFound(ErrorCodes.ServerError, $"Application app_type '{slug}' not found");

    public static ApiError ActionNotFound(string slug, string actionId) =>
        ApiError.NotFound(ErrorCodes.ServerError, $"Action {actionId} not found in Application {slug}");

    // The account's newest active connection to the app among the auth types the action takes, its credentials opened
    // (an OAuth token refreshed first when it expires within a minute).
    async Task<(string AuthType, Dictionary<string, string> Values)> CredentialsAsync(string orgId, string environment, string accountId,
        AppManifest app, ActionManifest action, CancellationToken ct)
    {
        var usable = (await connections.ContextsAsync(orgId, environment, accountId, app.Slug, ct))
            .Where(c => action.AuthTypes is null || action.AuthTypes.Contains(c.AuthType)).ToList();
        var chosen = usable.FirstOrDefault(c => c.Status == ConnectionStatus.Active);
        if (chosen is null)
        {
            if (usable.Count == 0 && await accounts.FindAsync(orgId, environment, accountId, ct) is null)
            {
                throw new ApiException(ApiError.NotFound(ErrorCodes.ServerError,
                    $"Linked Account with account id {accountId} for org {orgId} in environment {environment} not found"));
            }
            throw new ApiException(usable.Count > 0
                ? ApiError.Conflict(ErrorCodes.Conflict, $"The {app.Name} connection of linked account {accountId} has expired; reconnect it")
                : ApiError.NotFound(ErrorCodes.ResourceNotFound, action.AuthTypes is null
                    ? $"Linked account {accountId} has not connected {app.Name}"
                    : $"Linked account {accountId} has no {app.Name} connection of type {string.Join(" or ", action.AuthTypes)}, which action {action.ActionId} needs"));
        }
        try
        {
            return (chosen.AuthType, await tokens.CredentialsAsync(chosen, ct));
        }
        catch (OAuthTokens.ReauthRequiredException e)
        {
            throw new ApiException(ApiError.Conflict(ErrorCodes.Conflict, e.Message));
        }
    }

    static ProviderRequest Build(AppManifest app, ActionManifest action, Dictionary<string, JsonNode> typed, Dictionary<string, string> values)
    {
        if (action.ActionId == ActionCatalog.HttpRequestId) return BuildHttpRequest(app, typed);
        var path = ActionTemplates.RenderPath(action.Path, typed, values);
        return new ProviderRequest(new HttpMethod(action.Method), path,
            ActionTemplates.RenderStrings(action.Query, typed, values), ActionTemplates.RenderStrings(action.Headers, typed, values),
            ActionTemplates.RenderBody(action.Body, typed, values))
        {
            Literal = true,
            HostTemplate = Templates.Authority(action.Path).Length > 0 ? ActionTemplates.HostTemplate(action.Path) : null,
            BodyEncoding = action.BodyEncoding,
        };
    }

    // The generic action: a path on the app's own API (never a URL of its own, so the credentials stay with the app).
    static ProviderRequest BuildHttpRequest(AppManifest app, Dictionary<string, JsonNode> typed)
    {
        var path = ActionTemplates.Text(typed["path"]);
        if (!path.StartsWith('/') || path.StartsWith("//", StringComparison.Ordinal) || path.Contains("://", StringComparison.Ordinal) || path.Contains('\\'))
            throw new ApiException(ApiError.Validation($"Parameter 'path' must be a path on {app.Name}'s API starting with '/'"));
        return new ProviderRequest(new HttpMethod(ActionTemplates.Text(typed["method"])), path,
            Strings(typed.GetValueOrDefault("query"), "query"), Strings(typed.GetValueOrDefault("headers"), "headers"), typed.GetValueOrDefault("body"))
        { Literal = true };
    }

    static Dictionary<string, string>? Strings(JsonNode? node, string name) => node switch
    {
        null => null,
        JsonObject o => o.Where(p => p.Value is not null).ToDictionary(p => p.Key, p => ActionTemplates.Text(p.Value!), StringComparer.Ordinal),
        _ => throw new ApiException(ApiError.Validation($"Parameter '{name}' must be a JSON object")),
    };

    async Task<ActionResult> SendAsync(AppManifest app, ActionManifest action, string authType, Dictionary<string, string> values,
        ProviderRequest request, CancellationToken ct)
    {
        var writes = action.ActionId == ActionCatalog.HttpRequestId ? request.Method != HttpMethod.Get && request.Method != HttpMethod.Head : action.Writes;
        ProviderResponse response;
        try
        {
            response = await provider.SendAsync(app, authType, values, request, options.Value.Timeout, ct);
        }
        catch (ProviderException e)
        {
            // No HTTP answer: reported like one, as a gateway would.
            var status = e.Failure == ProviderFailure.Timeout ? 504 : 502;
            return new ActionResult(ActionNodeStatus.Failed, new JsonObject { ["error"] = e.Message }, status, writes, e.Message);
        }
        var data = Data(response);
        return response.Status is >= 200 and < 300
            ? new ActionResult(ActionNodeStatus.Success, data, response.Status, writes)
            : new ActionResult(ActionNodeStatus.Failed, data, response.Status, writes, $"{app.Name} answered HTTP {response.Status}");
    }

    // The provider's answer as an object: a JSON object as it is, a JSON array under "items", anything else under "body".
    public static JsonObject Data(ProviderResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        if (response.Body.Length == 0) return [];
        var text = Encoding.UTF8.GetString(response.Body);
        JsonNode? parsed;
        try
        {
            parsed = JsonNode.Parse(text);
        }
        catch (JsonException)
        {
            return new JsonObject { ["body"] = text };
        }
        return parsed switch
        {
            JsonObject o => o,
            JsonArray a => new JsonObject { ["items"] = a },
            _ => new JsonObject { ["body"] = parsed },
        };
    }
}

using Microsoft.AspNetCore.Http.HttpResults;
using Patchbay.Auth;
using Patchbay.Http;

namespace Patchbay.Actions;

// Actions of connected apps, refold-api.md §3.6 (AC1–AC3): list an app's actions, an action's parameters, execute
// one for the caller's linked account (API key + linked_account_id, or a session token).
public static class ActionsApi
{
    public static void MapActions(this IEndpointRouteBuilder app)
    {
        var actions = app.MapGroup("/api/v2/integration-schema/{slug}/actions").WithTags("Actions").RequireAuthorization(Policies.LinkedAccount);
        actions.MapGet("", List).WithSummary("List an app's actions");
        actions.MapGet("/{action_id}", Parameters).WithSummary("Get an action's parameters");
        actions.MapPost("/{action_id}/execute", Execute).WithSummary("Execute an action for the linked account")
            .Accepts<ActionExecuteRequest>("application/json");
    }

    static Results<Ok<List<ActionSummary>>, ApiError> List(string slug, ActionCatalog catalog) =>
        catalog.List(slug) is { } all ? TypedResults.Ok(all.Select(ActionSummary.Of).ToList()) : ActionRunner.AppNotFound(slug);

    static Results<Ok<List<ActionParameterResponse>>, ApiError> Parameters(string slug, string action_id, ActionCatalog catalog)
    {
        if (catalog.App(slug) is null) return ActionRunner.AppNotFound(slug);
        return catalog.Find(slug, action_id) is { } action
            ? TypedResults.Ok(action.Parameters.Select(ActionParameterResponse.Of).ToList())
            : ActionRunner.ActionNotFound(slug, action_id);
    }

    static async Task<Results<Ok<ActionExecuteResponse>, ApiError>> Execute(
        string slug, string action_id, HttpContext http, Caller caller, ActionRunner runner, CancellationToken ct)
    {
        try
        {
            // Unknown app or action first (404), then the body.
            runner.Resolve(slug, action_id);
            var parameters = await JsonBody.ReadNodeAsync(http, required: false);
            var result = await runner.ExecuteAsync(caller.OrgId, caller.Environment, caller.AccountId, slug, action_id, parameters, ct);
            return TypedResults.Ok(ActionExecuteResponse.Of(result));
        }
        catch (ApiException e)
        {
            return e.Error;
        }
    }
}

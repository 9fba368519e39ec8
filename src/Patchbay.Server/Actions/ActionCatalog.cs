using Patchbay.Apps;

namespace Patchbay.Actions;

// The actions of every catalog app: the generic HTTP Request first (defined here once, for every app), then the
// app's own from its manifest.
public sealed class ActionCatalog(AppCatalog apps)
{
    public const string HttpRequestId = "httprequest";

    public static readonly ActionManifest HttpRequest = new()
    {
        ActionId = HttpRequestId,
        Name = "HTTP Request",
        Description = "Send any request to the app's API with the linked account's credentials.",
        Method = "{{method}}",
        Path = "{{path}}",
        Write = true,
        Parameters =
        [
            new() { Name = "method", Label = "Method", Required = true, Type = ActionParameterTypes.Select,
                Options = [.. ActionMethods.Ordered.Select(m => new FieldOption(m, m))] },
            new() { Name = "path", Label = "Path", Required = true, Type = ActionParameterTypes.Text,
                Description = "A path on the app's API, starting with '/' (e.g. /v1/customers)." },
            new() { Name = "query", Label = "Query parameters", Type = ActionParameterTypes.Json, Description = "An object of query parameters." },
            new() { Name = "headers", Label = "Headers", Type = ActionParameterTypes.Json, Description = "An object of extra request headers." },
            new() { Name = "body", Label = "Body", Type = ActionParameterTypes.Json, Description = "The JSON body, for methods that take one." },
        ],
    };

    // The app's actions, or null when there is no such app.
    public IReadOnlyList<ActionManifest>? List(string slug) =>
        apps.Find(slug) is { } app ? [HttpRequest, .. app.Actions] : null;

    public ActionManifest? Find(string slug, string actionId) =>
        actionId == HttpRequestId ? (apps.Find(slug) is null ? null : HttpRequest) : apps.Find(slug)?.Actions.FirstOrDefault(a => a.ActionId == actionId);

    public AppManifest? App(string slug) => apps.Find(slug);
}

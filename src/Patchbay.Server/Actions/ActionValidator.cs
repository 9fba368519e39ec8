using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Patchbay.Apps;

namespace Patchbay.Actions;

// The rules of docs/actions.md, checked with the rest of a manifest when the catalog loads.
public static partial class ActionValidator
{
    public static IReadOnlyList<string> Validate(AppManifest app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var errors = new List<string>();
        var ids = new HashSet<string>(StringComparer.Ordinal) { ActionCatalog.HttpRequestId };
        foreach (var action in app.Actions ?? [])
        {
            var at = $"actions.{action.ActionId}";
            void Check(bool ok, string message) { if (!ok) errors.Add($"{at}: {message}"); }

            Check(Id().IsMatch(action.ActionId ?? ""), "action_id must be snake_case");
            Check(ids.Add(action.ActionId ?? ""), action.ActionId == ActionCatalog.HttpRequestId
                ? "httprequest is every app's built-in action" : "action_id appears twice");
            Check(!string.IsNullOrWhiteSpace(action.Name), "name is required");
            Check(!string.IsNullOrWhiteSpace(action.Description), "description is required");
            Check(!string.IsNullOrWhiteSpace(action.Tag), "tag must not be empty");
            Check(ActionMethods.All.Contains(action.Method ?? ""), $"method must be one of {string.Join(", ", ActionMethods.Ordered)}");
            Check(BodyEncodings.All.Contains(action.BodyEncoding ?? ""), $"body_encoding must be one of {string.Join(", ", BodyEncodings.All)}");
            Check(action.Body is null || action.Method is not ("GET" or "DELETE"), "a GET or DELETE action sends no body");
            foreach (var type in action.AuthTypes ?? []) Check(app.Auth?.ContainsKey(type) == true, $"auth_types: '{type}' is not an auth type of the app");

            var parameters = new Dictionary<string, ActionParameter>(StringComparer.Ordinal);
            foreach (var parameter in action.Parameters ?? [])
            {
                Check(Name().IsMatch(parameter.Name ?? ""), $"parameter name '{parameter.Name}' must be snake_case");
                Check(parameters.TryAdd(parameter.Name ?? "", parameter), $"parameter '{parameter.Name}' appears twice");
                Check(!string.IsNullOrWhiteSpace(parameter.Label), $"parameter '{parameter.Name}': label is required");
                Check(ActionParameterTypes.All.Contains(parameter.Type ?? ""), $"parameter '{parameter.Name}': type must be one of {string.Join(", ", ActionParameterTypes.All)}");
                Check(parameter.Type != ActionParameterTypes.Select || parameter.Options is { Count: > 0 }, $"parameter '{parameter.Name}': a select needs options");
            }

            var path = action.Path ?? "";
            var absolute = Templates.Authority(path).Length > 0;
            Check(path.StartsWith('/') || (absolute && path.StartsWith("https://", StringComparison.Ordinal)), "path must start with / or be an https URL");
            foreach (var placeholder in Templates.Placeholders(Templates.Authority(path)))
                Check(placeholder.Name.StartsWith(ActionTemplates.ConnectionPrefix, StringComparison.Ordinal), $"'{{{{{placeholder.Name}}}}}' in the host of the path: only connection values may be there");
            foreach (var name in Templates.Placeholders(path).Select(p => p.Name).Where(parameters.ContainsKey))
                Check(parameters[name].Required, $"parameter '{name}' is in the path, so it must be required");

            var templates = new List<(string Where, string Text)> { ("path", path) };
            templates.AddRange((action.Query ?? []).Select(q => ($"query.{q.Key}", q.Value)));
            templates.AddRange((action.Headers ?? []).Select(h => ($"headers.{h.Key}", h.Value)));
            templates.AddRange(Strings(action.Body, "body"));
            var used = new HashSet<string>(StringComparer.Ordinal);
            foreach (var (where, text) in templates)
            {
                var (names, unknownFilters) = Templates.Inspect(text);
                foreach (var name in names)
                {
                    used.Add(name);
                    Check(parameters.ContainsKey(name) || name.StartsWith(ActionTemplates.ConnectionPrefix, StringComparison.Ordinal),
                        $"{where}: '{{{{{name}}}}}' is not a parameter of the action");
                }
                foreach (var filter in unknownFilters) Check(false, $"{where}: unknown filter '{filter}'");
            }
            foreach (var name in parameters.Keys.Where(n => !used.Contains(n))) Check(false, $"parameter '{name}' is not used by the request");
        }
        return errors;
    }

    static IEnumerable<(string Where, string Text)> Strings(JsonNode? node, string where)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var (key, child) in o)
                {
                    foreach (var item in Strings(child, $"{where}.{key}")) yield return item;
                }
                break;
            case JsonArray a:
                for (var i = 0; i < a.Count; i++)
                {
                    foreach (var item in Strings(a[i], $"{where}[{i}]")) yield return item;
                }
                break;
            case JsonValue v when v.GetValueKind() == JsonValueKind.String:
                yield return (where, v.GetValue<string>());
                break;
        }
    }

    [GeneratedRegex("^[a-z][a-z0-9_]*$")]
    private static partial Regex Id();

    [GeneratedRegex("^[a-z][a-z0-9_]*$")]
    private static partial Regex Name();
}

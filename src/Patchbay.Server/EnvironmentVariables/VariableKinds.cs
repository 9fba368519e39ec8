using System.Globalization;

namespace Patchbay.EnvironmentVariables;

// Where a variable's values live (refold-api.md §3.17). Patchbay's workspace is the environment (test or
// production), so a workspace value is, like an org value, one per environment; it is consulted before the org's.
public static class VariableScopes
{
    public const string Org = "org";
    public const string Workspace = "workspace";
    public const string LinkedAccount = "linked_account";
    public const string Workflow = "workflow";

    public static readonly IReadOnlyList<string> All = [Org, Workspace, LinkedAccount, Workflow];

    public static bool IsValid(string? value) => value is Org or Workspace or LinkedAccount or Workflow;

    // Which value a workflow reads when a name has values at several scopes: the most specific wins.
    public static int Precedence(string scope) => scope switch
    {
        Workflow => 0,
        LinkedAccount => 1,
        Workspace => 2,
        _ => 3,
    };
}

// What a value must look like.
public static class VariableFormats
{
    public const string Text = "string"; // any text
    public const string Number = "number";
    public const string Url = "url";

    public static readonly IReadOnlyList<string> All = [Text, Number, Url];

    public static bool IsValid(string? value) => value is Text or Number or Url;

    public static bool Matches(string format, string value) => format switch
    {
        Number => double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number)
            && value.Trim() == value,
        Url => Uri.TryCreate(value, UriKind.Absolute, out var url) && url.Scheme is "http" or "https" && url.Host.Length > 0,
        _ => true,
    };
}

using System.Text.Json;
using Patchbay.Http;

namespace Patchbay.LinkedAccounts;

public sealed record YourAppInput(string? AppId, IReadOnlyList<KeyValuePair<string, string>> AuthCredentials);

// The body of create and upsert (refold-api.md LA2, LA3): `account_id` or its alias `linked_account_id`, `name`,
// `your_app.auth_credentials`, `udf`, `scope`; for upsert the fields may be nested under `payload`, which wins.
public sealed record LinkedAccountInput(string? AccountId, string? Name, YourAppInput? YourApp, IReadOnlyList<KeyValuePair<string, string?>>? Udf, string? Scope)
{
    public const int MaxAccountIdLength = 256;

    // The objects whose duplicate keys the contract answers with its own messages (checked below), so the body
    // parser leaves them to this class.
    public static readonly IReadOnlySet<string> DuplicatesCheckedHere = new HashSet<string>(StringComparer.Ordinal)
    {
        "your_app.auth_credentials", "payload.your_app.auth_credentials", "udf", "payload.udf",
    };

    public static LinkedAccountInput Parse(JsonElement root, bool allowPayload)
    {
        var payload = allowPayload ? Json.OptionalObject(root, "payload") : null;
        JsonElement Source(string name) => payload is { } p && p.TryGetProperty(name, out _) ? p : root;
        string Path(string name) => payload is { } p && p.TryGetProperty(name, out _) ? "payload." + name : name;

        var accountId = AccountIdFrom(root) ?? (payload is { } pl ? AccountIdFrom(pl) : null);
        var name = Json.OptionalString(Source("name"), "name", Path("name"), Limits.Name);

        YourAppInput? yourApp = null;
        if (Json.OptionalObject(Source("your_app"), "your_app", Path("your_app")) is { } app)
        {
            var appPath = Path("your_app");
            var appId = Json.OptionalString(app, "app_id", appPath + ".app_id");
            if (Json.OptionalObject(app, "auth_credentials", appPath + ".auth_credentials") is not { } credentials)
                throw new ApiException(ApiError.Validation("Valid App ID and Auth credentials required in your_app"));
            var pairs = Json.ScalarMap(credentials, appPath + ".auth_credentials");
            if (pairs.Count == 0) throw new ApiException(ApiError.Validation("Valid App ID and Auth credentials required in your_app"));
            if (pairs.GroupBy(p => p.Key, StringComparer.Ordinal).Any(g => g.Count() > 1))
                throw new ApiException(ApiError.Validation("Duplicate Auth key_name not allowed"));
            var values = new List<KeyValuePair<string, string>>(pairs.Count);
            foreach (var (key, value) in pairs)
            {
                if (key.Length is 0 or > 200) throw new ApiException(ApiError.Validation("Auth credential key names must be 1 to 200 characters"));
                values.Add(new(key, value ?? throw new ApiException(ApiError.Validation($"'{appPath}.auth_credentials.{key}' must be a string"))));
            }
            yourApp = new YourAppInput(appId, values);
        }

        IReadOnlyList<KeyValuePair<string, string?>>? udf = null;
        if (Json.OptionalObject(Source("udf"), "udf", Path("udf")) is { } udfObject)
        {
            var pairs = Json.ScalarMap(udfObject, Path("udf"));
            if (pairs.GroupBy(p => p.Key, StringComparer.Ordinal).Any(g => g.Count() > 1))
                throw new ApiException(ApiError.Validation("Duplicate udf key_name not allowed"));
            if (pairs.Any(p => p.Key.Length is 0 or > 200))
                throw new ApiException(ApiError.Validation("udf key names must be 1 to 200 characters"));
            udf = pairs;
        }

        var scope = Json.OptionalString(Source("scope"), "scope", Path("scope"));
        return new LinkedAccountInput(accountId, name, yourApp, udf, scope);
    }

    static string? AccountIdFrom(JsonElement obj)
    {
        var id = Json.OptionalString(obj, "account_id") ?? Json.OptionalString(obj, "linked_account_id");
        if (id is null) return null;
        id = id.Trim();
        if (id.Length == 0) return null;
        if (id.Length > MaxAccountIdLength || id.Any(char.IsControl))
        {
            throw new ApiException(ApiError.BadRequest(ErrorCodes.InvalidLinkedAccountId,
                $"linked_account_id must be 1 to {MaxAccountIdLength} printable characters"));
        }
        return id;
    }
}

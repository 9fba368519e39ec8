namespace Patchbay.Auth;

public static class OrgEnvironments
{
    public const string Test = "test";
    public const string Production = "production";

    public static bool IsValid(string? value) => value is Test or Production;
}

public enum CallerKind { ApiKey, SessionToken }

// Who is calling: the org and environment always come from the credential (API key or session token), never from
// the request body. A handler takes a Caller parameter; it binds itself from what authentication stored.
public sealed record Caller(string OrgId, string Environment, string? LinkedAccountId, CallerKind Kind, string CredentialId)
{
    public bool IsSession => Kind == CallerKind.SessionToken;

    // For handlers behind Policies.LinkedAccount or Policies.Session, where authorization guarantees the account.
    public string AccountId => LinkedAccountId ?? throw new InvalidOperationException("This endpoint requires a linked account.");

    public static ValueTask<Caller?> BindAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return ValueTask.FromResult(context.Features.Get<Caller>());
    }
}

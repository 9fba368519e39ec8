using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Patchbay.Auth;
using Patchbay.Http;

namespace Patchbay.Audit;

// The audit log, §3.20: GET /api/v2/public/audit/audit-trails. The org key reads its org and environment's entries;
// a session token reads only its own linked account's (the hosted portal shows a user what was done to their account).
public static class AuditApi
{
    public static void MapAudit(this IEndpointRouteBuilder app)
    {
        var audit = app.MapPublic("Audit", "/audit");
        audit.MapGet("/audit-trails", List).RequireAuthorization(Policies.OrgOrSession)
            .WithSummary("List audit trail entries").WithPaging()
            .WithQuery("event", "Only entries of this event, e.g. \"Webhook Created\".")
            .WithQuery(ApiDocs.LinkedAccountId, "Only entries about this linked account (a session token always sees only its own).")
            .WithQuery("from", "Only entries at or after this instant (ISO 8601).")
            .WithQuery("to", "Only entries at or before this instant (ISO 8601).");
    }

    static async Task<Results<Ok<Paginated<AuditEntryResponse>>, ApiError>> List(
        HttpRequest request, Caller caller, AuditStore store, CancellationToken ct)
    {
        var page = Page.From(request);
        var eventName = Limits.Check(Text(request, "event"), "event", Limits.Name);
        var account = Limits.Check(Text(request, ApiDocs.LinkedAccountId), ApiDocs.LinkedAccountId, Limits.Identifier);
        if (!TryInstant(request, "from", out var from)) return ApiError.Validation("'from' must be an ISO 8601 instant");
        if (!TryInstant(request, "to", out var to)) return ApiError.Validation("'to' must be an ISO 8601 instant");
        if (caller.IsSession)
        {
            // Another account's entries are simply not there for a session token.
            if (account is not null && account != caller.AccountId) return TypedResults.Ok(Paginated.Of<AuditEntryResponse>([], 0, page));
            account = caller.AccountId;
        }
        var (rows, total) = await store.ListAsync(new AuditQuery(caller.OrgId, caller.Environment, eventName, account, from, to), page, ct);
        return TypedResults.Ok(Paginated.Of(rows.Select(AuditEntryResponse.From).ToList(), total, page));
    }

    static string? Text(HttpRequest request, string name) => request.Query[name].ToString() is { Length: > 0 } value ? value : null;

    static bool TryInstant(HttpRequest request, string name, out DateTimeOffset? value)
    {
        value = null;
        if (Text(request, name) is not { } raw) return true;
        if (!DateTimeOffset.TryParse(raw, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed)) return false;
        value = parsed.ToUniversalTime();
        return true;
    }
}

using System.Text.Json;
using Patchbay.Data;

namespace Patchbay.Audit;

// One change, as a write path describes it: which org and environment, the event, what it touched, the linked account
// it belongs to (its account_id), and a small summary. The summary never holds a secret value: callers put names,
// ids, counts and flags in it, never credentials, tokens, passwords or secret variables' values.
public sealed record AuditChange(string OrgId, string Environment, string Event, string ResourceType, string? ResourceId,
    string? LinkedAccountId = null, object? Details = null);

public static class AuditLog
{
    static readonly JsonSerializerOptions DetailsJson = new(Http.ApiJson.Options) { WriteIndented = false };

    // Writes the entry in the caller's transaction, so it commits or rolls back with the change it records. The
    // actor is the current request's (or command's, or the server's).
    public static Task RecordAsync(DbTx tx, AuditChange change, DateTimeOffset now, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(change);
        if (!AuditEvents.All.Contains(change.Event)) throw new ArgumentException($"Unknown audit event '{change.Event}'", nameof(change));
        var actor = AuditActor.Current;
        return AuditStore.InsertAsync(tx, new AuditRow
        {
            Id = Ids.New(now),
            OrgId = change.OrgId,
            Environment = change.Environment,
            Event = change.Event,
            ResourceType = change.ResourceType,
            ResourceId = change.ResourceId,
            LinkedAccountId = change.LinkedAccountId,
            ActorType = actor.Type,
            ActorId = actor.Id,
            IpAddress = actor.IpAddress,
            RequestId = actor.RequestId,
            Details = JsonSerializer.Serialize(change.Details ?? new { }, DetailsJson),
            CreatedAt = now,
        }, ct);
    }
}

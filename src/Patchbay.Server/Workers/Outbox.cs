using System.Text.Json;
using Microsoft.Extensions.Options;
using Patchbay.Data;

namespace Patchbay.Workers;

// A message of the transactional outbox: what happened (`Topic`), to whom (org, environment) and its JSON payload.
public sealed record OutboxMessage
{
    public string Id { get; init; } = "";
    public required string Topic { get; init; }
    public required string OrgId { get; init; }
    public required string Environment { get; init; }
    public required string Payload { get; init; }
    public int Attempts { get; init; }

    public static OutboxMessage Of<T>(string topic, string orgId, string environment, T payload) =>
        new() { Topic = topic, OrgId = orgId, Environment = environment, Payload = JsonSerializer.Serialize(payload, Http.ApiJson.Options) };
}

// A feature that acts on the messages of one topic (e.g. outbound webhooks on "execution.finished"). A topic may have
// several handlers (webhooks, the audit log…); each is called for every message. Delivery is at least once: when one
// handler fails, every handler of that message is called again later, and a node that dies mid-delivery leaves the
// message to another node; handlers make their effect idempotent by the message's Id.
public interface IOutboxHandler
{
    string Topic { get; }

    Task HandleAsync(OutboxMessage message, CancellationToken ct);

    // Several messages of the topic at once, so a handler can write them in one transaction (one commit for many
    // rather than one each); by default one by one. If it fails, the worker falls back to one message at a time, so
    // a message that always fails holds back only itself.
    async Task HandleBatchAsync(IReadOnlyList<OutboxMessage> messages, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(messages);
        foreach (var message in messages) await HandleAsync(message, ct);
    }
}

// The other half of the durable-work building block (LeasedWork is the first): effects written in the same
// transaction as the state change that causes them, so a message can never be lost, nor sent for a change that
// rolled back. Producers call EnqueueAsync inside their transaction; nothing is written for a topic no handler
// listens to.
public sealed class Outbox(IEnumerable<IOutboxHandler> handlers)
{
    readonly Dictionary<string, IOutboxHandler[]> byTopic = handlers.GroupBy(h => h.Topic, StringComparer.Ordinal)
        .ToDictionary(g => g.Key, g => g.ToArray(), StringComparer.Ordinal);

    public bool Publishes(string topic) => byTopic.ContainsKey(topic);

    internal IReadOnlyList<IOutboxHandler> HandlersFor(string topic) => byTopic.GetValueOrDefault(topic) ?? [];

    // Writes the message in `tx` when its topic has a handler; true when written.
    public async Task<bool> EnqueueAsync(DbTx tx, OutboxMessage message, DateTimeOffset now, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(tx);
        ArgumentNullException.ThrowIfNull(message);
        if (!Publishes(message.Topic)) return false;
        await OutboxStore.InsertAsync(tx, message with { Id = Ids.New(now) }, now, ct);
        return true;
    }
}

public static class OutboxStore
{
    internal static readonly LeasedWork Due = new("outbox", "available_at <= @now", "available_at");

    public static Task InsertAsync(DbTx tx, OutboxMessage m, DateTimeOffset now, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(tx);
        ArgumentNullException.ThrowIfNull(m);
        return tx.ExecuteAsync("""
            insert into outbox (id, topic, org_id, environment, payload, created_at, available_at)
            values (@Id, @Topic, @OrgId, @Environment, @Payload, @now, @now)
            """, new { m.Id, m.Topic, m.OrgId, m.Environment, m.Payload, now }, ct);
    }

    // Deletes handled messages (one statement for a batch).
    public static Task<int> DeleteAsync(Db db, IReadOnlyCollection<string> ids, string owner, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(ids);
        return ids.Count == 0
            ? Task.FromResult(0)
            : db.ExecuteAsync($"delete from outbox where {db.Dialect.InList("id", "ids")} and lease_owner = @owner", new { ids = ids.ToArray(), owner }, ct);
    }

    public static Task<int> RetryLaterAsync(Db db, string id, string owner, DateTimeOffset at, string error, CancellationToken ct) =>
        db.ExecuteAsync("""
            update outbox set attempts = attempts + 1, available_at = @at, last_error = @error, lease_owner = null, lease_until = null
            where id = @id and lease_owner = @owner
            """, new { id, owner, at, error }, ct);
}

// Delivers due outbox messages to every handler of their topic: claimed with a lease (any node may deliver; a dead node's claims
// come back), deleted once handled, retried with exponential backoff (30 s doubling, at most 1 h) when the handler
// fails. A message whose topic lost its handler (a feature turned off) is dropped.
public sealed partial class OutboxWorker(Db db, Outbox outbox, TimeProvider time, IOptions<WorkerOptions> options, StartupGate startup, Data.Node node, ILogger<OutboxWorker> logger)
    : PollingWorker(time, options, startup, node, logger)
{
    const int Batch = 200;
    readonly WorkerOptions settings = options.Value;

    TimeSpan Lease => settings.OutboxLease;
    readonly string owner = node.Owner("outbox");

    protected override TimeSpan Interval => settings.OutboxPollInterval;

    public override async Task<bool> RunOnceAsync(CancellationToken ct)
    {
        var due = await OutboxStore.Due.ClaimAsync<OutboxMessage>(db, owner, Time.GetUtcNow(), Lease, Batch, ct,
            returning: "id, topic, org_id, environment, payload, attempts");
        var handled = new List<string>(due.Count);
        foreach (var topic in due.GroupBy(m => m.Topic, StringComparer.Ordinal))
        {
            var messages = topic.ToList();
            if (messages.Count > 1)
            {
                try
                {
                    foreach (var handler in outbox.HandlersFor(topic.Key)) await handler.HandleBatchAsync(messages, ct);
                    handled.AddRange(messages.Select(m => m.Id));
                    continue;
                }
                catch (Exception) when (!ct.IsCancellationRequested)
                {
                    // One at a time below: the failing message is retried alone.
                }
            }
            foreach (var message in messages)
            {
                try
                {
                    foreach (var handler in outbox.HandlersFor(message.Topic)) await handler.HandleAsync(message, ct);
                    handled.Add(message.Id);
                }
                catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
                {
                    var delay = TimeSpan.FromSeconds(Math.Min(3600, 30 * Math.Pow(2, Math.Min(message.Attempts, 10))));
                    LogRetry(logger, message.Topic, message.Id, e.GetType().Name, delay);
                    await OutboxStore.RetryLaterAsync(db, message.Id, owner, Time.GetUtcNow() + delay, e.Message, ct);
                }
            }
        }
        await OutboxStore.DeleteAsync(db, handled, owner, ct);
        return due.Count == Batch;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outbox message {Topic} {MessageId} failed ({Error}); retrying in {Delay}")]
    static partial void LogRetry(ILogger logger, string topic, string messageId, string error, TimeSpan delay);
}

using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using Patchbay.Auth;
using Patchbay.Data;
using Patchbay.Egress;

namespace Patchbay.Webhooks;

// One attempt of one message: signed, sent through the egress policy (internal addresses refused unless allowed;
// redirects are not followed, a 3xx is a failed attempt), bounded by the attempt timeout, and its outcome decided:
// delivered on 2xx; 410 gives up and disables the subscription; anything else is retried on the schedule (with
// jitter, and no sooner than a Retry-After asks) until the schedule ends.
public sealed class WebhookSender(IHttpClientFactory clients, Vault.Vault vault, IOptions<WebhookOptions> options, TimeProvider time)
{
    public const int LoggedBodyBytes = 1024;

    static readonly HashSet<string> Reserved = new(StringComparer.OrdinalIgnoreCase)
    {
        "host", "content-type", "content-length", "transfer-encoding", "connection", "webhook-id", "webhook-timestamp", "webhook-signature",
        "x-cobalt-signature",
    };

    // Plaintext of sealed values by their sealed text: a sealed value never changes, so this can only go stale by
    // holding a secret that is no longer used (bounded below).
    readonly ConcurrentDictionary<string, byte[]> opened = new(StringComparer.Ordinal);

    public async Task<AttemptOutcome?> AttemptAsync(WebhookMessageRow message, WebhookRow hook, (string Id, string? Sealed)? apiKey,
        DeliveryPolicy policy, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(hook);
        ArgumentNullException.ThrowIfNull(policy);
        var body = Encoding.UTF8.GetBytes(message.Body);
        var now = time.GetUtcNow();
        int? code = null;
        string? snippet = null, error = null;
        TimeSpan? retryAfter = null;
        var clock = Stopwatch.StartNew();
        try
        {
            using var request = await BuildAsync(message, hook, apiKey, body, now, ct);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(options.Value.Timeout);
            try
            {
                using var response = await clients.CreateClient(EgressFeature.HttpClientName).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
                code = (int)response.StatusCode;
                retryAfter = RetryAfter(response.Headers.RetryAfter, now);
                snippet = await PrefixAsync(response.Content, timeout.Token);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                error = code is null ? $"timed out after {options.Value.Timeout.TotalSeconds:0.###} s" : null;
            }
            catch (HttpRequestException e)
            {
                error = (e.InnerException as EgressException ?? e.InnerException?.InnerException as EgressException)?.Message ?? e.Message;
            }
            catch (EgressException e)
            {
                error = e.Message;
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return null; // shutting down: the message comes back when its lease ends
        }
        var attempt = new WebhookAttemptRow
        {
            Id = Ids.New(now), MessageId = message.Id, AttemptedAt = now, ResponseStatus = code, DurationMs = (int)clock.ElapsedMilliseconds,
            ResponseBody = snippet, Error = error, Status = code is >= 200 and < 300 ? AttemptStatuses.Succeeded : AttemptStatuses.Failed,
        };
        return Decide(attempt, message, hook, policy, retryAfter, time.GetUtcNow());
    }

    static AttemptOutcome Decide(WebhookAttemptRow attempt, WebhookMessageRow message, WebhookRow hook, DeliveryPolicy policy, TimeSpan? retryAfter,
        DateTimeOffset now)
    {
        if (attempt.Status == AttemptStatuses.Succeeded)
            return new(attempt, hook.Id, MessageStatuses.Delivered, null, true, null, WasFailing: hook.FailingSince is not null);
        if (attempt.ResponseStatus == 410)
            return new(attempt, hook.Id, MessageStatuses.Failed, null, false, "the receiver answered 410 Gone");
        var failingFor = hook.FailingSince is { } since ? now - since : TimeSpan.Zero;
        var disable = failingFor >= policy.DisableAfter
            ? $"failing without a success since {hook.FailingSince:O} (more than {policy.DisableAfter.TotalHours:0.##} h)"
            : null;
        var made = message.Attempts + 1;
        if (disable is not null || made > policy.Schedule.Count) return new(attempt, hook.Id, MessageStatuses.Failed, null, false, disable);
        var delay = policy.Schedule[made - 1] * (0.9 + (0.2 * Random.Shared.NextDouble())); // ±10 % jitter spreads retries of one outage
        if (retryAfter is { } asked && asked > delay) delay = asked;
        return new(attempt, hook.Id, MessageStatuses.Pending, now + delay, false, null);
    }

    public AttemptOutcome Skipped(WebhookMessageRow message, WebhookRow hook, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(hook);
        var attempt = new WebhookAttemptRow
        {
            Id = Ids.New(now), MessageId = message.Id, AttemptedAt = now, Status = AttemptStatuses.Skipped,
            Error = "not sent: the subscription is disabled" + (hook.DisabledReason is { } r ? $" ({r})" : ""),
        };
        return new(attempt, hook.Id, MessageStatuses.Failed, null, false, null);
    }

    async Task<HttpRequestMessage> BuildAsync(WebhookMessageRow message, WebhookRow hook, (string Id, string? Sealed)? apiKey, byte[] body,
        DateTimeOffset now, CancellationToken ct)
    {
        var request = new HttpRequestMessage(new HttpMethod(hook.Method), hook.WebhookUrl) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        if (message.Headers is { } headers)
        {
            foreach (var (name, value) in JsonNode.Parse(headers)!.AsObject())
            {
                if (!Reserved.Contains(name)) request.Headers.TryAddWithoutValidation(name, value?.GetValue<string>());
            }
        }
        var secrets = new List<byte[]> { await OpenAsync(hook.SealedSecret, WebhookStore.SealContext(hook.Id), secret: true, ct) };
        if (hook.SealedPreviousSecret is { } previous && hook.PreviousSecretUntil > now)
            secrets.Add(await OpenAsync(previous, WebhookStore.SealContext(hook.Id), secret: true, ct));
        var timestamp = now.ToUnixTimeSeconds();
        request.Headers.TryAddWithoutValidation("webhook-id", message.Id);
        request.Headers.TryAddWithoutValidation("webhook-timestamp", timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.TryAddWithoutValidation("webhook-signature", WebhookSigning.StandardSignature(secrets, message.Id, timestamp, body));
        if (apiKey is { Sealed: { } sealedKey } key)
        {
            var plain = await OpenAsync(sealedKey, ApiKeyStore.SealContext(key.Id), secret: false, ct);
            request.Headers.TryAddWithoutValidation("x-cobalt-signature", WebhookSigning.CobaltSignature(Encoding.UTF8.GetString(plain), body));
        }
        request.Headers.UserAgent.ParseAdd("Patchbay-Webhooks/1");
        return request;
    }

    async Task<byte[]> OpenAsync(string sealedValue, string context, bool secret, CancellationToken ct)
    {
        if (opened.TryGetValue(sealedValue, out var cached)) return cached;
        var plain = (await vault.OpenAsync(sealedValue, context, ct)).Value;
        var bytes = secret ? WebhookSigning.SecretBytes(plain) : Encoding.UTF8.GetBytes(plain);
        if (opened.Count > 10_000) opened.Clear();
        opened[sealedValue] = bytes;
        return bytes;
    }

    static TimeSpan? RetryAfter(RetryConditionHeaderValue? header, DateTimeOffset now)
    {
        var asked = header?.Delta ?? (header?.Date is { } date ? date - now : null);
        if (asked is not { } delay || delay <= TimeSpan.Zero) return null;
        return delay < TimeSpan.FromDays(1) ? delay : TimeSpan.FromDays(1);
    }

    static async Task<string?> PrefixAsync(HttpContent content, CancellationToken ct)
    {
        await using var stream = await content.ReadAsStreamAsync(ct);
        var buffer = new byte[LoggedBodyBytes];
        var read = 0;
        while (read < buffer.Length && await stream.ReadAsync(buffer.AsMemory(read), ct) is var n and > 0) read += n;
        return read == 0 ? null : Encoding.UTF8.GetString(buffer, 0, read);
    }
}

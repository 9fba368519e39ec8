using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using Patchbay.Apps;
using Patchbay.Connections;
using Patchbay.Egress;
using Patchbay.OAuth;
using Patchbay.Sandbox;
using Patchbay.Workflows;
using Patchbay.Workflows.Engine;

namespace Patchbay.Executions;

// The node types that need IO or a sandbox: http, code, condition expressions, wait for webhook, call workflow, human
// task, data. The others are pure and run inside the engine.
public sealed class NodeRunner(
    CodeSandbox sandbox, IHttpClientFactory httpClientFactory, ProviderClient provider, AppCatalog catalog, ConnectionStore connections,
    OAuthTokens tokens, ExecutionStore executions, WorkflowStore workflows, WebhookIds webhookIds, HumanTasks.HumanTaskNode humanTasks,
    IOptions<WorkflowOptions> options, TimeProvider time, IDataNodes data, Actions.ActionRunner actions)
{
    const int MaxBodyBytes = 5 * 1024 * 1024;

    public async Task<NodeOutcome> RunAsync(StepPlan plan, ExecutionRow execution, StepEffects effects, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(execution);
        try
        {
            return plan.Node.Type switch
            {
                NodeTypes.Code => new NodeOutcome.Done(await sandbox.RunAsync(WorkflowDefinition.Text(plan.Settings["code"])!, Input(plan), ct)),
                NodeTypes.Condition => await ConditionAsync(plan, ct),
                NodeTypes.Http => await HttpAsync(plan, execution, ct),
                NodeTypes.WaitWebhook => await WaitAsync(plan, effects, ct),
                NodeTypes.CallWorkflow => await CallAsync(plan, execution, effects, ct),
                NodeTypes.HumanTask => await humanTasks.RunAsync(plan, execution, effects, ct),
                NodeTypes.Table or NodeTypes.Dataref or NodeTypes.Datastore => await data.RunAsync(plan, execution, ct),
                NodeTypes.Action => await ActionAsync(plan, execution, ct),
                _ => new NodeOutcome.Failed($"node type '{plan.Node.Type}' cannot run here", Retryable: false),
            };
        }
        catch (CodeSandbox.ScriptException e)
        {
            return new NodeOutcome.Failed(e.Message, Retryable: false);
        }
    }

    static JsonObject Input(StepPlan plan) => plan.Context;

    // An app's action for the execution's account: the AC3 result as output; a provider's error fails the node unless
    // fail_on_status is false (then the result, node_status Failed, is the output).
    async Task<NodeOutcome> ActionAsync(StepPlan plan, ExecutionRow execution, CancellationToken ct)
    {
        var s = plan.Settings;
        var slug = WorkflowDefinition.Text(s["app"]) ?? ValueTemplates.AsText(s["app"]);
        var actionId = WorkflowDefinition.Text(s["action_id"]) ?? ValueTemplates.AsText(s["action_id"]);
        if (s["parameters"] is not (null or JsonObject)) return new NodeOutcome.Failed("'parameters' must be an object", Retryable: false);
        Actions.ActionResult result;
        try
        {
            result = await actions.ExecuteAsync(execution.OrgId, execution.Environment, execution.AccountId, slug, actionId,
                (JsonObject?)s["parameters"]?.DeepClone() ?? [], ct);
        }
        catch (Http.ApiException e)
        {
            return new NodeOutcome.Failed(e.Error.Message, Retryable: false);
        }
        var output = new JsonObject { ["node_status"] = result.NodeStatus, ["data"] = result.Data, ["http_status"] = result.HttpStatus };
        if (!result.Succeeded && s["fail_on_status"]?.GetValueKind() != JsonValueKind.False)
        {
            return new NodeOutcome.Failed($"{result.Error ?? result.NodeStatus}: {ValueTemplates.Describe(result.Data)}",
                Retryable: result.HttpStatus is >= 500 or 429);
        }
        return new NodeOutcome.Done(output);
    }

    async Task<NodeOutcome.Done> ConditionAsync(StepPlan plan, CancellationToken ct)
    {
        var value = await sandbox.RunAsync("return (" + WorkflowDefinition.Text(plan.Settings["expression"]) + ");", Input(plan), ct);
        var truthy = value switch
        {
            null => false,
            JsonValue v when v.GetValueKind() == JsonValueKind.False => false,
            JsonValue v when v.GetValueKind() == JsonValueKind.Number => v.GetValue<double>() != 0,
            JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>().Length > 0,
            _ => true,
        };
        return new NodeOutcome.Done(new JsonObject { ["result"] = truthy }, truthy ? "true" : "false");
    }

    async Task<NodeOutcome> HttpAsync(StepPlan plan, ExecutionRow execution, CancellationToken ct)
    {
        var s = plan.Settings;
        var method = new HttpMethod((WorkflowDefinition.Text(s["method"]) ?? "GET").ToUpperInvariant());
        var timeout = s["timeout_seconds"] is JsonValue t && t.TryGetValue<double>(out var seconds) && seconds > 0 ? TimeSpan.FromSeconds(Math.Min(seconds, 600)) : options.Value.HttpTimeout;
        var headers = Strings(s["headers"]);
        var query = Strings(s["query"]);
        var body = s["body"];
        int status;
        byte[] bytes;
        string? contentType;

        if (WorkflowDefinition.Text(s["app"]) is { } slug)
        {
            // A connected app: the linked account's credentials, applied as the app's manifest says.
            if (catalog.Find(slug) is not { } app) return new NodeOutcome.Failed($"no app '{slug}' in the catalog", Retryable: false);
            // The account's credentials go only to the app's own API: a path, never a URL of its own.
            var path = WorkflowDefinition.Text(s["path"]) ?? "";
            if (!path.StartsWith('/') || path.StartsWith("//", StringComparison.Ordinal) || path.Contains("://", StringComparison.Ordinal) || path.Contains('\\'))
                return new NodeOutcome.Failed($"'path' must be a path on {app.Name}'s API starting with '/' ({ValueTemplates.Describe(s["path"])})", Retryable: false);
            var mine = (await connections.ForAccountAsync(execution.LinkedAccountRowId, ct)).Where(c => c.AppKey == slug).ToList();
            var wanted = WorkflowDefinition.Text(s["auth_type"]);
            var chosen = mine.FirstOrDefault(c => (wanted is null || c.AuthType == wanted) && c.Status == ConnectionStatus.Active);
            if (chosen is null)
                return new NodeOutcome.Failed(mine.Count == 0 ? $"the linked account has not connected {app.Name}" : $"the {app.Name} connection has expired; reconnect it", Retryable: false);
            var context = await connections.FindContextAsync(execution.LinkedAccountRowId, slug, chosen.AuthType, ct);
            Dictionary<string, string> values;
            try
            {
                values = await tokens.CredentialsAsync(context!, ct);
            }
            catch (OAuthTokens.ReauthRequiredException e)
            {
                return new NodeOutcome.Failed(e.Message, Retryable: false);
            }
            try
            {
                var response = await provider.SendAsync(app, chosen.AuthType, values,
                    new ProviderRequest(method, WorkflowDefinition.Text(s["path"])!, query, headers, body?.DeepClone()), timeout, ct);
                (status, bytes, contentType) = (response.Status, response.Body, response.ContentType);
            }
            catch (ProviderException e)
            {
                return new NodeOutcome.Failed(e.Message, Retryable: e.Failure is not (ProviderFailure.Blocked or ProviderFailure.DnsNotFound));
            }
        }
        else
        {
            if (!Uri.TryCreate(WorkflowDefinition.Text(s["url"]), UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
                return new NodeOutcome.Failed($"'url' is not an absolute http(s) URL ({ValueTemplates.Describe(s["url"])})", Retryable: false);
            if (query.Count > 0)
                url = new Uri(url + (url.Query.Length > 0 ? "&" : "?") + string.Join("&", query.Select(q => $"{Uri.EscapeDataString(q.Key)}={Uri.EscapeDataString(q.Value)}")));
            using var message = new HttpRequestMessage(method, url);
            if (body is not null && method != HttpMethod.Get && method != HttpMethod.Head)
            {
                message.Content = body is JsonValue v && v.GetValueKind() == JsonValueKind.String
                    ? new StringContent(v.GetValue<string>(), Encoding.UTF8, "text/plain")
                    : new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
            }
            foreach (var (name, value) in headers)
            {
                if (!message.Headers.TryAddWithoutValidation(name, value)) message.Content?.Headers.TryAddWithoutValidation(name, value);
            }
            message.Headers.UserAgent.ParseAdd("Patchbay/1.0");
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
            deadline.CancelAfter(timeout);
            try
            {
                using var response = await httpClientFactory.CreateClient(EgressFeature.HttpClientName).SendAsync(message, HttpCompletionOption.ResponseHeadersRead, deadline.Token);
                status = (int)response.StatusCode;
                contentType = response.Content.Headers.ContentType?.MediaType;
                bytes = await ReadCappedAsync(response.Content, deadline.Token);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                return new NodeOutcome.Failed($"no answer from {url.Host} within {timeout.TotalSeconds:0.#} s", Retryable: true);
            }
            catch (HttpRequestException e)
            {
                var egress = e.InnerException as EgressException ?? e.InnerException?.InnerException as EgressException;
                return new NodeOutcome.Failed(egress?.Message ?? $"request to {url.Host} failed ({e.HttpRequestError})", Retryable: egress is null);
            }
        }

        var text = Encoding.UTF8.GetString(bytes);
        JsonNode? parsed;
        try { parsed = contentType?.Contains("json", StringComparison.OrdinalIgnoreCase) == true || text.TrimStart().StartsWith('{') || text.TrimStart().StartsWith('[') ? JsonNode.Parse(text) : JsonValue.Create(text); }
        catch (JsonException) { parsed = JsonValue.Create(text); }
        var output = new JsonObject { ["status"] = status, ["body"] = parsed, ["content_type"] = contentType };
        var failOnStatus = s["fail_on_status"]?.GetValueKind() != JsonValueKind.False;
        if (failOnStatus && status >= 400)
            return new NodeOutcome.Failed($"HTTP {status}: {ValueTemplates.Describe(parsed)}", Retryable: status >= 500 || status == 429);
        return new NodeOutcome.Done(output);
    }

    static async Task<byte[]> ReadCappedAsync(HttpContent content, CancellationToken ct)
    {
        await using var stream = await content.ReadAsStreamAsync(ct);
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await stream.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > MaxBodyBytes) throw new HttpRequestException($"the response is larger than {MaxBodyBytes / 1_048_576} MB");
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }

    static Dictionary<string, string> Strings(JsonNode? node) =>
        node is JsonObject o ? o.Where(p => p.Value is not null).ToDictionary(p => p.Key, p => ValueTemplates.AsText(p.Value), StringComparer.OrdinalIgnoreCase) : [];

    // Parks until POST /api/v1/workflows/webhooks/{id} delivers a body (or its timeout passes).
    async Task<NodeOutcome> WaitAsync(StepPlan plan, StepEffects effects, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        if (plan.Resuming is { Ref: { } reference } waiting)
        {
            var id = webhookIds.Id(reference);
            var hash = WebhookIds.Hash(id);
            var wait = await executions.GetWaitAsync(hash, ct);
            if (wait?.ReceivedAt is not null)
            {
                effects.DeleteWait = hash;
                return new NodeOutcome.Done(new JsonObject { ["webhook_id"] = id, ["body"] = wait.Body is null ? null : JsonNode.Parse(wait.Body) });
            }
            if (waiting.Until is { } until && now >= until)
            {
                effects.DeleteWait = hash;
                return new NodeOutcome.Failed("no webhook arrived before the wait's timeout", Retryable: false);
            }
            return new NodeOutcome.Park(waiting);
        }
        var newReference = WebhookIds.NewReference(); // the URL's id derives from it (see WebhookIds)
        effects.CreateWait = (WebhookIds.Hash(webhookIds.Id(newReference)), plan.Node.Id);
        DateTimeOffset? deadline = plan.Settings["timeout_seconds"] is JsonValue t && t.TryGetValue<double>(out var seconds) && seconds > 0
            ? now.AddSeconds(Math.Min(seconds, WorkflowDefinition.MaxWaitSeconds)) : null;
        return new NodeOutcome.Park(new WaitState(plan.Node.Id, WaitKinds.Webhook, deadline, newReference));
    }

    // Starts a child execution of another published workflow for the same account, and parks until it ends.
    async Task<NodeOutcome> CallAsync(StepPlan plan, ExecutionRow execution, StepEffects effects, CancellationToken ct)
    {
        if (plan.Resuming is { Ref: { } childId } waiting)
        {
            var ran = await executions.GetAsync(childId, ct);
            if (ran is null) return new NodeOutcome.Failed($"child execution {childId} is gone", Retryable: false);
            if (!ExecutionStatus.IsFinal(ran.Status)) return new NodeOutcome.Park(waiting);
            return ran.Status == ExecutionStatus.Completed
                ? new NodeOutcome.Done(new JsonObject
                {
                    ["execution_id"] = ran.Id, ["status"] = ran.Status,
                    ["return_value"] = ran.ReturnValue is null ? null : JsonNode.Parse(ran.ReturnValue),
                })
                : new NodeOutcome.Failed($"child execution {ran.Id} ended {ran.Status}{(ran.Error is null ? "" : ": " + ran.Error)}", Retryable: false);
        }
        var target = WorkflowDefinition.Text(plan.Settings["workflow_id"]) ?? ValueTemplates.AsText(plan.Settings["workflow_id"]);
        var version = await workflows.LiveVersionAsync(execution.OrgId, execution.Environment, target, ct);
        if (version is null) return new NodeOutcome.Failed($"no published workflow '{target}'", Retryable: false);
        if (version.IsPrivate && version.LinkedAccountRowId != execution.LinkedAccountRowId)
            return new NodeOutcome.Failed($"workflow '{target}' is private to another linked account", Retryable: false);
        var definition = await workflows.DefinitionAsync(version.Id, ct);
        var now = time.GetUtcNow();
        var payload = plan.Settings["payload"] ?? new JsonObject();
        var child = ExecutionFactory.New(version, definition, execution.OrgId, execution.Environment, execution.LinkedAccountRowId, execution.AccountId,
            execution.ConfigId, payload, ExecutionTypes.Async, ExecutionSources.ApiCall, execution.InstanceTag, null, now) with
        {
            ParentExecutionId = execution.Id, ParentNodeId = plan.Node.Id, Name = $"Child of execution {execution.Id}",
        };
        effects.Child = child;
        return new NodeOutcome.Park(new WaitState(plan.Node.Id, WaitKinds.Child, null, child.Id));
    }
}

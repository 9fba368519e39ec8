using System.Text.Json;
using System.Text.Json.Nodes;
using Patchbay.Auth;
using Patchbay.Data;
using Patchbay.Executions;
using Patchbay.Http;
using Patchbay.Workflows.Engine;

namespace Patchbay.Workflows;

public sealed record EventRow(string Id, string OrgId, string Environment, string Name, string Response, string Fields, string? JsonSchema,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

// Custom events of the org's default app (refold-api.md §3.8 EV1–EV5) and firing them (EV6–EV10).
public static class EventsApi
{
    public static void MapEvents(this IEndpointRouteBuilder app)
    {
        foreach (var prefix in (string[])["/api/v2/public/application/event", "/api/v2/public/event"]) // the Node SDK's stale paths too
        {
            var api = app.MapGroup(prefix).WithTags("Events").RequireAuthorization(Policies.Org);
            api.MapGet("", List);
            api.MapGet("/{eventId}", Get);
            api.MapPut("/{eventId}", Update);
            api.MapDelete("/{eventId}", Delete);
            if (prefix.EndsWith("application/event", StringComparison.Ordinal)) api.MapPost("", Create);
        }
        var fire = app.MapGroup("").WithTags("Events").RequireAuthorization(Policies.LinkedAccount);
        fire.MapPost("/api/v2/public/event/trigger", (HttpContext http, Caller c, [AsParameters] EventDeps d, CancellationToken ct) => FireAsync(http, c, d, null, ct));
        fire.MapPost("/api/v2/public/event/{slug}", (string slug, HttpContext http, Caller c, [AsParameters] EventDeps d, CancellationToken ct) => FireAsync(http, c, d, slug, ct));
        fire.MapPost("/api/v2/public/event", (HttpContext http, Caller c, [AsParameters] EventDeps d, CancellationToken ct) => FireAsync(http, c, d, null, ct));
        fire.MapPost("/api/v1/event/trigger", (HttpContext http, Caller c, [AsParameters] EventDeps d, CancellationToken ct) => FireAsync(http, c, d, null, ct));
        fire.MapPost("/api/v1/webhook/{appId}", (string appId, HttpContext http, Caller c, [AsParameters] EventDeps d, CancellationToken ct) => FireAsync(http, c, d, null, ct));
    }

    public sealed record EventDeps(Db Db, ExecutionService Service, WorkflowStore Workflows, TimeProvider Time);

    static IResult Json(JsonNode node, int status = 200) => JsonBody.Result(node, status);

    static JsonObject View(EventRow e)
    {
        var o = new JsonObject { ["_id"] = e.Id, ["name"] = e.Name, ["response"] = e.Response, ["fields"] = JsonNode.Parse(e.Fields) };
        if (e.JsonSchema is not null) o["json_schema"] = JsonNode.Parse(e.JsonSchema);
        return o;
    }

    const string Columns = "id, org_id, environment, name, response, fields, json_schema, created_at, updated_at";

    static async Task<JsonArray> AllAsync(Db db, Caller caller, CancellationToken ct) =>
        new([.. (await db.QueryAsync<EventRow>($"select {Columns} from workflow_events where org_id = @OrgId and environment = @Environment order by created_at, id",
            new { caller.OrgId, caller.Environment }, ct)).Select(e => (JsonNode)View(e))]);

    static async Task<EventRow> FindAsync(Db db, Caller caller, string id, CancellationToken ct) =>
        await db.QueryFirstOrDefaultAsync<EventRow>($"select {Columns} from workflow_events where id = @id and org_id = @OrgId and environment = @Environment",
            new { id, caller.OrgId, caller.Environment }, ct)
        ?? throw new ApiException(ApiError.NotFound(ErrorCodes.ResourceNotFound, "Event not found"));

    static async Task<IResult> List(Caller caller, Db db, CancellationToken ct) => Json(await AllAsync(db, caller, ct));

    static async Task<IResult> Get(string eventId, Caller caller, Db db, CancellationToken ct) => Json(View(await FindAsync(db, caller, eventId, ct)));

    // {name, response (a sample payload: JSON text or an object), json_schema?}
    static async Task<(string Name, string Response, string Fields, string? Schema)> ReadAsync(HttpContext http, bool update)
    {
        using var body = await JsonBody.ReadObjectAsync(http);
        var root = body.RootElement;
        var name = root.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String ? Limits.Check(n.GetString(), "name", Limits.Name)!.Trim() : "";
        if (name.Length == 0 || !root.TryGetProperty("response", out var r) || r.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined)
        {
            throw new ApiException(update // EV4 and EV2 word it differently
                ? ApiError.BadRequest("INVALID_EVENT", "Event name and response is required")
                : ApiError.BadRequest(ErrorCodes.ServerError, "name and response are required"));
        }
        var response = r.ValueKind == JsonValueKind.String ? r.GetString()! : r.GetRawText();
        JsonNode? sample;
        using (var parsed = JsonBody.Parse(response, "'response' (a JSON sample of the event's payload)"))
            sample = JsonNode.Parse(parsed.RootElement.GetRawText());
        string? schema = null;
        if (root.TryGetProperty("json_schema", out var s) && s.ValueKind != JsonValueKind.Null)
        {
            if (s.ValueKind != JsonValueKind.Object) throw new ApiException(ApiError.Validation("'json_schema' must be an object"));
            schema = s.GetRawText();
        }
        return (name, response, Flatten(sample).ToJsonString(), schema);
    }

    // The sample's keys, dot-separated for nesting, with a type each (the list Refold shows as `response`).
    static JsonArray Flatten(JsonNode? sample)
    {
        var fields = new JsonArray { new JsonObject { ["key"] = "event", ["type"] = "text" }, new JsonObject { ["key"] = "payload", ["type"] = "object" } };
        void Walk(JsonNode? node, string path)
        {
            if (node is not JsonObject o)
            {
                return;
            }
            foreach (var (key, value) in o)
            {
                var full = $"{path}.{key}";
                fields.Add(new JsonObject
                {
                    ["key"] = full,
                    ["type"] = value switch
                    {
                        JsonObject => "object", JsonArray => "array", JsonValue v when v.GetValueKind() == JsonValueKind.Number => "number",
                        JsonValue v when v.GetValueKind() is JsonValueKind.True or JsonValueKind.False => "boolean", _ => "text",
                    },
                });
                Walk(value, full);
            }
        }
        Walk(sample, "payload");
        return fields;
    }

    static async Task<IResult> Create(HttpContext http, Caller caller, Db db, TimeProvider time, CancellationToken ct)
    {
        var (name, response, fields, schema) = await ReadAsync(http, update: false);
        var now = time.GetUtcNow();
        try
        {
            await db.ExecuteAsync($"""
                insert into workflow_events ({Columns}) values (@id, @OrgId, @Environment, @name, @response, @fields, @schema, @now, @now)
                """, new { id = Ids.New(now), caller.OrgId, caller.Environment, name, response, fields, schema, now }, ct);
        }
        catch (System.Data.Common.DbException e) when (db.Dialect.IsUniqueViolation(e))
        {
            throw new ApiException(ApiError.BadRequest("INVALID_EVENT_ID", $"Trigger with name {name} already exists"));
        }
        return Json(await AllAsync(db, caller, ct));
    }

    static async Task<IResult> Update(string eventId, HttpContext http, Caller caller, Db db, TimeProvider time, CancellationToken ct)
    {
        await FindAsync(db, caller, eventId, ct);
        var (name, response, fields, schema) = await ReadAsync(http, update: true);
        try
        {
            await db.ExecuteAsync("""
                update workflow_events set name = @name, response = @response, fields = @fields, json_schema = @schema, updated_at = @now where id = @eventId
                """, new { eventId, name, response, fields, schema, now = time.GetUtcNow() }, ct);
        }
        catch (System.Data.Common.DbException e) when (db.Dialect.IsUniqueViolation(e))
        {
            throw new ApiException(ApiError.BadRequest("INVALID_EVENT_ID", $"Trigger with name {name} already exists"));
        }
        return Json(await AllAsync(db, caller, ct));
    }

    static async Task<IResult> Delete(string eventId, Caller caller, Db db, CancellationToken ct)
    {
        await FindAsync(db, caller, eventId, ct);
        await db.ExecuteAsync("delete from workflow_events where id = @eventId", new { eventId }, ct);
        return Json(await AllAsync(db, caller, ct));
    }

    // Fires an event for the linked account: {event | trigger, payload}, as JSON or multipart (payload as JSON text,
    // files kept as base64 under payload.files). Returns once the executions are queued.
    static async Task<IResult> FireAsync(HttpContext http, Caller caller, EventDeps deps, string? slug, CancellationToken ct)
    {
        string? eventName;
        JsonNode payload;
        if (http.Request.HasFormContentType)
        {
            IFormCollection form;
            try { form = await http.Request.ReadFormAsync(ct); }
            catch (Exception e) when (e is InvalidDataException or IOException or BadHttpRequestException)
            {
                throw new ApiException(ApiError.Validation("The multipart body could not be read: " + e.Message));
            }
            eventName = Limits.Check(NonEmpty(form["event"]) ?? NonEmpty(form["trigger"]), "event", Limits.Name);
            payload = new JsonObject();
            if (NonEmpty(form["payload"]) is { } text)
            {
                using var parsed = JsonBody.Parse(text, "'payload'");
                payload = JsonNode.Parse(parsed.RootElement.GetRawText()) ?? payload;
            }
            if (form.Files.Count > 0)
            {
                if (payload is not JsonObject holder) throw new ApiException(ApiError.Validation("'payload' must be an object to carry files"));
                var files = new JsonArray();
                foreach (var file in form.Files)
                {
                    using var buffer = new MemoryStream();
                    await file.CopyToAsync(buffer, ct);
                    files.Add(new JsonObject
                    {
                        ["field"] = file.Name, ["filename"] = file.FileName, ["content_type"] = file.ContentType, ["size"] = file.Length,
                        ["content_base64"] = Convert.ToBase64String(buffer.ToArray()),
                    });
                }
                holder["files"] = files;
            }
        }
        else
        {
            var root = await JsonBody.ReadNodeAsync(http);
            eventName = Limits.Check(WorkflowDefinition.Text(root["event"]) ?? WorkflowDefinition.Text(root["trigger"]), "event", Limits.Name);
            payload = root["payload"]?.DeepClone() ?? new JsonObject();
            slug ??= Limits.Check(WorkflowDefinition.Text(root["slug"]), "slug", Limits.Identifier);
        }
        if (string.IsNullOrWhiteSpace(eventName)) throw new ApiException(ApiError.Validation("'event' is required"));
        var known = await deps.Db.QueryFirstOrDefaultAsync<bool>(
            "select exists (select 1 from workflow_events where org_id = @OrgId and environment = @Environment and name = @eventName)",
            new { caller.OrgId, caller.Environment, eventName }, ct);
        if (!known) throw new ApiException(ApiError.NotFound("INVALID_EVENT", "Trigger not found"));

        var account = await deps.Service.AccountAsync(caller, ct);
        var headers = http.Request.Headers;
        slug = NonEmpty(headers["slug"]) ?? slug;
        var configId = NonEmpty(headers["config_id"]) ?? account.AccountId;
        var versions = await deps.Workflows.ForEventAsync(caller.OrgId, caller.Environment, account.Id, configId, eventName, slug, ct);
        await deps.Service.FireAsync(versions, account, configId, payload, eventName, NonEmpty(headers["instance_tag"]),
            NonEmpty(headers["idempotency-key"]) ?? NonEmpty(headers["idempotency_key"]), ct);
        return Json(new JsonObject { ["message"] = "Webhook Fired Success" });
    }

    static string? NonEmpty(string? s) => string.IsNullOrWhiteSpace(s) ? null : s;
}

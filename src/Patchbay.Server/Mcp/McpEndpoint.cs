using System.Text.Json;
using System.Text.Json.Nodes;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using Patchbay.Http;

namespace Patchbay.Mcp;

// The MCP endpoint (refold-api.md §3.18 MC6), served by the official SDK over Streamable HTTP, stateless (any node
// answers any request; no session state): `/mcp/v1/{server_id}` with `Authorization: Bearer <token>`, and
// `/mcp/v1/{token}/{server_id}`. A gate in front of the SDK admits the request (McpGate) and leaves the server and
// account in the request's features; the tools/list and tools/call handlers read them from there, so every request
// sees the tools of its own caller only.
public static class McpEndpoint
{
    public const string Path = "/mcp/v1";

    public static void Map(IEndpointRouteBuilder app)
    {
        foreach (var pattern in (string[])[Path + "/{server_id}", Path + "/{token}/{server_id}"])
            app.MapMcp(pattern).AllowAnonymous().ExcludeFromDescription().Add(Gate);
        app.Map(Path, () => ApiError.Unauthorized(ErrorCodes.MissingRequiredField, "MCP server id missing: use /mcp/v1/{server_id}"))
            .AllowAnonymous().ExcludeFromDescription();
    }

    // Wraps the SDK's request delegate: nothing reaches it unless the gate admits the request.
    static void Gate(EndpointBuilder builder)
    {
        var inner = builder.RequestDelegate ?? throw new InvalidOperationException("The MCP endpoint has no request delegate.");
        builder.RequestDelegate = async http =>
        {
            var (context, error) = await http.RequestServices.GetRequiredService<McpGate>().AdmitAsync(http);
            if (error is not null)
            {
                await ApiErrorWriter.WriteAsync(http, error);
                return;
            }
            http.Features.Set(context);
            await inner(http);
        };
    }

    static (McpCallContext Context, HttpContext Http) Admitted(IServiceProvider? services)
    {
        var http = services?.GetRequiredService<IHttpContextAccessor>().HttpContext;
        var context = http?.Features.Get<McpCallContext>();
        return context is null || http is null
            ? throw new McpProtocolException("The request was not admitted to an MCP server", McpErrorCode.InternalError)
            : (context, http);
    }

    public static async ValueTask<ListToolsResult> ListToolsAsync(RequestContext<ListToolsRequestParams> request, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        var (context, http) = Admitted(request.Services);
        var tools = await http.RequestServices.GetRequiredService<McpToolbox>().ListAsync(context, ct);
        return new ListToolsResult { Tools = [.. tools.Select(ToProtocol)] };
    }

    static Tool ToProtocol(McpToolSpec spec) => new()
    {
        Name = spec.Name,
        Description = spec.Description,
        InputSchema = JsonSerializer.SerializeToElement(spec.InputSchema),
        Annotations = new ToolAnnotations { ReadOnlyHint = !spec.IsWrite, DestructiveHint = spec.IsWrite, OpenWorldHint = true },
    };

    public static async ValueTask<CallToolResult> CallToolAsync(RequestContext<CallToolRequestParams> request, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        var (context, http) = Admitted(request.Services);
        var name = request.Params?.Name ?? throw new McpProtocolException("A tool name is required", McpErrorCode.InvalidParams);
        var arguments = new JsonObject();
        foreach (var (key, value) in request.Params.Arguments ?? new Dictionary<string, JsonElement>())
            arguments[key] = JsonNode.Parse(value.GetRawText());
        var urls = http.RequestServices.GetRequiredService<PublicUrls>();
        // Clients declare URL-mode elicitation per request (2026-07-28); a session-less 2025-11-25 request carries none.
        var elicit = request.Server.ClientCapabilities?.Elicitation?.Url is not null;
        var answer = await http.RequestServices.GetRequiredService<McpToolbox>().CallAsync(context, name, arguments,
                new McpCallOptions(urls.Base(http.Request), elicit), ct)
            ?? throw new McpProtocolException($"Unknown tool: {name}", McpErrorCode.InvalidParams);
        if (elicit && answer.Hold is { } hold)
        {
            throw new UrlElicitationRequiredException(McpToolbox.PendingMessage,
            [
                new ElicitRequestParams
                {
                    Mode = "url", ElicitationId = hold.ApprovalId, Url = hold.Url,
                    Message = $"Approve or reject the call to {name}; call it again once you have answered.",
                },
            ]);
        }
        var json = answer.Outcome.ToJson();
        return new CallToolResult
        {
            Content = [new TextContentBlock { Text = json.ToJsonString() }],
            StructuredContent = JsonSerializer.SerializeToElement(json),
            // A held call did not fail: it waits for a person (its result says where).
            IsError = !answer.Outcome.Success && answer.Hold is null,
        };
    }
}

using System.Security.Cryptography;
using Microsoft.AspNetCore.Http.HttpResults;
using Patchbay.Auth;
using Patchbay.Data;
using Patchbay.Http;
using Patchbay.LinkedAccounts;

namespace Patchbay.Mcp;

// Patchbay's routes around an MCP server: dedicated tokens (minted per account and server, hashed at rest, expiring,
// revocable, listed without the secret) and the server's tool-call log. Same credentials as MC1–MC5.
public static class McpTokensApi
{
    public const string TokenPrefix = "pbmcp_";
    static readonly TimeSpan DefaultLifetime = TimeSpan.FromDays(30);
    static readonly TimeSpan MaxLifetime = TimeSpan.FromDays(365);

    public static void Map(IEndpointRouteBuilder app)
    {
        var group = app.MapGroup(Routes.Patchbay + "/mcp-servers/{mcp_server_id}").WithTags("MCP Servers").RequireAuthorization(Policies.OrgOrSession);
        const string account = "The linked account whose server this is (required with the org API key).";
        group.MapPost("/tokens", Create).WithSummary("Mint an MCP token for a server").Accepts<CreateMcpTokenRequest>("application/json")
            .WithOptionalLinkedAccount(account);
        group.MapGet("/tokens", List).WithSummary("List a server's MCP tokens (without the tokens)").WithOptionalLinkedAccount(account);
        group.MapDelete("/tokens/{token_id}", Revoke).WithSummary("Revoke an MCP token").WithOptionalLinkedAccount(account);
        group.MapGet("/tool-calls", ToolCalls).WithSummary("List a server's tool calls (newest first)").WithPaging().WithOptionalLinkedAccount(account);
    }

    // The server the caller's account owns, or the error to answer.
    static async Task<(McpServerRow? Server, ApiError? Error)> ServerAsync(DbTx tx, Caller caller, string serverId, CancellationToken ct)
    {
        if (McpServersApi.MissingAccount(caller) is { } missing) return (null, missing);
        var account = await LinkedAccountStore.FindAsync(tx, caller.OrgId, caller.Environment, caller.AccountId, ct);
        if (account is null) return (null, caller.LinkedAccountNotFound(caller.AccountId));
        var server = await McpServerStore.FindAsync(tx, account.Id, serverId, ct);
        return server is null ? (null, McpServersApi.NotFound()) : (server, null);
    }

    static async Task<Results<Created<McpTokenCreated>, ApiError>> Create(
        string mcp_server_id, HttpContext http, Caller caller, Db db, ApiKeyHasher hasher, PublicUrls urls, TimeProvider time, CancellationToken ct)
    {
        using var body = await JsonBody.ReadObjectAsync(http, required: false);
        var name = Json.OptionalString(body.RootElement, "name", max: Limits.Name);
        var lifetime = DefaultLifetime;
        if (body.RootElement.TryGetProperty("expires_in", out var e) && e.ValueKind != System.Text.Json.JsonValueKind.Null)
        {
            if (e.ValueKind != System.Text.Json.JsonValueKind.Number || !e.TryGetInt64(out var seconds) || seconds < 1 || seconds > MaxLifetime.TotalSeconds)
                return ApiError.Validation($"'expires_in' must be a whole number of seconds from 1 to {(long)MaxLifetime.TotalSeconds}");
            lifetime = TimeSpan.FromSeconds(seconds);
        }
        var token = TokenPrefix + Base64Url(RandomNumberGenerator.GetBytes(32));
        var now = time.GetUtcNow();
        return await db.InTransactionAsync<Results<Created<McpTokenCreated>, ApiError>>(async tx =>
        {
            var (server, error) = await ServerAsync(tx, caller, mcp_server_id, ct);
            if (server is null) return error!;
            var row = new McpTokenRow
            {
                Id = Ids.New(now), ServerId = server.Id, TokenHash = hasher.Hash(token), Hint = TokenPrefix + "…" + token[^4..], Name = name,
                ExpiresAt = now + lifetime, CreatedAt = now,
            };
            await McpTokenStore.InsertAsync(tx, row, ct);
            var url = $"{urls.Base(http.Request)}{McpEndpoint.Path}/{server.Id}";
            return TypedResults.Created($"{Routes.Patchbay}/mcp-servers/{server.Id}/tokens/{row.Id}",
                new McpTokenCreated(row.Id, server.Id, name, token, row.Hint, url, row.ExpiresAt, now));
        }, ct);
    }

    static async Task<Results<Ok<McpTokenList>, ApiError>> List(string mcp_server_id, Caller caller, Db db, TimeProvider time, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        return await db.WithConnectionAsync<Results<Ok<McpTokenList>, ApiError>>(async tx =>
        {
            var (server, error) = await ServerAsync(tx, caller, mcp_server_id, ct);
            if (server is null) return error!;
            var rows = await McpTokenStore.ListAsync(tx, server.Id, ct);
            return TypedResults.Ok(new McpTokenList(rows.Select(r => new McpTokenResponse(r.Id, r.ServerId, r.Name, r.Hint,
                r.RevokedAt is not null ? McpTokenStatus.Revoked : r.ExpiresAt <= now ? McpTokenStatus.Expired : McpTokenStatus.Active,
                r.ExpiresAt, r.RevokedAt, r.CreatedAt)).ToList()));
        }, ct);
    }

    static async Task<Results<NoContent, ApiError>> Revoke(string mcp_server_id, string token_id, Caller caller, Db db, TimeProvider time, CancellationToken ct) =>
        await db.InTransactionAsync<Results<NoContent, ApiError>>(async tx =>
        {
            var (server, error) = await ServerAsync(tx, caller, mcp_server_id, ct);
            if (server is null) return error!;
            return await McpTokenStore.RevokeAsync(tx, server.Id, token_id, time.GetUtcNow(), ct) == 0
                ? ApiError.NotFound(ErrorCodes.ResourceNotFound, "MCP token not found")
                : TypedResults.NoContent();
        }, ct);

    static async Task<Results<Ok<Paginated<McpToolCallResponse>>, ApiError>> ToolCalls(
        string mcp_server_id, HttpRequest request, Caller caller, Db db, CancellationToken ct)
    {
        var page = Page.From(request);
        return await db.WithConnectionAsync<Results<Ok<Paginated<McpToolCallResponse>>, ApiError>>(async tx =>
        {
            var (server, error) = await ServerAsync(tx, caller, mcp_server_id, ct);
            if (server is null) return error!;
            var (rows, total) = await McpToolCallStore.ListAsync(tx, server.LinkedAccountRowId, server.Id, page.Offset, page.Limit, ct);
            return TypedResults.Ok(Paginated.Of(rows.Select(r => r.ToResponse()).ToList(), total, page));
        }, ct);
    }

    static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}

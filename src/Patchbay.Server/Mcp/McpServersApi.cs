using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Patchbay.Auth;
using Patchbay.Data;
using Patchbay.Http;
using Patchbay.LinkedAccounts;

namespace Patchbay.Mcp;

// MCP servers, refold-api.md §3.18 (MC1–MC5): a linked account's servers, with the org key and linked_account_id or
// the account's session token.
public static class McpServersApi
{
    public static void Map(IEndpointRouteBuilder app)
    {
        var servers = app.MapPublic("MCP Servers", "/mcp-servers").RequireAuthorization(Policies.OrgOrSession);
        servers.MapGet("", List).WithSummary("List MCP servers").WithPaging().WithOptionalLinkedAccount("The linked account whose servers these are (required with the org API key).");
        servers.MapPost("", Create).WithSummary("Create an MCP server").Accepts<CreateMcpServerRequest>("application/json")
            .WithOptionalLinkedAccount("The linked account whose server this is (required with the org API key).");
        servers.MapGet("/{mcp_server_id}", Get).WithSummary("Get an MCP server")
            .WithOptionalLinkedAccount("The linked account whose server this is (required with the org API key).");
        servers.MapPut("/{mcp_server_id}", Update).WithSummary("Update an MCP server (patch semantics)").Accepts<UpdateMcpServerRequest>("application/json")
            .WithOptionalLinkedAccount("The linked account whose server this is (required with the org API key).");
        servers.MapDelete("/{mcp_server_id}", Delete).WithSummary("Delete an MCP server")
            .WithOptionalLinkedAccount("The linked account whose server this is (required with the org API key).");
    }

    // MCP routes answer an org key without a linked account with 404 (refold-api.md §2.3), not the 400 of other routes.
    public static ApiError? MissingAccount(Caller caller) =>
        caller.LinkedAccountId is null
            ? ApiError.NotFound(ErrorCodes.MissingRequiredField, "Linked account id is required with API Key, for this resource")
            : null;

    public static ApiError NotFound() => ApiError.NotFound(ErrorCodes.ServerError, "MCPEntry not found");

    static ApiError Duplicate() => ApiError.Conflict(ErrorCodes.Conflict, "MCP Server with this name already exists");

    static async Task<Results<Ok<Paginated<McpServerResponse>>, ApiError>> List(
        HttpRequest request, Caller caller, LinkedAccountStore accounts, McpServerStore store, CancellationToken ct)
    {
        if (MissingAccount(caller) is { } missing) return missing;
        var page = Page.From(request);
        var account = await accounts.ForCallerAsync(caller, ct);
        if (account is null) return caller.LinkedAccountNotFound(caller.AccountId);
        var (rows, total) = await store.ListAsync(account.Id, page.Offset, page.Limit, ct);
        return TypedResults.Ok(Paginated.Of(rows.Select(r => r.ToResponse()).ToList(), total, page));
    }

    static async Task<Results<Created<McpServerCreated>, ApiError>> Create(HttpContext http, Caller caller, Db db, TimeProvider time, CancellationToken ct)
    {
        if (MissingAccount(caller) is { } missing) return missing;
        using var body = await JsonBody.ReadObjectAsync(http, required: false);
        if (McpServerInput.ParseCreate(body.RootElement) is not var (name, description))
            return ApiError.Validation("name and description are required");
        try
        {
            return await db.InTransactionAsync<Results<Created<McpServerCreated>, ApiError>>(async tx =>
            {
                var account = await LinkedAccountStore.FindAsync(tx, caller.OrgId, caller.Environment, caller.AccountId, ct);
                if (account is null) return caller.LinkedAccountNotFound(caller.AccountId);
                if (await McpServerStore.NameTakenAsync(tx, account.Id, name, null, ct)) return Duplicate();
                var now = time.GetUtcNow();
                var row = new McpServerRow
                {
                    Id = Ids.New(now), OrgId = caller.OrgId, Environment = caller.Environment, LinkedAccountRowId = account.Id,
                    Name = name, Description = description, CreatedAt = now, UpdatedAt = now,
                };
                await McpServerStore.InsertAsync(tx, row, ct);
                return TypedResults.Created($"{Routes.Public}/mcp-servers/{row.Id}", new McpServerCreated(row.Id, row.Name, row.Description));
            }, ct);
        }
        catch (System.Data.Common.DbException e) when (db.Dialect.IsUniqueViolation(e))
        {
            return Duplicate(); // a concurrent create of the same name
        }
    }

    static async Task<Results<Ok<McpServerResponse>, ApiError>> Get(string mcp_server_id, Caller caller, Db db, CancellationToken ct)
    {
        if (MissingAccount(caller) is { } missing) return missing;
        return await db.WithConnectionAsync<Results<Ok<McpServerResponse>, ApiError>>(async tx =>
        {
            var account = await LinkedAccountStore.FindAsync(tx, caller.OrgId, caller.Environment, caller.AccountId, ct);
            if (account is null) return caller.LinkedAccountNotFound(caller.AccountId);
            var row = await McpServerStore.FindAsync(tx, account.Id, mcp_server_id, ct);
            return row is null ? NotFound() : TypedResults.Ok(row.ToResponse());
        }, ct);
    }

    static async Task<Results<Ok<McpServerResponse>, ApiError>> Update(
        string mcp_server_id, HttpContext http, Caller caller, Db db, TimeProvider time, CancellationToken ct)
    {
        if (MissingAccount(caller) is { } missing) return missing;
        JsonDocument body;
        try
        {
            body = await JsonBody.ReadObjectAsync(http);
        }
        catch (ApiException e) when (e.Error.StatusCode == 400)
        {
            return ApiError.Validation("Invalid request body");
        }
        using (body)
        {
            var patch = McpServerInput.ParseUpdate(body.RootElement);
            try
            {
                return await db.InTransactionAsync<Results<Ok<McpServerResponse>, ApiError>>(async tx =>
                {
                    var account = await LinkedAccountStore.FindAsync(tx, caller.OrgId, caller.Environment, caller.AccountId, ct);
                    if (account is null) return caller.LinkedAccountNotFound(caller.AccountId);
                    var row = await McpServerStore.FindAsync(tx, account.Id, mcp_server_id, ct);
                    if (row is null) return NotFound();
                    if (patch.Name is { } name && name != row.Name && await McpServerStore.NameTakenAsync(tx, account.Id, name, row.Id, ct)) return Duplicate();
                    var updated = Apply(row, patch, time.GetUtcNow());
                    await McpServerStore.UpdateAsync(tx, updated, ct);
                    return TypedResults.Ok(updated.ToResponse());
                }, ct);
            }
            catch (System.Data.Common.DbException e) when (db.Dialect.IsUniqueViolation(e))
            {
                return Duplicate();
            }
        }
    }

    static McpServerRow Apply(McpServerRow row, McpServerPatch p, DateTimeOffset now) => row with
    {
        Name = p.Name ?? row.Name,
        Description = p.Description ?? row.Description,
        AgentName = p.AgentName is { } agent ? agent.Value : row.AgentName,
        PrimaryColor = p.PrimaryColor is { } primary ? primary.Value : row.PrimaryColor,
        SecondaryColor = p.SecondaryColor is { } secondary ? secondary.Value : row.SecondaryColor,
        BasePrompt = p.BasePrompt is { } prompt ? prompt.Value : row.BasePrompt,
        SafeMode = p.SafeMode ?? row.SafeMode,
        Enabled = p.Enabled ?? row.Enabled,
        AssociatedApps = p.AssociatedApps is { } apps ? JsonSerializer.Serialize(apps, ApiJson.Options) : row.AssociatedApps,
        Suggestions = p.Suggestions is { } suggestions ? JsonSerializer.Serialize(suggestions, ApiJson.Options) : row.Suggestions,
        Chains = p.Chains is { } chains ? chains.ToJsonString() : row.Chains,
        UpdatedAt = now,
    };

    static async Task<Results<NoContent, ApiError>> Delete(string mcp_server_id, Caller caller, Db db, CancellationToken ct)
    {
        if (MissingAccount(caller) is { } missing) return missing;
        return await db.InTransactionAsync<Results<NoContent, ApiError>>(async tx =>
        {
            var account = await LinkedAccountStore.FindAsync(tx, caller.OrgId, caller.Environment, caller.AccountId, ct);
            if (account is null) return caller.LinkedAccountNotFound(caller.AccountId);
            return await McpServerStore.DeleteAsync(tx, account.Id, mcp_server_id, ct) == 0 ? NotFound() : TypedResults.NoContent();
        }, ct);
    }
}

using System.Data.Common;
using Patchbay.Auth;
using Patchbay.Http;

namespace Patchbay.Mcp;

// Admits a request to the MCP endpoint (refold-api.md §3.18 MC6): the token from the path or `Authorization: Bearer`,
// a session token of the server's linked account or a dedicated MCP token of that server. 401 when the token or the
// server id is missing, 403 when the token is invalid, expired or revoked, 404 when the server is unknown (to this
// caller) or disabled, 503 when the check cannot run: the gate fails closed.
public sealed partial class McpGate(McpTokenStore tokens, McpServerStore servers, SessionTokens sessions, ApiKeyHasher hasher, TimeProvider time,
    ILogger<McpGate> logger)
{
    public async Task<(McpCallContext? Context, ApiError? Error)> AdmitAsync(HttpContext http)
    {
        ArgumentNullException.ThrowIfNull(http);
        var token = http.GetRouteValue("token") as string;
        if (string.IsNullOrEmpty(token))
        {
            var authorization = http.Request.Headers.Authorization.ToString();
            token = authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? authorization[7..].Trim() : null;
        }
        if (string.IsNullOrEmpty(token)) return (null, ApiError.Unauthorized(ErrorCodes.InvalidToken, "MCP token missing: send Authorization: Bearer <token>"));
        if (http.GetRouteValue("server_id") is not string serverId || serverId.Length == 0)
            return (null, ApiError.Unauthorized(ErrorCodes.MissingRequiredField, "MCP server id missing"));
        if (token.Length > 4096) return (null, Forbidden("Invalid token"));
        try
        {
            return await AdmitAsync(token, serverId, http.RequestAborted);
        }
        catch (Exception e) when (e is DbException or InvalidOperationException or TimeoutException)
        {
            LogUnavailable(logger, e.GetType().Name);
            return (null, ApiError.Create(503, ErrorCodes.ServiceUnavailable, "MCP token validation is unavailable; try again later"));
        }
    }

    async Task<(McpCallContext?, ApiError?)> AdmitAsync(string token, string serverId, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        string kind;
        McpServerRow? server;
        if (token.StartsWith(McpTokensApi.TokenPrefix, StringComparison.Ordinal))
        {
            var grant = await tokens.FindAsync(hasher.Hash(token), ct);
            if (grant is null) return (null, Forbidden("Invalid token"));
            if (grant.RevokedAt is not null) return (null, Forbidden("Token revoked"));
            if (grant.ExpiresAt <= now) return (null, Forbidden("Token expired"));
            if (grant.ServerId != serverId) return (null, Forbidden("This token does not open this MCP server"));
            server = await servers.GetAsync(serverId, ct);
            kind = McpCredentialKinds.McpToken;
        }
        else
        {
            var (claims, failure) = await sessions.ValidateAsync(token);
            if (claims is null)
            {
                return (null, Forbidden(failure switch
                {
                    SessionFailure.Expired => "Token expired",
                    SessionFailure.Revoked => "Token revoked",
                    _ => "Invalid token",
                }));
            }
            server = await servers.GetAsync(serverId, ct);
            // Another account's server is unknown to this token, as if it did not exist.
            if (server is not null && (server.OrgId != claims.OrgId || server.Environment != claims.Environment || server.AccountId != claims.AccountId))
                server = null;
            kind = McpCredentialKinds.SessionToken;
        }
        if (server is null) return (null, ApiError.NotFound(ErrorCodes.ResourceNotFound, "MCP server not found"));
        if (!server.Enabled) return (null, ApiError.NotFound(ErrorCodes.ResourceNotFound, "MCP server is disabled"));
        return (new McpCallContext(server, kind), null);
    }

    static ApiError Forbidden(string message) => ApiError.Forbidden(ErrorCodes.InvalidToken, message);

    [LoggerMessage(Level = LogLevel.Error, Message = "MCP token validation failed ({Error}); answering 503")]
    static partial void LogUnavailable(ILogger logger, string error);
}

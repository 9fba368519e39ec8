namespace Patchbay.Mcp;

// How the caller of the MCP endpoint proved who it is.
public static class McpCredentialKinds
{
    public const string SessionToken = "session_token";
    public const string McpToken = "mcp_token";
}

// What the endpoint's gate established for one request: the server, and the linked account whose tools it serves.
// Tool listing and calls read it; nothing else about the caller is trusted.
public sealed record McpCallContext(McpServerRow Server, string CredentialKind)
{
    public string OrgId => Server.OrgId;
    public string Environment => Server.Environment;
    public string AccountRowId => Server.LinkedAccountRowId;
    public string AccountId => Server.AccountId;
}

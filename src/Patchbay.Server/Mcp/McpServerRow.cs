using System.Text.Json;
using System.Text.Json.Nodes;
using Patchbay.Http;

namespace Patchbay.Mcp;

// One MCP server (`mcp_servers`), owned by a linked account. JSON columns hold the wire shapes as text.
public sealed record McpServerRow
{
    public required string Id { get; init; }
    public required string OrgId { get; init; }
    public required string Environment { get; init; }
    public required string LinkedAccountRowId { get; init; }
    public required string Name { get; init; }
    public required string Description { get; init; }
    public string? AgentName { get; init; }
    public string? PrimaryColor { get; init; }
    public string? SecondaryColor { get; init; }
    public string? BasePrompt { get; init; }
    public bool SafeMode { get; init; }
    public bool Enabled { get; init; } = true;
    public string AssociatedApps { get; init; } = "[]";
    public string Suggestions { get; init; } = "[]";
    public string Chains { get; init; } = "[]";
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }

    // The account's public id (joined in by the store's reads).
    public string AccountId { get; init; } = "";

    public IReadOnlyList<McpAssociatedApp> Apps() =>
        JsonSerializer.Deserialize<List<McpAssociatedApp>>(AssociatedApps, ApiJson.Options) ?? [];

    public McpServerResponse ToResponse() => new(
        Id, Name, Description, AgentName, PrimaryColor, SecondaryColor, BasePrompt, SafeMode, Enabled,
        JsonSerializer.Deserialize<List<McpSuggestion>>(Suggestions, ApiJson.Options) ?? [], OrgId, AccountId, Apps(),
        JsonNode.Parse(Chains) as JsonArray ?? [], [], [], Environment, CreatedAt, UpdatedAt);
}

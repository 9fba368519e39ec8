using Patchbay.Configuration;

namespace Patchbay.Mcp;

public static class McpFeature
{
    public static IServiceCollection AddMcpServers(this IServiceCollection services)
    {
        services.AddSettings<McpOptions>(McpOptions.Section);
        services.AddSingleton<McpServerStore>();
        services.AddSingleton<McpTokenStore>();
        services.AddSingleton<McpToolCallStore>();
        services.AddSingleton<McpApprovalStore>();
        services.AddSingleton<McpGate>();
        services.AddSingleton<McpApprovals>();
        services.AddSingleton<McpToolbox>();
        services.AddSingleton<IMcpToolSource, McpActionTools>();
        services.AddSingleton<IMcpToolSource, McpWorkflowTools>();
        services.AddSingleton<McpApprovalWorker>();
        services.AddHostedService(sp => sp.GetRequiredService<McpApprovalWorker>());
        services.AddHttpContextAccessor();
        services.AddMcpServer(o => o.ServerInfo = new ModelContextProtocol.Protocol.Implementation { Name = "Patchbay", Version = "1.0.0" })
            .WithHttpTransport(o => o.Stateless = true)
            .WithListToolsHandler(McpEndpoint.ListToolsAsync)
            .WithCallToolHandler(McpEndpoint.CallToolAsync);
        return services;
    }

    public static void MapMcpServers(this IEndpointRouteBuilder app)
    {
        McpServersApi.Map(app);
        McpTokensApi.Map(app);
        McpEndpoint.Map(app);
    }
}

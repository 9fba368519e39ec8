using Patchbay.Actions;
using Patchbay.Applications;
using Patchbay.Audit;
using Patchbay.Apps;
using Patchbay.Auth;
using Patchbay.Cluster;
using Patchbay.Configs;
using Patchbay.Configuration;
using Patchbay.Connections;
using Patchbay.Credentials;
using Patchbay.Dashboard;
using Patchbay.Data;
using Patchbay.Datarefs;
using Patchbay.Datastores;
using Patchbay.Egress;
using Patchbay.EnvironmentVariables;
using Patchbay.Executions;
using Patchbay.Events;
using Patchbay.Hosted;
using Patchbay.HumanTasks;
using Patchbay.Http;
using Patchbay.LinkedAccounts;
using Patchbay.Mcp;
using Patchbay.OAuth;
using Patchbay.Operations;
using Patchbay.Orgs;
using Patchbay.RateLimits;
using Patchbay.Sandbox;
using Patchbay.Schedules;
using Patchbay.Workflows;
using Patchbay.Sessions;
using Patchbay.Tables;
using Patchbay.Vault;
using Patchbay.Webhooks;
using Patchbay.Workers;

if (args is ["vault", ..]) return await VaultCommands.RunAsync(args[1..]);
if (args is ["keys", ..]) return await KeysCommands.RunAsync(args[1..]);
if (args is ["sandbox", ..]) return Patchbay.Sandbox.SandboxProcess.Run(args[1..]); // a code sandbox, started by the server

// appsettings.json is read from the application's folder unless --contentRoot names another (Configuration/ContentRoot).
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = ContentRoot.Default(args) });
// http://localhost:8080 unless Urls, ASPNETCORE_URLS or --urls says otherwise (in appsettings.json it would override
// ASPNETCORE_URLS, which the host reads with a lower priority).
if (string.IsNullOrEmpty(builder.Configuration["urls"])) builder.WebHost.UseUrls("http://localhost:8080");

builder.Services
    .AddHttpConventions(builder.Configuration) // Http/: snake_case JSON, the error shape, CORS
    .AddData()                                 // Data/: dialect, Db, migrator
    .AddCluster()                              // Cluster/: membership, dead nodes' leases, leases handed back on stop
    .AddWorkers()                              // Workers/: worker settings, the transactional outbox
    .AddStartup()                              // Operations/: migrate, unseal, bootstrap, once Kestrel listens
    .AddVault()                                // Vault/: AES-GCM envelope, server secrets
    .AddAuth()                                 // Auth/: x-api-key (+ linked_account_id), Bearer session tokens
    .AddRateLimits()
    .AddAudit()                                // Audit/: who changed what, in the change's transaction; retention
    .AddOrgs()                                 // Orgs/: organizations, API keys, the admin API
    .AddLinkedAccounts()
    .AddEgress()                               // Egress/: every outbound call, through one policy
    .AddApps()                                 // Apps/: the catalog, provider calls, verification
    .AddActions()                              // Actions/: apps' actions, running them for a linked account
    .AddAppConnections()                       // Connections/: sealed credentials per app, re-checks
    .AddOAuth()                                // OAuth/: authorization flows, token refresh
    .AddHosted()                               // Hosted/: the hosted Connect page
    .AddSessions()                             // Sessions/: session tokens' API, expired-session clean-up
    .AddSandbox()                              // Sandbox/: code nodes run in sandbox processes
    .AddWorkflows()                            // Workflows/: definitions and versions, the pure engine
    .AddExecutions()                           // Executions/: durable runs of workflows, node by node
    .AddConfigs()                              // Configs/: installations of apps, their fields and enabled workflows
    .AddHumanTasks()                           // HumanTasks/: human_task nodes' forms, their expiry
    .AddEvents()                               // Events/: custom events of the default app, firing them
    .AddSchedules()                            // Schedules/: cron and interval schedules, their worker
    .AddEnvironmentVariables()                 // EnvironmentVariables/: definitions, scoped values, {{env.NAME}}
    .AddWebhooks()                             // Webhooks/: subscriptions, signed deliveries from the outbox, log, replay
    .AddTables()                               // Tables/: persistent tables, their records and search
    .AddDatarefs()                             // Datarefs/: named record maps per linked account
    .AddMcpServers()                           // Mcp/: MCP servers, their tokens, the MCP endpoint, safe-mode approvals
    .AddOperations();                          // health, OpenAPI, graceful shutdown

var app = builder.Build();

app.UseHttpConventions();
app.UseStartupGate();                           // Operations/: 503 until start-up has finished
app.UseAuthentication();
app.UseAudit();                                 // Audit/: entries written during a request name its caller and address
app.UseRateLimits();
app.UseAuthorization();

app.MapLinkedAccounts();                        // LinkedAccounts/: LA1–LA7
app.MapSessions();                              // Sessions/: session tokens
app.MapCredentials();                           // Credentials/: default-app credentials
app.MapConnect();                               // Credentials/: save-key-credentials, migrate-token
app.MapOAuth();                                 // OAuth/: authorize URLs, the callback
app.MapApplications();                          // Applications/: the app list, auth structure, org basics
app.MapActions();                               // Actions/: AC1–AC3
app.MapHosted();                                // Hosted/: connect-url, the hosted page
app.MapDashboard();                             // Dashboard/: the console at /dashboard (static files)
app.MapWorkflows();                             // Workflows/: WF1–WF7, WF11, WF12
app.MapExecutions();                            // Executions/: execute, EX1–EX7, the webhook resume
app.MapConfigs();                               // Configs/: CF1–CF8, FD1–FD5, WF10, field definitions
app.MapHumanTasks();                            // HumanTasks/: HT1–HT2, the hosted form page
app.MapEvents();                                // Events/: EV1–EV10
app.MapSchedules();                             // Schedules/: SC1–SC6
app.MapEnvironmentVariables();                  // EnvironmentVariables/: EN1–EN6, definitions under /api/patchbay/v1
app.MapWebhooks();                              // Webhooks/: WH1–WH9, delivery log, replay, secrets
app.MapTables();                                // Tables/: TB1–TB12
app.MapDatarefs();                              // Datarefs/: DR1–DR6
app.MapDatastores();                            // Datastores/: DS1–DS3 (read-only, per config)
app.MapMcpServers();                            // Mcp/: MC1–MC5, MCP tokens and tool-call log, the MCP endpoint (MC6)
app.MapAudit();                                 // Audit/: the audit trail (§3.20)
var admin = app.MapAdmin();
admin.MapApplicationsAdmin();
admin.MapOAuthAdmin();
admin.MapClusterAdmin();
app.MapOperations();
app.MapApiDocs();

return await StartupFailure.RunAsync(app);     // Operations/: a failed start is one line and exit code 1

using System.Data.Common;
using Microsoft.AspNetCore.Http.HttpResults;
using Patchbay.Apps;
using Patchbay.Auth;
using Patchbay.Data;
using Patchbay.Http;
using Patchbay.LinkedAccounts;
using Patchbay.Workflows;

namespace Patchbay.Configs;

// Configs: a linked account's installation of an app (refold-api.md §3.9 CF1–CF8), on the public API and the
// frontend SDK's mirrors (§3.22), and the account's enabled workflows (WF10).
public static class ConfigsApi
{
    internal static void Map(IEndpointRouteBuilder app)
    {
        var publicApi = app.MapPublic("Configs").RequireAuthorization(Policies.LinkedAccount);
        var sdk = app.MapGroup(Routes.FrontendSdk).WithTags("Frontend SDK").RequireAuthorization(Policies.LinkedAccount);
        // The frontend SDK's mirrors answer the same; their summaries say which they are (operationIds come from them).
        foreach (var (api, via) in (ReadOnlySpan<(RouteGroupBuilder, string)>)[(publicApi, ""), (sdk, " (frontend SDK)")])
        {
            api.MapPost("/config", GetOrCreate).WithSummary("Get or create a config (an app's installation for the linked account)" + via)
                .Accepts<InstallConfigRequest>("application/json").WithDisableFieldOptions();
            api.MapPut("/config", Update).WithSummary("Update a config's field values, labels and enabled workflows" + via)
                .Accepts<InstallConfigRequest>("application/json").WithDisableFieldOptions();
            api.MapGet("/slug/{slug}/config", GetDefault).WithSummary("Get the default config of an app (config_id = the linked account id)" + via)
                .WithDisableFieldOptions();
            api.MapGet("/slug/{slug}/config/{configId}", Get).WithSummary("Get a named config of an app" + via).WithDisableFieldOptions();
            api.MapDelete("/slug/{slug}/config", DeleteDefault).WithSummary("Delete the default config of an app" + via);
            api.MapDelete("/slug/{slug}/config/{configId}", Delete).WithSummary("Delete a named config of an app" + via);
        }
        publicApi.MapGet("/slug/{slug}/configs", List).WithSummary("List the linked account's config ids for an app");
        publicApi.MapPatch("/slug/{slug}/config/{configId}/workflows/{workflowId}", Toggle).WithSummary("Enable or disable a workflow in a config")
            .Accepts<ToggleWorkflowRequest>("application/json");
        publicApi.MapGet("/workflow/enabled", Enabled).WithTags("Workflows").WithSummary("The workflows enabled in the linked account's configs");
    }

    // ---- CF1, CF2 ----

    static async Task<Results<Ok<ConfigResponse>, ApiError>> GetOrCreate(HttpContext http, Caller caller, LinkedAccountStore accounts, ConfigStore store,
        ConfigWriter writer, ConfigViews views, Db db, TimeProvider time, CancellationToken ct)
    {
        var input = ConfigInput.Parse(await JsonBody.ReadNodeAsync(http));
        if (await accounts.ForCallerAsync(caller, ct) is not { } account) return caller.LinkedAccountNotFound(caller.AccountId);
        var configId = input.ConfigId ?? account.AccountId;
        var snapshot = await store.LoadAsync(caller.OrgId, caller.Environment, account.Id, input.Slug, configId, ct);
        // An existing config's app was checked when it was made.
        if (snapshot.Config is null && await writer.CheckAppAsync(caller.OrgId, caller.Environment, input.Slug, ct) is { } noApp) return noApp;
        if (snapshot.Config is null || (input.ChangesSomething && !SameLabelsOnly(snapshot, input)))
        {
            for (var attempt = 0; ; attempt++)
            {
                try
                {
                    await db.InTransactionAsync(tx => CreateOrApplyAsync(tx, writer, account, input, configId, time.GetUtcNow(), ct), ct);
                    break;
                }
                catch (DbException e) when (attempt == 0 && db.Dialect.IsUniqueViolation(e))
                {
                    // Created at the same moment by another request: apply onto that one.
                }
            }
            snapshot = await store.LoadAsync(caller.OrgId, caller.Environment, account.Id, input.Slug, configId, ct);
        }
        return TypedResults.Ok(await views.ConfigAsync(ConfigModel.From(snapshot), account, input.Slug, configId, OptionMode.From(http.Request), ct));
    }

    // The JS SDK sends the same labels with every get-or-create: that is a read, not a write.
    static bool SameLabelsOnly(ConfigSnapshot snapshot, ConfigInput input) =>
        input.Values.Count == 0 && input.Workflows.Count == 0 && input.Labels?.Serialize() == (snapshot.Config?.Labels ?? "{}");

    static async Task CreateOrApplyAsync(DbTx tx, ConfigWriter writer, LinkedAccountRow account, ConfigInput input, string configId, DateTimeOffset now, CancellationToken ct)
    {
        var snapshot = await ConfigStore.LoadAsync(tx, account.OrgId, account.Environment, account.Id, input.Slug, configId, ct);
        if (snapshot.Config is not null)
        {
            await ApplyAsync(tx, writer, ConfigModel.From(snapshot), account, input, now, ct);
            await writer.AnnounceAsync(tx, ConfigTopics.Updated, account, input.Slug, configId, now, ct);
            return;
        }
        var config = new ConfigRow
        {
            Id = Ids.New(now), OrgId = account.OrgId, Environment = account.Environment, LinkedAccountRowId = account.Id, Slug = input.Slug,
            ConfigId = configId, Labels = (input.Labels ?? Labels.None).Serialize(), CreatedAt = now, UpdatedAt = now,
        };
        await ConfigStore.InsertAsync(tx, config, ct);
        await writer.AnnounceAsync(tx, ConfigTopics.Created, account, input.Slug, configId, now, ct);
        var model = ConfigModel.From(snapshot with { Config = config });
        var auto = model.Workflows.Where(w => w.AutoEnable).Select(w => w.Id).ToList();
        foreach (var id in auto) await writer.SetEnabledAsync(tx, model, account, id, true, now, ct);
        // The request's own workflow changes apply onto the config as auto-enabled (on already, or turned off again).
        model = ConfigModel.From(snapshot with { Config = config, Flags = [.. auto.Select(id => new ConfigFlagRow { WorkflowId = id, Enabled = true })] });
        await ApplyAsync(tx, writer, model, account, input with { Labels = null }, now, ct);
    }

    // Values first checked, then written; a workflow the app does not have is a 404 and nothing is kept.
    static async Task ApplyAsync(DbTx tx, ConfigWriter writer, ConfigModel model, LinkedAccountRow account, ConfigInput input, DateTimeOffset now, CancellationToken ct)
    {
        var config = model.Config!;
        await writer.ApplyValuesAsync(tx, model, config.Id, ConfigStore.AppLevel, input.Values, now, ct);
        foreach (var change in input.Workflows)
        {
            var workflow = model.Workflow(change.Id)
                ?? throw new ApiException(ApiError.NotFound(ErrorCodes.ServerError, $"No workflow with id {change.Id} exists on config"));
            await writer.ApplyValuesAsync(tx, model, config.Id, workflow.Id, change.Values, now, ct);
            if (change.Enabled is { } enabled)
            {
                if (await writer.CheckCanEnableAsync(tx, model, account, workflow.Id, enabled, ct) is { } refused) throw new ApiException(refused);
                await writer.SetEnabledAsync(tx, model, account, workflow.Id, enabled, now, ct);
            }
        }
        await ConfigStore.TouchAsync(tx, config.Id, input.Labels?.Serialize() ?? config.Labels, now, ct);
    }

    static async Task<Results<Ok<ConfigResponse>, ApiError>> Update(HttpContext http, Caller caller, LinkedAccountStore accounts, ConfigStore store,
        ConfigWriter writer, ConfigViews views, Db db, TimeProvider time, CancellationToken ct)
    {
        var input = ConfigInput.Parse(await JsonBody.ReadNodeAsync(http));
        if (await accounts.ForCallerAsync(caller, ct) is not { } account) return caller.LinkedAccountNotFound(caller.AccountId);
        var configId = input.ConfigId ?? account.AccountId;
        var found = await db.InTransactionAsync(async tx =>
        {
            var snapshot = await ConfigStore.LoadAsync(tx, account.OrgId, account.Environment, account.Id, input.Slug, configId, ct);
            if (snapshot.Config is null) return false;
            var now = time.GetUtcNow();
            await ApplyAsync(tx, writer, ConfigModel.From(snapshot), account, input, now, ct);
            await writer.AnnounceAsync(tx, ConfigTopics.Updated, account, input.Slug, configId, now, ct);
            return true;
        }, ct);
        if (!found) return ConfigWriter.ConfigNotFound(configId);
        var after = await store.LoadAsync(caller.OrgId, caller.Environment, account.Id, input.Slug, configId, ct);
        return TypedResults.Ok(await views.ConfigAsync(ConfigModel.From(after), account, input.Slug, configId, OptionMode.From(http.Request), ct));
    }

    // ---- CF3–CF7 ----

    static Task<Results<Ok<ConfigResponse>, ApiError>> GetDefault(string slug, HttpRequest request, Caller caller, LinkedAccountStore accounts,
        ConfigStore store, ConfigViews views, CancellationToken ct) => GetAsync(slug, null, request, caller, accounts, store, views, ct);

    static Task<Results<Ok<ConfigResponse>, ApiError>> Get(string slug, string configId, HttpRequest request, Caller caller, LinkedAccountStore accounts,
        ConfigStore store, ConfigViews views, CancellationToken ct) => GetAsync(slug, configId, request, caller, accounts, store, views, ct);

    // A body, if any, is not read (Refold's optional {tenant_config} changes nothing here).
    static async Task<Results<Ok<ConfigResponse>, ApiError>> GetAsync(string slug, string? pathConfigId, HttpRequest request, Caller caller,
        LinkedAccountStore accounts, ConfigStore store, ConfigViews views, CancellationToken ct)
    {
        if (await accounts.ForCallerAsync(caller, ct) is not { } account) return caller.LinkedAccountNotFound(caller.AccountId);
        var configId = ConfigInput.ConfigIdFrom(pathConfigId, "configId") ?? account.AccountId;
        var snapshot = await store.LoadAsync(caller.OrgId, caller.Environment, account.Id, slug, configId, ct);
        if (snapshot.Config is null) return ConfigWriter.ConfigNotFound(configId);
        return TypedResults.Ok(await views.ConfigAsync(ConfigModel.From(snapshot), account, slug, configId, OptionMode.From(request), ct));
    }

    static Task<Results<Ok<MessageResponse>, ApiError>> DeleteDefault(string slug, Caller caller, LinkedAccountStore accounts, ConfigWriter writer,
        Db db, TimeProvider time, CancellationToken ct) => DeleteAsync(slug, null, caller, accounts, writer, db, time, ct);

    static Task<Results<Ok<MessageResponse>, ApiError>> Delete(string slug, string configId, Caller caller, LinkedAccountStore accounts, ConfigWriter writer,
        Db db, TimeProvider time, CancellationToken ct) => DeleteAsync(slug, configId, caller, accounts, writer, db, time, ct);

    static async Task<Results<Ok<MessageResponse>, ApiError>> DeleteAsync(string slug, string? pathConfigId, Caller caller, LinkedAccountStore accounts,
        ConfigWriter writer, Db db, TimeProvider time, CancellationToken ct)
    {
        if (await accounts.ForCallerAsync(caller, ct) is not { } account) return caller.LinkedAccountNotFound(caller.AccountId);
        var configId = ConfigInput.ConfigIdFrom(pathConfigId, "configId") ?? account.AccountId;
        var deleted = await db.InTransactionAsync(async tx =>
        {
            if (await ConfigStore.FindAsync(tx, account.Id, slug, configId, ct) is not { } config) return false;
            await ConfigStore.DeleteAsync(tx, config.Id, ct);
            await writer.AnnounceAsync(tx, ConfigTopics.Deleted, account, slug, configId, time.GetUtcNow(), ct);
            return true;
        }, ct);
        return deleted ? TypedResults.Ok(new MessageResponse("Installation Deleted Success")) : ConfigWriter.ConfigNotFound(configId);
    }

    static async Task<Results<Ok<List<ConfigIdEntry>>, ApiError>> List(string slug, Caller caller, LinkedAccountStore accounts, ConfigStore store, CancellationToken ct)
    {
        if (await accounts.ForCallerAsync(caller, ct) is not { } account) return caller.LinkedAccountNotFound(caller.AccountId);
        return TypedResults.Ok((await store.ListAsync(account.Id, slug, ct)).Select(c => new ConfigIdEntry(c.Id, c.ConfigId)).ToList());
    }

    // ---- CF8 ----

    static async Task<Results<Ok<ConfigToggleResponse>, ApiError>> Toggle(string slug, string configId, string workflowId, HttpContext http, Caller caller,
        LinkedAccountStore accounts, WorkflowStore workflows, ConfigStore store, ConfigWriter writer, ConfigViews views, Db db, TimeProvider time, CancellationToken ct)
    {
        using var body = await JsonBody.ReadObjectAsync(http);
        if (Json.StrictBool(body.RootElement, "enabled") is not { } enabled) return ApiError.Validation("'enabled' (true or false) is required");
        if (await accounts.ForCallerAsync(caller, ct) is not { } account) return caller.LinkedAccountNotFound(caller.AccountId);
        // A version's id stands for its draft, which is what configs enable.
        var draftId = (await workflows.FindAsync(caller.OrgId, caller.Environment, workflowId, ct))?.DraftId ?? workflowId;
        var outcome = await db.InTransactionAsync(async tx =>
        {
            var snapshot = await ConfigStore.LoadAsync(tx, account.OrgId, account.Environment, account.Id, slug, configId, ct);
            if (snapshot.Config is null) return ConfigWriter.ConfigNotFound(configId);
            var model = ConfigModel.From(snapshot);
            if (model.Workflow(draftId) is null) return ApiError.NotFound(ErrorCodes.ResourceNotFound, $"No public workflow {workflowId} for application '{slug}'");
            if (await writer.CheckCanEnableAsync(tx, model, account, draftId, enabled, ct) is { } refused) return refused;
            await writer.SetEnabledAsync(tx, model, account, draftId, enabled, time.GetUtcNow(), ct);
            return null;
        }, ct);
        if (outcome is not null) return outcome;
        var after = await store.LoadAsync(caller.OrgId, caller.Environment, account.Id, slug, configId, ct);
        return TypedResults.Ok(views.Toggle(ConfigModel.From(after)));
    }

    // ---- WF10 ----

    static async Task<Results<Ok<List<EnabledWorkflowResponse>>, ApiError>> Enabled(
        Caller caller, LinkedAccountStore accounts, ConfigStore store, WorkflowStore workflows, AppCatalog catalog, CancellationToken ct)
    {
        if (await accounts.ForCallerAsync(caller, ct) is not { } account) return caller.LinkedAccountNotFound(caller.AccountId);
        var result = new List<EnabledWorkflowResponse>();
        foreach (var (workflowId, configId) in await store.EnabledForAccountAsync(account.Id, ct))
        {
            if (await workflows.GetAsync(caller.OrgId, caller.Environment, workflowId, ct) is not { } w) continue;
            var app = catalog.Find(w.Slug);
            result.Add(new(w.Id, w.Name, w.Description, "", w.CreatedAt, w.UpdatedAt, configId,
                new EnabledWorkflowApp(w.Slug, app?.Name ?? w.Slug, "", app?.Description ?? "")));
        }
        return TypedResults.Ok(result);
    }
}

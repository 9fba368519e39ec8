namespace Patchbay.Tests.Contract;

public abstract partial class ServedOpenApiTests
{
    // Differences from Refold's document that are deliberate or known; each says why. The test fails on any other
    // difference and on an entry that no longer occurs, so this list stays true.
    static readonly Dictionary<string, string> KnownDifferences = new(StringComparer.Ordinal)
    {
        ["GET /api/v2/public/application/{slug}: query parameter 'tags' is missing"] =
            "Refold lists the list's filters on the single-app route too; Patchbay's single-app route reads auth_type only.",
        ["GET /api/v2/public/application/{slug}: query parameter 'ecosystem' is missing"] =
            "As above: no ecosystem filter on the single-app route.",
        ["DELETE /api/v2/public/linked-account/integration/{slug}: query parameter 'linked_account_id' is not required"] =
            "Refold marks both the header and the query parameter; Patchbay takes either, and requires the header in its document.",
        ["POST /api/v2/public/connect-url: query parameter 'linked_account_id' is missing"] =
            "The route takes a session token, which names its account; Patchbay reads no linked_account_id here.",
        ["GET /api/v2/public/execution/{execution_id}/nodes/{node_id}/batches: query parameter 'page' is missing"] =
            "Batch details are not implemented (501); the route reads no query.",
        ["GET /api/v2/public/execution/{execution_id}/nodes/{node_id}/batches: query parameter 'limit' is missing"] =
            "As above.",
        ["GET /api/v2/public/execution/{execution_id}/nodes/{node_id}/batches: query parameter 'status' is missing"] =
            "As above.",
        ["POST /api/v2/public/workflow: request body field 'name' is required (Refold: optional)"] =
            "Refold's document leaves the workflow body free-form; the contract (WF2) and Patchbay require a name.",
        ["PUT /api/v2/public/workflow/{workflowId}/publish: request body field 'version' is not documented"] =
            "Patchbay numbers a published version itself (the next one); a `version` in the body is not read.",
        ["GET /api/v2/integration-schema/{slug}/actions: header parameter 'linked_account_id' is not required"] =
            "Refold's document shows only the org key (header required); the contract (AC1–AC3) also takes a session token, which names its own account.",
        ["GET /api/v2/integration-schema/{slug}/actions/{action_id}: header parameter 'linked_account_id' is not required"] =
            "As above: a session token needs no linked_account_id header.",
        ["POST /api/v2/integration-schema/{slug}/actions/{action_id}/execute: header parameter 'linked_account_id' is not required"] =
            "As above: a session token needs no linked_account_id header.",
        ["POST /api/v1/workflow/public/scheduled: header parameter 'slug' is not required"] =
            "Patchbay takes the workflow's own app when slug is absent (and checks it when given).",
        ["POST /api/v1/workflow/public/scheduled: header parameter 'config_id' is not required"] =
            "Patchbay defaults config_id to the linked account's id, as executions do.",
        ["GET /api/v2/public/application 200: properties missing: $[].connected_accounts[].defaultCredentials, $[].webhook_url"] =
            "Refold's app document has webhook_url (apps receiving provider webhooks) and connected_accounts[].defaultCredentials (credentials); Patchbay has no inbound app webhooks and returns no credentials.",
        ["GET /api/v2/public/application/{slug} 200: properties missing: $.connected_accounts[].defaultCredentials, $.webhook_url"] =
            "As above: no webhook_url, no credentials in connected_accounts.",
        ["GET /api/v2/public/linked-account 200: properties missing: $.docs[].integrations[].credentials, $.docs[].integrations[].authTokens, $.docs[].integrations[].refresh_token_expired, $.docs[].integrations[].connections"] =
            "Integration credentials and tokens are secrets Patchbay never returns; it tracks no per-integration refresh_token_expired or connections map (its connections carry their own status).",
        ["POST /api/v2/public/linked-account 200: properties missing: $.integrations[].credentials, $.integrations[].authTokens, $.integrations[].refresh_token_expired, $.integrations[].connections"] =
            "As above: no credentials or tokens in integrations.",
        ["PUT /api/v2/public/linked-account 200: properties missing: $.integrations[].credentials, $.integrations[].authTokens, $.integrations[].refresh_token_expired, $.integrations[].connections"] =
            "As above: no credentials or tokens in integrations.",
        ["GET /api/v2/public/linked-account/{linked_account_id} 200: properties missing: $.integrations[].credentials, $.integrations[].authTokens, $.integrations[].refresh_token_expired, $.integrations[].connections"] =
            "As above: no credentials or tokens in integrations.",
        ["DELETE /api/v2/public/linked-account/integration/{slug} 200: properties missing: $.integrations[].credentials, $.integrations[].authTokens, $.integrations[].refresh_token_expired, $.integrations[].connections"] =
            "As above: no credentials or tokens in integrations.",
        ["GET /api/v2/public/session/active-linked-account 200: properties missing: $.integrations[].credentials, $.integrations[].authTokens, $.integrations[].refresh_token_expired, $.integrations[].connections"] =
            "As above: no credentials or tokens in integrations.",
        ["GET /api/v2/public/execution 200: properties missing: $.docs[].associated_event_id, $.docs[].associated_trigger_application, $.docs[].custom_application_id, $.docs[].custom_trigger_id, $.docs[].store_variables, $.docs[].linked_account_data, $.docs[].custom_field_values"] =
            "Refold-internal execution fields (custom apps and triggers, stored variables, account snapshots) that Patchbay executions do not have.",
        ["GET /api/v2/public/workflow 200: properties missing: $.docs[].linked_account_id, $.docs[].associated_project, $.docs[].json_schema, $.docs[].manual_execution_payload, $.docs[].group, $.docs[].expose_as_node, $.docs[].data_slots, $.docs[].udf_filter, $.docs[].udf_filter_operator, $.docs[].created_by_ai, $.docs[].index_order, $.docs[].workflow_builder_version, $.docs[].when_to_use, $.docs[].test_instance_meta_data, $.docs[].event_schema_guidelines, $.docs[].is_agentic_flow"] =
            "Refold-internal workflow fields (projects, groups, data slots, UDF filters, its AI builder) that Patchbay workflows do not have.",
        ["GET /api/v2/public/workflow/versions/{workflowId} 200: properties missing: $.docs[].name, $.docs[].description, $.docs[].icon, $.docs[].slug, $.docs[].org_id, $.docs[].environment, $.docs[].linked_account_id, $.docs[].autoEnable, $.docs[].hide_in_config, $.docs[].workflow_alias, $.docs[].public_access_workflow, $.docs[].associated_application, $.docs[].associated_project, $.docs[].is_v2, $.docs[].settings, $.docs[].nodes, $.docs[].edges, $.docs[].json_schema, $.docs[].manual_execution_payload, $.docs[].group, $.docs[].current_version, $.docs[].expose_as_node, $.docs[].data_slots, $.docs[].udf_filter, $.docs[].udf_filter_operator, $.docs[].created_by_ai, $.docs[].index_order, $.docs[].workflow_builder_version, $.docs[].when_to_use, $.docs[].test_instance_meta_data, $.docs[].event_schema_guidelines, $.docs[].is_agentic_flow, $.docs[].updatedAt"] =
            "The contract's examples list versions as {version, _id, published, createdAt}; Refold's document types them as whole workflows.",
        ["POST /api/v2/public/session-token 200: properties missing: $.is_api_token"] =
            "is_api_token only appears on Refold's API-token issuance, which this route does not do (Refold's own description).",
        ["GET /api/v2/public/execution/{execution_id} 200: properties missing: $.associated_event_id, $.associated_trigger_application, $.custom_application_id, $.custom_trigger_id, $.store_variables, $.linked_account_data, $.custom_field_values"] =
            "Refold-internal execution fields (custom apps and triggers, stored variables, account snapshots) that Patchbay executions do not have.",
        ["GET /api/v2/public/execution/{execution_id}/nodes/{node_id}/batches: no JSON 200 response"] =
            "Batch details are not implemented: the route answers 501 (documented).",
        ["POST /api/v2/public/workflow 200: properties missing: $.workflow.linked_account_id, $.workflow.associated_project, $.workflow.json_schema, $.workflow.manual_execution_payload, $.workflow.group, $.workflow.expose_as_node, $.workflow.data_slots, $.workflow.udf_filter, $.workflow.udf_filter_operator, $.workflow.created_by_ai, $.workflow.index_order, $.workflow.workflow_builder_version, $.workflow.when_to_use, $.workflow.test_instance_meta_data, $.workflow.event_schema_guidelines, $.workflow.is_agentic_flow"] =
            "Refold-internal workflow fields (projects, groups, data slots, UDF filters, its AI builder) that Patchbay workflows do not have.",
        ["GET /api/v2/public/workflow/{workflowId} 200: properties missing: $.linked_account_id, $.associated_project, $.json_schema, $.manual_execution_payload, $.group, $.expose_as_node, $.data_slots, $.udf_filter, $.udf_filter_operator, $.created_by_ai, $.index_order, $.workflow_builder_version, $.when_to_use, $.test_instance_meta_data, $.event_schema_guidelines, $.is_agentic_flow"] =
            "As above: Refold-internal workflow fields.",
        ["GET /api/v2/public/workflow/{workflowId}/edit 200: properties missing: $.linked_account_id, $.associated_project, $.json_schema, $.manual_execution_payload, $.group, $.expose_as_node, $.data_slots, $.udf_filter, $.udf_filter_operator, $.created_by_ai, $.index_order, $.workflow_builder_version, $.when_to_use, $.test_instance_meta_data, $.event_schema_guidelines, $.is_agentic_flow"] =
            "As above: Refold-internal workflow fields.",
        ["POST /api/v2/public/workflow/{workflowId}/execute: header parameter 'include-headers' is missing"] =
            "Patchbay does not pass request headers into the payload (include-headers is not implemented).",
        ["POST /api/v2/public/workflow/{workflowId}/execute: query parameter 'include-headers' is missing"] =
            "As above.",
        ["PUT /api/v2/public/workflow/{workflowId}/publish 200: properties missing: $.linked_account_id, $.associated_project, $.json_schema, $.manual_execution_payload, $.group, $.expose_as_node, $.data_slots, $.udf_filter, $.udf_filter_operator, $.created_by_ai, $.index_order, $.workflow_builder_version, $.when_to_use, $.test_instance_meta_data, $.event_schema_guidelines, $.is_agentic_flow"] =
            "As above: Refold-internal workflow fields.",
        // Configs and config fields (§3.9, §3.10).
        ["POST /api/v2/public/config 200: properties missing: $.fields[].associated_page, $.workflows[].associated_page"] =
            "associated_page places a field or workflow on a page of the config portal Refold's dashboard builds; Patchbay has no config pages.",
        ["PUT /api/v2/public/config 200: properties missing: $.fields[].associated_page, $.workflows[].associated_page"] =
            "As above: no config pages.",
        ["GET /api/v2/public/slug/{slug}/config 200: properties missing: $.fields[].associated_page, $.workflows[].associated_page"] =
            "As above: no config pages.",
        ["GET /api/v2/public/slug/{slug}/config/{configId} 200: properties missing: $.fields[].associated_page, $.workflows[].associated_page"] =
            "As above: no config pages.",
        ["POST /api/v2/public/config/field 200: properties missing: $.fields[].associated_page, $.workflows[].associated_page"] =
            "As above: no config pages.",
        ["POST /api/v2/public/config/field/{fieldId} 200: properties missing: $.associated_page"] =
            "As above: no config pages.",
        ["PUT /api/v2/public/config/field/{fieldId} 200: properties missing: $.associated_page"] =
            "As above: no config pages.",
        ["DELETE /api/v2/public/config/field/{fieldId} 200: properties missing: $.associated_page"] =
            "As above: no config pages.",
        ["GET /api/v2/public/slug/{slug}/config: no JSON request body"] =
            "Refold reads an optional {tenant_config} body on this GET to answer its org-wide tenant config; Patchbay has no tenant configs, so it reads no body (one sent is ignored).",
        ["GET /api/v2/public/slug/{slug}/config/{configId}: no JSON request body"] =
            "As above: no tenant configs, no body read.",
        ["GET /api/v2/public/slug/{slug}/configs 200: properties missing: $[].tenant_config"] =
            "tenant_config marks Refold's org-wide tenant configs (Refold's document makes it optional); every Patchbay config belongs to one linked account.",
        ["PUT /api/v2/public/config/field/{fieldId}: request body field 'value' is required (Refold: optional)"] =
            "Patchbay refuses a body without `value` (400) rather than guess what it means: `value: null` clears the field, DELETE puts its default back.",
        // Environment variables (§3.17).
        ["GET /api/v2/public/env/definitions 200: properties missing: $.docs[].created_by, $.docs[].updated_by"] =
            "created_by and updated_by name the Refold dashboard user who wrote the definition; Patchbay has no dashboard users (definitions are written with the org API key).",
        ["GET /api/v2/public/env/definitions/{id} 200: properties missing: $.definition.created_by, $.definition.updated_by"] =
            "As above: no dashboard users.",
        ["POST /api/v2/public/env/values 200: properties missing: $.created_by, $.updated_by"] =
            "As above: values are written with the org API key or a session token, not by a dashboard user.",
        ["GET /api/v2/public/env/values/{scope} 200: properties missing: $.docs[].created_by, $.docs[].updated_by"] =
            "As above: no dashboard users.",
        // Webhooks (§3.7).
        ["POST /api/v2/public/webhook: does not accept LinkedAccountToken"] =
            "A subscription belongs to the environment, not to one linked account: a session token (held by an end user's browser) may not register, change or delete the org's webhooks. Refold's API guides list the org key only for these routes (its OpenAPI document adds the session token).",
        ["PUT /api/v2/public/webhook/{id}: does not accept LinkedAccountToken"] =
            "As above: webhooks are the org's, managed with the org key only.",
        ["DELETE /api/v2/public/webhook/{id}: does not accept LinkedAccountToken"] =
            "As above: webhooks are the org's, managed with the org key only.",
        // Persistent tables (§3.16).
        ["GET /api/v2/public/tables 200: properties missing: $.docs[].associated_instance"] =
            "associated_instance names the Refold execution a workflow created the table from; Patchbay does not record which execution created a table (the contract's TB1 answer has no such field either).",
    };

    // Refold routes that Refold's published document does not list (its frontend SDK, v1 and legacy paths; contract
    // sections in brackets). Every other route missing from that document must be marked as a Patchbay extension.
    static readonly HashSet<string> RefoldRoutesOutsideItsDocument = new(StringComparer.Ordinal)
    {
        "DELETE /api/v1/linked-acc/integration/{slug}", // §5.1 frontend SDK disconnect
        "POST /api/v2/app/{slug}/save",                  // CR5
        "GET /api/v1/{slug}/integrate",                  // §5 SDK integrate
        "POST /api/v1/{slug}/integrate",
        "GET /api/v1/{slug}/callback",                   // AP5
        "POST /api/v1/workflow/{workflowIdOrAlias}/execute", // WF9
        "POST /api/v1/workflows/webhooks/{waitId}",      // wait-for-webhook resume
        "GET /api/v2/f-sdk/application",                 // §3.22
        "GET /api/v2/f-sdk/application/{slug}",
        "POST /api/v2/f-sdk/config",                     // §3.22: the frontend SDK's config mirrors (CF1–CF6)
        "PUT /api/v2/f-sdk/config",
        "GET /api/v2/f-sdk/slug/{slug}/config",
        "GET /api/v2/f-sdk/slug/{slug}/config/{configId}",
        "DELETE /api/v2/f-sdk/slug/{slug}/config",
        "DELETE /api/v2/f-sdk/slug/{slug}/config/{configId}",
        "GET /api/v2/public/config/field/{fieldId}",     // FD2's GET variant (the SDK's getConfigField)
        "GET /api/v3/org/basics",
        "POST /api/v2/public/connect-code/exchange",     // ST3
        "PUT /api/v2/public/workflow/{workflowId}",      // WF4
        "GET /api/v2/public/executions",                 // EX7
        "GET /api/v2/public/audit/audit-trails",         // §3.20 (existence only: Refold documents no shape)
        "GET /api/v1/execution/{executionId}/response",  // EX6
        "POST /api/v2/public/event",                     // EV8
        "POST /api/v1/event/trigger",                    // EV9
        "POST /api/v1/webhook/{appId}",                  // EV10
        "DELETE /api/v2/public/webhook",                 // WH9: the deprecated single-webhook API (the Node SDK's deleteWebhook)
        "POST /api/v2/public/webhook/subscribe",         // WH7 (deprecated)
        "POST /api/v2/public/webhook/unsubscribe",       // WH8 (deprecated)
        "PATCH /api/v2/public/tables/{table_id}/records/{record_id}", // TB7 (Refold's changelog, not yet in its document)
        "GET /api/v2/public/event",                      // the Node SDK's older paths of /application/event (hidden from the
        "GET /api/v2/public/event/{eventId}",            // served document: /event/{eventId} would clash with POST /event/{slug})
        "PUT /api/v2/public/event/{eventId}",
        "DELETE /api/v2/public/event/{eventId}",
    };
}

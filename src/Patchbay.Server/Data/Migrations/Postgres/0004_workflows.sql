-- Workflows (drafts and their published versions), durable executions with node runs, waits, custom events,
-- per-account workflow enablement, schedules.

-- A draft is the editable workflow (draft_id null); publishing copies it into a version row (draft_id = the draft,
-- version = its number). live_version_id names the version that runs; versions are never edited.
create table workflows (
    id text primary key,
    org_id text not null references orgs (id) on delete cascade,
    environment text not null,
    linked_account_row_id text null references linked_accounts (id) on delete cascade,
    draft_id text null references workflows (id) on delete cascade,
    version integer not null default 0,
    current_version integer not null default 0,
    published boolean not null default false,
    live_version_id text null,
    slug text not null,
    name text not null,
    description text not null default '',
    alias text null,
    trigger_type text not null default 'api',
    trigger_event text null,
    definition text not null,
    created_at timestamptz not null,
    updated_at timestamptz not null
);
create index workflows_org on workflows (org_id, environment, created_at) where draft_id is null;
create index workflows_versions on workflows (draft_id, version) where draft_id is not null;
create unique index workflows_alias on workflows (org_id, environment, alias) where alias is not null and draft_id is null;
create index workflows_event on workflows (org_id, environment, trigger_event) where trigger_event is not null and published;

create table executions (
    id text primary key,
    org_id text not null references orgs (id) on delete cascade,
    environment text not null,
    linked_account_row_id text not null references linked_accounts (id) on delete cascade,
    account_id text not null,
    config_id text not null,
    workflow_id text not null,
    workflow_draft_id text not null,
    workflow_name text not null,
    slug text not null,
    name text not null,
    status text not null,
    type text not null,
    source text not null,
    instance_tag text null,
    idempotency_key text null,
    payload text not null,
    state text not null,
    return_value text null,
    return_status integer null,
    error text null,
    current_node text null,
    nodes_total integer not null,
    nodes_done integer not null default 0,
    run_at timestamptz null,
    lease_owner text null,
    lease_until timestamptz null,
    timeout_at timestamptz null,
    parent_execution_id text null,
    parent_node_id text null,
    created_at timestamptz not null,
    updated_at timestamptz not null,
    completed_at timestamptz null
);
create index executions_due on executions (run_at) where run_at is not null;
create index executions_org on executions (org_id, environment, created_at);
create index executions_account on executions (linked_account_row_id, created_at);
create index executions_idempotency on executions (org_id, environment, idempotency_key, created_at) where idempotency_key is not null;

-- One row per node run that finished (succeeded, or failed for good). seq is the execution's step counter, so two
-- workers can never both record the same step.
create table execution_nodes (
    execution_id text not null references executions (id) on delete cascade,
    seq integer not null,
    node_id text not null,
    node_name text not null,
    node_type text not null,
    status text not null,
    attempts integer not null,
    max_attempts integer not null,
    input text null,
    output text null,
    error text null,
    started_at timestamptz not null,
    finished_at timestamptz not null,
    execution_ms integer not null,
    primary key (execution_id, seq)
);

-- An execution paused in a "wait for webhook" node, until POST /api/v1/workflows/webhooks/{id}.
create table execution_waits (
    id text primary key,
    execution_id text not null references executions (id) on delete cascade,
    node_id text not null,
    body text null,
    received_at timestamptz null,
    created_at timestamptz not null
);
create index execution_waits_execution on execution_waits (execution_id);

-- Custom events (triggers) of the org's default app.
create table workflow_events (
    id text primary key,
    org_id text not null references orgs (id) on delete cascade,
    environment text not null,
    name text not null,
    response text not null,
    fields text not null,
    json_schema text null,
    created_at timestamptz not null,
    updated_at timestamptz not null,
    unique (org_id, environment, name)
);

-- Public workflows run on events and schedules only for the accounts (and configs) that enabled them.
create table workflow_enablements (
    linked_account_row_id text not null references linked_accounts (id) on delete cascade,
    config_id text not null,
    workflow_id text not null references workflows (id) on delete cascade,
    enabled boolean not null,
    updated_at timestamptz not null,
    primary key (linked_account_row_id, config_id, workflow_id)
);

create table schedules (
    id text primary key,
    event_id text not null,
    org_id text not null references orgs (id) on delete cascade,
    environment text not null,
    linked_account_row_id text not null references linked_accounts (id) on delete cascade,
    account_id text not null,
    config_id text not null,
    workflow_id text not null references workflows (id) on delete cascade,
    slug text not null,
    trigger_type text not null,
    cron text null,
    tz text not null,
    start_date text null,
    end_date text null,
    interval_dates text not null,
    payload text not null,
    status text not null,
    next_run_at timestamptz null,
    lease_owner text null,
    lease_until timestamptz null,
    last_run_at timestamptz null,
    inactive_from timestamptz null,
    created_at timestamptz not null,
    updated_at timestamptz not null
);
create index schedules_due on schedules (next_run_at) where next_run_at is not null;
create index schedules_account on schedules (linked_account_row_id, created_at);

-- MCP servers (refold-api.md §3.18): a linked account's tool sets, the tokens that open them, the log of tool calls
-- and the calls a safe-mode server holds for a person's approval.
create table mcp_servers (
    id text primary key,
    org_id text not null references orgs (id) on delete cascade,
    environment text not null,
    linked_account_row_id text not null references linked_accounts (id) on delete cascade,
    name text not null,
    description text not null,
    agent_name text null,
    primary_color text null,
    secondary_color text null,
    base_prompt text null,
    safe_mode boolean not null default false,
    enabled boolean not null default true,
    associated_apps text not null,
    suggestions text not null,
    chains text not null,
    created_at text not null,
    updated_at text not null
);
create unique index mcp_servers_name on mcp_servers (linked_account_row_id, name);
create index mcp_servers_account on mcp_servers (linked_account_row_id, created_at);

-- Dedicated tokens: only their keyed hash is stored (like API keys); `hint` is what a listing shows of them.
create table mcp_tokens (
    id text primary key,
    server_id text not null references mcp_servers (id) on delete cascade,
    token_hash text not null unique,
    hint text not null,
    name text null,
    expires_at text not null,
    revoked_at text null,
    created_at text not null
);
create index mcp_tokens_server on mcp_tokens (server_id, created_at);

-- Every tools/call: who, which tool, how it ended and how long it took. No arguments, no results.
create table mcp_tool_calls (
    id text primary key,
    org_id text not null references orgs (id) on delete cascade,
    environment text not null,
    linked_account_row_id text not null references linked_accounts (id) on delete cascade,
    server_id text not null,
    tool text not null,
    status text not null,
    duration_ms integer not null,
    error text null,
    approval_id text null,
    created_at text not null
);
create index mcp_tool_calls_server on mcp_tool_calls (server_id, created_at);

-- A write tool call a safe-mode server holds: its arguments sealed, bound to the row; its human task's hash and, sealed,
-- the form's public id (to show its link again); a keyed hash of the tool and arguments, to find the call when a client
-- retries it after URL-mode elicitation. The status moves once from PENDING (to RUNNING then DONE/FAILED on approval;
-- to REJECTED or EXPIRED otherwise); `delivered` once a retried call has been answered with the outcome.
create table mcp_approvals (
    id text primary key,
    org_id text not null references orgs (id) on delete cascade,
    environment text not null,
    linked_account_row_id text not null references linked_accounts (id) on delete cascade,
    server_id text not null references mcp_servers (id) on delete cascade,
    tool text not null,
    arguments text not null,
    task_hash text not null unique,
    task_ref text not null,
    fingerprint text not null,
    status text not null,
    result text null,
    delivered boolean not null default false,
    lease_owner text null,
    lease_until text null,
    created_at text not null,
    updated_at text not null
);
create index mcp_approvals_pending on mcp_approvals (created_at) where status = 'PENDING';
create index mcp_approvals_call on mcp_approvals (server_id, fingerprint, created_at) where not delivered;

-- A human task may stand alone (an approval of a held MCP tool call) rather than park an execution.
create table human_tasks_new (
    id text primary key,
    org_id text not null references orgs (id) on delete cascade,
    environment text not null,
    execution_id text null references executions (id) on delete cascade,
    node_id text not null,
    name text not null,
    description text not null,
    form_structure text not null,
    ui_structure text not null,
    task_group text null,
    data text not null,
    receiver_emails text not null,
    status text not null,
    expires_at text not null,
    submitted_data text null,
    submitted_at text null,
    created_at text not null,
    updated_at text not null,
    lease_owner text null,
    lease_until text null
);
insert into human_tasks_new select id, org_id, environment, execution_id, node_id, name, description, form_structure, ui_structure, task_group,
    data, receiver_emails, status, expires_at, submitted_data, submitted_at, created_at, updated_at, lease_owner, lease_until from human_tasks;
drop table human_tasks;
alter table human_tasks_new rename to human_tasks;
create index human_tasks_due on human_tasks (expires_at) where status = 'WAITING';
create index human_tasks_execution on human_tasks (execution_id);

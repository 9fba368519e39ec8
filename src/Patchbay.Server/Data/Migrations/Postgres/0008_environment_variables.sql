-- Environment variables: definitions belong to the org (every environment), values to one environment and one
-- scope target (the environment itself for org and workspace scope, a linked account, or a workflow). A value is
-- kept in `value` when its definition is plain, or sealed by the vault in `sealed_value` (bound to the row id)
-- when the definition is encrypted; never both.
create table env_definitions (
    id text primary key,
    org_id text not null references orgs (id) on delete cascade,
    name text not null,
    description text not null default '',
    scope text not null,
    var_format text not null,
    encrypted boolean not null,
    created_at timestamptz not null,
    updated_at timestamptz not null,
    unique (org_id, scope, name)
);

create table env_values (
    id text primary key,
    definition_id text not null references env_definitions (id) on delete cascade,
    org_id text not null references orgs (id) on delete cascade,
    environment text not null,
    linked_account_row_id text null references linked_accounts (id) on delete cascade,
    workflow_id text null references workflows (id) on delete cascade,
    value text null,
    sealed_value text null,
    created_at timestamptz not null,
    updated_at timestamptz not null
);
-- One value per definition, environment and target.
create unique index env_values_target on env_values (definition_id, environment, coalesce(linked_account_row_id, ''), coalesce(workflow_id, ''));
-- What an execution reads: the values of its org and environment.
create index env_values_org on env_values (org_id, environment);

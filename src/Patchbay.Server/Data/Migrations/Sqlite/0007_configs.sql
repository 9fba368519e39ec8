-- Configs: a linked account's installation of an app (one per account, app slug and config_id), the workflows each
-- enables, the values of its fields, and the app-level field definitions an org's developers manage. Workflow-level
-- fields are declared in the workflow's own definition (settings.data_slots).

create table config_field_definitions (
    id text primary key,
    org_id text not null references orgs (id) on delete cascade,
    environment text not null,
    slug text not null,
    position integer not null,
    definition text not null,
    created_at text not null,
    updated_at text not null
);
create index config_field_definitions_app on config_field_definitions (org_id, environment, slug, position);

create table configs (
    id text primary key,
    org_id text not null references orgs (id) on delete cascade,
    environment text not null,
    linked_account_row_id text not null references linked_accounts (id) on delete cascade,
    slug text not null,
    config_id text not null,
    labels text not null default '{}',
    created_at text not null,
    updated_at text not null,
    unique (linked_account_row_id, slug, config_id)
);

-- Public workflows enabled (or explicitly disabled) in a config; no row = disabled.
create table config_workflows (
    config_row_id text not null references configs (id) on delete cascade,
    workflow_id text not null references workflows (id) on delete cascade,
    enabled boolean not null,
    updated_at text not null,
    primary key (config_row_id, workflow_id)
);

-- A field's value in a config: app-level fields have workflow_id '', a workflow's own fields its draft id. Password
-- values are sealed by the vault (sealed_value, bound to the row) and never stored in value.
create table config_values (
    config_row_id text not null references configs (id) on delete cascade,
    workflow_id text not null,
    field_id text not null,
    value text null,
    sealed_value text null,
    updated_at text not null,
    primary key (config_row_id, workflow_id, field_id)
);

-- The enable flags kept per (account, config id) before configs existed become configs of their own.
insert into configs (id, org_id, environment, linked_account_row_id, slug, config_id, labels, created_at, updated_at)
select lower(hex(randomblob(12))), w.org_id, w.environment, e.linked_account_row_id, w.slug, e.config_id, '{}', min(e.updated_at), max(e.updated_at)
from workflow_enablements e join workflows w on w.id = e.workflow_id
group by w.org_id, w.environment, e.linked_account_row_id, w.slug, e.config_id;

insert into config_workflows (config_row_id, workflow_id, enabled, updated_at)
select c.id, e.workflow_id, e.enabled, e.updated_at
from workflow_enablements e join workflows w on w.id = e.workflow_id
join configs c on c.linked_account_row_id = e.linked_account_row_id and c.slug = w.slug and c.config_id = e.config_id;

drop table workflow_enablements;

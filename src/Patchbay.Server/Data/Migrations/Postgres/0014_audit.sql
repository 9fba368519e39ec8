-- The audit log: who changed what, when, from where. One row per change, written in the change's own transaction.
-- `details` is a small JSON summary (never a secret value). Reads are per org and environment, newest first;
-- retention deletes by age.

create table audit_entries (
    id text primary key,
    org_id text not null references orgs (id) on delete cascade,
    environment text not null,
    event text not null,
    resource_type text not null,
    resource_id text null,
    linked_account_id text null,
    actor_type text not null,
    actor_id text null,
    ip_address text null,
    request_id text null,
    details text not null,
    created_at timestamptz not null
);
create index audit_entries_scope on audit_entries (org_id, environment, created_at, id);
create index audit_entries_account on audit_entries (org_id, environment, linked_account_id, created_at);
create index audit_entries_created on audit_entries (created_at);

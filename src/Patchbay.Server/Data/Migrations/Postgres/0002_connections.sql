-- App connections: one per (integration, auth type), credentials sealed as one JSON object bound to that pair;
-- per-org app settings; the default custom app's auth fields.

create table connections (
    id text primary key,
    integration_id text not null references integrations (id) on delete cascade,
    auth_type text not null,
    status text not null check (status in ('active', 'expired')),
    identifier text null,
    sealed_credentials text not null,
    connected_at timestamptz not null,
    updated_at timestamptz not null,
    last_verified_at timestamptz null,
    -- The re-check worker: when to verify next, how many transient failures in a row, and its lease.
    next_check_at timestamptz null,
    check_failures integer not null default 0,
    lease_owner text null,
    lease_until timestamptz null,
    unique (integration_id, auth_type)
);
create index connections_due on connections (next_check_at) where next_check_at is not null;

-- Which catalog apps an org offers in an environment. No row: the app's default (key-based apps on).
create table org_apps (
    org_id text not null references orgs (id) on delete cascade,
    environment text not null check (environment in ('test', 'production')),
    slug text not null,
    enabled boolean not null,
    updated_at timestamptz not null,
    primary key (org_id, environment, slug)
);

alter table custom_apps add column auth_fields text not null default '[]';

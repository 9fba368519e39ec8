-- OAuth2: each org's client per app and environment, single-use authorization states, token refresh bookkeeping;
-- the hosted Connect page: properties per session, single-use connect codes.

create table oauth_clients (
    org_id text not null references orgs (id) on delete cascade,
    environment text not null check (environment in ('test', 'production')),
    slug text not null,
    client_id text not null,
    sealed_client_secret text null,
    scopes text null,
    created_at timestamptz not null,
    updated_at timestamptz not null,
    primary key (org_id, environment, slug)
);

-- One row per authorization attempt: the state parameter names it, and it is spent by the callback.
create table oauth_states (
    id text primary key,
    org_id text not null references orgs (id) on delete cascade,
    environment text not null,
    linked_account_row_id text not null references linked_accounts (id) on delete cascade,
    slug text not null,
    redirect_uri text not null,
    sealed_context text not null,
    return_to text null,
    expires_at timestamptz not null,
    used_at timestamptz null,
    created_at timestamptz not null
);
create index oauth_states_expiry on oauth_states (expires_at);

alter table connections add column token_expires_at timestamptz null;
alter table connections add column refresh_at timestamptz null;
alter table connections add column refresh_failures integer not null default 0;
alter table connections add column refresh_lease_owner text null;
alter table connections add column refresh_lease_until timestamptz null;
create index connections_refresh on connections (refresh_at) where refresh_at is not null;

-- Properties stored by POST /connect-url for the hosted page, keyed by the session that stored them.
create table hosted_properties (
    session_id text primary key,
    properties text not null,
    expires_at timestamptz not null
);

-- Single-use codes that open the hosted page without putting a session token in a URL.
create table connect_codes (
    code_hash text primary key,
    session_id text not null,
    expires_at timestamptz not null,
    used_at timestamptz null
);

-- Foundation: organizations, API keys, the vault's data keys, server secrets, linked accounts, integrations,
-- default-app credentials and session tokens. Instants are timestamptz.

create table orgs (
    id text primary key,
    name text not null,
    created_at timestamptz not null,
    updated_at timestamptz not null
);

-- One-time facts about this installation (e.g. which org was created as the default on first start).
create table server_state (
    name text primary key,
    value text not null,
    created_at timestamptz not null
);

-- Data-encryption keys, each wrapped (AES-GCM) by a master key that never touches the database.
create table vault_keys (
    id text primary key,
    wrapped_key text not null,
    master_key_id text not null,
    created_at timestamptz not null,
    retired_at timestamptz null
);

-- Secrets shared by every node (session-token signing key, API-key hashing key), sealed by the vault.
create table server_secrets (
    name text primary key,
    sealed_value text not null,
    created_at timestamptz not null
);

create table api_keys (
    id text primary key,
    org_id text not null references orgs (id) on delete cascade,
    environment text not null check (environment in ('test', 'production')),
    key_hash text not null unique,
    key_hint text not null,
    source text not null,
    created_at timestamptz not null,
    revoked_at timestamptz null
);
create unique index api_keys_one_active on api_keys (org_id, environment) where revoked_at is null;
create index api_keys_revoked on api_keys (revoked_at) where revoked_at is not null;

create table custom_apps (
    id text primary key,
    org_id text not null references orgs (id) on delete cascade,
    slug text not null,
    name text not null,
    description text null,
    icon text null,
    is_default boolean not null default false,
    -- A summary of the integration's connections, kept by ConnectionStore.SummarizeAsync in the transaction that
    -- changes them, so reads of linked accounts need no join: the newest identifier, whether any expired.
    identifier text null,
    reauth_required boolean not null default false,
    created_at timestamptz not null,
    updated_at timestamptz not null,
    unique (org_id, slug)
);
create unique index custom_apps_one_default on custom_apps (org_id) where is_default;

create table linked_accounts (
    id text primary key,
    org_id text not null references orgs (id) on delete cascade,
    environment text not null check (environment in ('test', 'production')),
    account_id text not null,
    name text not null,
    udf text not null,
    scope text null,
    version integer not null default 0,
    created_at timestamptz not null,
    updated_at timestamptz not null,
    unique (org_id, environment, account_id)
);
create index linked_accounts_page on linked_accounts (org_id, environment, id);

-- One integration per (linked account, app); app_key is the native slug or the custom app's id.
create table integrations (
    id text primary key,
    linked_account_id text not null references linked_accounts (id) on delete cascade,
    app_key text not null,
    type text not null,
    app_id text null,
    name text not null,
    icon text null,
    is_default boolean not null default false,
    -- A summary of the integration's connections, kept by ConnectionStore.SummarizeAsync in the transaction that
    -- changes them, so reads of linked accounts need no join: the newest identifier, whether any expired.
    identifier text null,
    reauth_required boolean not null default false,
    created_at timestamptz not null,
    updated_at timestamptz not null,
    unique (linked_account_id, app_key)
);

create table integration_credentials (
    integration_id text not null references integrations (id) on delete cascade,
    key text not null,
    sealed_value text not null,
    -- 0 when inserted, +1 per update: lets one upsert statement say which it did, on both databases.
    revision integer not null default 0,
    created_at timestamptz not null,
    updated_at timestamptz not null,
    primary key (integration_id, key)
);

-- A session row outlives its linked account (no foreign key) so that its revocation stays known until expiry.
create table session_tokens (
    id text primary key,
    org_id text not null references orgs (id) on delete cascade,
    environment text not null,
    account_id text not null,
    linked_account_row_id text not null,
    issued_at timestamptz not null,
    expires_at timestamptz not null,
    refresh_expires_at timestamptz not null,
    revoked_at timestamptz null
);
create index session_tokens_reuse on session_tokens (org_id, environment, account_id, expires_at) where revoked_at is null;
create index session_tokens_revoked on session_tokens (revoked_at) where revoked_at is not null;
create index session_tokens_expiry on session_tokens (refresh_expires_at);

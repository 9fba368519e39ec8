-- Outbound webhooks. The environment's API key is kept sealed by the vault next to its hash, because Refold's
-- x-cobalt-signature is keyed with it at send time (keys made before this migration have no sealed copy).
alter table api_keys add column sealed_key text null;

-- Subscriptions (Refold's RefoldWebhook) and Patchbay's delivery state for each.
create table webhooks (
    id text primary key,
    org_id text not null references orgs (id) on delete cascade,
    environment text not null,
    webhook_url text not null,
    webhook_events text not null,          -- JSON array of event names
    workflow_ids text not null,            -- JSON array
    slug text null,
    webhook_body text not null,            -- JSON: the body template (a string or an object)
    webhook_headers text null,             -- JSON object, or null
    webhook_description text null,
    description text null,
    method text not null,
    group_name text null,
    is_enabled boolean not null,
    sealed_secret text not null,           -- whsec_… (Standard Webhooks), sealed by the vault
    sealed_previous_secret text null,      -- the secret before the last rotation, signing until previous_secret_until
    previous_secret_until timestamptz null,
    rate_limit integer null,               -- deliveries per second, null for none
    throttle_at timestamptz null,                 -- the next free send slot (rate limiting across nodes)
    failing_since timestamptz null,               -- first failure of the current run of failures
    disabled_reason text null,
    disabled_at timestamptz null,
    created_at timestamptz not null,
    updated_at timestamptz not null,
    version integer not null default 0
);
create index webhooks_org on webhooks (org_id, environment, created_at);

-- Retry schedule, auto-disable period and retention per org and environment (defaults from settings when absent).
create table webhook_settings (
    org_id text not null references orgs (id) on delete cascade,
    environment text not null,
    retry_schedule text null,              -- JSON array of seconds between attempts
    disable_after_seconds integer null,
    retention_seconds integer null,
    updated_at timestamptz not null,
    primary key (org_id, environment)
);

-- One message per (event, subscription): the body rendered once, sent until delivered or out of attempts.
create table webhook_messages (
    id text primary key,                   -- msg_…, the webhook-id header
    webhook_id text not null references webhooks (id) on delete cascade,
    event_id text not null,                -- the outbox message that caused it
    event_type text not null,
    body text not null,
    headers text null,                     -- JSON object of rendered custom headers
    status text not null,
    attempts integer not null default 0,
    next_attempt_at timestamptz null,
    last_response_status integer null,
    created_at timestamptz not null,
    updated_at timestamptz not null,
    lease_owner text null,
    lease_until timestamptz null
);
create unique index webhook_messages_event on webhook_messages (webhook_id, event_id);
create index webhook_messages_due on webhook_messages (next_attempt_at) where status = 'pending';
create index webhook_messages_list on webhook_messages (webhook_id, created_at);
create index webhook_messages_retention on webhook_messages (updated_at) where status <> 'pending';

create table webhook_attempts (
    id text primary key,
    message_id text not null references webhook_messages (id) on delete cascade,
    attempted_at timestamptz not null,
    status text not null,
    response_status integer null,
    duration_ms integer not null,
    response_body text null,               -- the first 1 KB
    error text null
);
create index webhook_attempts_message on webhook_attempts (message_id, attempted_at);

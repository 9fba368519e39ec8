-- The transactional outbox: messages written in the same transaction as the change that causes them (an execution
-- that ends, a connection that expires…), delivered afterwards by the outbox worker to the feature that handles
-- their topic. A message exists exactly when its change committed.
create table outbox (
    id text primary key,
    topic text not null,
    org_id text not null,
    environment text not null,
    payload text not null,
    created_at timestamptz not null,
    available_at timestamptz not null,
    attempts integer not null default 0,
    last_error text null,
    lease_owner text null,
    lease_until timestamptz null
);
create index outbox_due on outbox (available_at);

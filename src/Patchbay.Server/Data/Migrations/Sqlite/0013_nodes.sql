-- Cluster membership: each node heartbeats its row. A node whose heartbeats stopped is dead: a live node hands its
-- leases back (every queue) and removes the row. A node that stops cleanly removes its own row.

create table nodes (
    id text primary key,
    version text not null,
    started_at text not null,
    last_seen_at text not null,
    work_in_flight integer not null default 0
);

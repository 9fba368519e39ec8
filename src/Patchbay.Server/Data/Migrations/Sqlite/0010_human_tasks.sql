-- Human tasks (human_task nodes): a form a person fills in while the execution waits. The form's id is its only
-- credential, so the row is keyed by the id's SHA-256 (the id itself derives from the execution's state, see
-- HumanTaskIds). Expired WAITING tasks are claimed by the expiry worker with a lease.
create table human_tasks (
    id text primary key,
    org_id text not null references orgs (id) on delete cascade,
    environment text not null,
    execution_id text not null references executions (id) on delete cascade,
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
create index human_tasks_due on human_tasks (expires_at) where status = 'WAITING';
create index human_tasks_execution on human_tasks (execution_id);

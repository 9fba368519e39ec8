-- Persistent tables (a linked account's named tables of records), datarefs and config datastores.
--
-- A table's columns live in its row as JSON [{"name", "slot"}]; a record's values are keyed by slot, not by name,
-- so renaming a column touches one row and a removed column's slot is never reused. data_table_cells indexes every
-- scalar value of every record (lower-cased text and, for numbers, the number) per (table, slot): equality, prefix,
-- range and sort are index range scans on both databases, whatever a table's columns are called.

create table data_tables (
    id text primary key,
    org_id text not null references orgs (id) on delete cascade,
    environment text not null,
    linked_account_row_id text not null references linked_accounts (id) on delete cascade,
    name text not null,
    columns text not null,
    next_slot integer not null,
    next_seq integer not null default 1,
    grp text null,
    is_deleted boolean not null default false,
    record_count integer not null default 0,
    created_at text not null,
    updated_at text not null
);
create unique index data_tables_name on data_tables (linked_account_row_id, name) where not is_deleted;
create index data_tables_account on data_tables (linked_account_row_id, is_deleted, created_at, id);

create table data_table_records (
    id text primary key,
    table_row_id text not null references data_tables (id) on delete cascade,
    seq integer not null,
    data text not null,
    created_at text not null,
    updated_at text not null
);
create unique index data_table_records_seq on data_table_records (table_row_id, seq);

create table data_table_cells (
    table_row_id text not null,
    slot integer not null,
    text_key text not null,
    num_key double precision null,
    record_id text not null references data_table_records (id) on delete cascade,
    primary key (table_row_id, slot, text_key, record_id)
);
create index data_table_cells_num on data_table_cells (table_row_id, slot, num_key) where num_key is not null;
create index data_table_cells_record on data_table_cells (record_id);

-- Datarefs: a named map of record_id -> rows per linked account, written by workflows.
create table datarefs (
    id text primary key,
    org_id text not null references orgs (id) on delete cascade,
    environment text not null,
    linked_account_row_id text not null references linked_accounts (id) on delete cascade,
    name text not null,
    grp text null,
    version integer not null default 0,
    created_at text not null,
    updated_at text not null,
    unique (linked_account_row_id, name)
);

create table dataref_rows (
    dataref_row_id text not null references datarefs (id) on delete cascade,
    record_id text not null,
    seq integer not null,
    rows text not null,
    primary key (dataref_row_id, record_id)
);
create index dataref_rows_seq on dataref_rows (dataref_row_id, seq);

-- Datastores: named arrays of records kept on a config (Refold's store_variables), read-only through the API.
create table config_datastores (
    config_row_id text not null references configs (id) on delete cascade,
    name text not null,
    records text not null,
    updated_at text not null,
    primary key (config_row_id, name)
);

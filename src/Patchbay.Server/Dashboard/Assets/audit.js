// The audit log: who changed what, when and from where, newest first, with the API's filters (event, linked account,
// a time window). The filters live in the URL (#/audit?event=…&account=…&from=…&to=…&page=…), so a filtered view is a
// link; instants travel as ISO 8601 (the same moment in every time zone) and show in the reader's local time.
import { P, get, query } from "./api.js";
import { empty, field, h, pager, table, when } from "./dom.js";

// The events the server records (docs/audit.md), offered as suggestions; any other name is sent as typed.
const EVENTS = [
  "Linked Account Created", "Linked Account Updated", "Linked Account Deleted",
  "Connection Created", "Connection Expired", "Connection Disconnected", "Connection Errored",
  "Webhook Created", "Webhook Updated", "Webhook Deleted", "Config Created", "Config Updated", "Config Deleted",
  "Workflow Created", "Draft Workflow Updated", "Workflow Published", "Workflow Unpublished", "Workflow Deleted",
  "Workflow Enabled", "Workflow Disabled", "Workflow Settings Updated", "Schedule Created", "Schedule Deleted",
  "Table Created", "Table Deleted", "Table Columns Added", "Table Columns Removed", "Table Columns Renamed",
  "Environment Variable Created", "Environment Variable Updated", "Environment Variable Deleted",
  "Variable Value Set", "Variable Value Updated", "Variable Value Deleted", "API Key Regenerated",
];

// Where an entry's resource can be opened in the dashboard (the others have no page of their own).
const RESOURCE_PAGES = { linked_account: "accounts", workflow: "workflows", webhook: "webhooks" };

// A datetime-local input's value (local wall time) from an ISO instant, and back; "to" covers its whole minute.
function localValue(iso) {
  const date = new Date(iso);
  if (!iso || Number.isNaN(date.getTime())) return "";
  return new Date(date.getTime() - date.getTimezoneOffset() * 60000).toISOString().slice(0, 16);
}
const isoValue = (local, end) => (local ? new Date(new Date(local).getTime() + (end ? 59999 : 0)).toISOString() : "");

function actor(entry) {
  const type = entry.actor?.type ?? "—";
  return entry.actor?.id ? `${type} ${entry.actor.id}` : type;
}

function resource(entry) {
  const name = entry.details?.name ?? entry.details?.table_name ?? entry.details?.webhook_url;
  const label = [entry.resource_type, typeof name === "string" ? name : null, entry.resource_id].filter(Boolean).join(" · ");
  const target = RESOURCE_PAGES[entry.resource_type];
  const id = entry.resource_type === "linked_account" ? entry.linked_account_id : entry.resource_id;
  return target && id && !entry.event.endsWith("Deleted") ? h("a", { href: `#/${target}/${encodeURIComponent(id)}` }, label) : label;
}

const account = (entry) => (entry.linked_account_id
  ? h("a", { href: `#/audit${query({ account: entry.linked_account_id })}`, title: "Only this account's entries" }, entry.linked_account_id) : "—");

export async function auditPage({ params }) {
  const filters = {
    event: params.get("event") || "", account: params.get("account") || "",
    from: params.get("from") || "", to: params.get("to") || "", page: params.get("page") || "",
  };
  const list = await get(`${P}/audit/audit-trails${query({ event: filters.event, linked_account_id: filters.account,
    from: filters.from, to: filters.to, page: filters.page, limit: 25 })}`);
  const docs = list.docs || [];

  const inputs = {
    event: h("input", { name: "event", value: filters.event, list: "audit-events", placeholder: "any event", autocomplete: "off" }),
    account: h("input", { name: "account", value: filters.account, placeholder: "account id", autocomplete: "off" }),
    from: h("input", { name: "from", type: "datetime-local", value: localValue(filters.from) }),
    to: h("input", { name: "to", type: "datetime-local", value: localValue(filters.to) }),
  };
  const form = h("form", { class: "toolbar filters", onsubmit: (e) => {
    e.preventDefault();
    location.hash = `#/audit${query({ event: inputs.event.value.trim(), account: inputs.account.value.trim(),
      from: isoValue(inputs.from.value), to: isoValue(inputs.to.value, true) })}`;
  } },
  field("Event", inputs.event), h("datalist", { id: "audit-events" }, EVENTS.map((e) => h("option", { value: e }))),
  field("Linked account", inputs.account), field("From", inputs.from), field("To", inputs.to),
  h("button", { type: "submit" }, "Filter"),
  Object.values(filters).some(Boolean) ? h("a", { class: "button", href: "#/audit" }, "Clear") : null);

  const filtered = filters.event || filters.account || filters.from || filters.to;
  const body = docs.length === 0
    ? empty(filtered ? "No audit entry matches these filters." : "Nothing recorded yet. Changes to linked accounts, connections, configs, workflows, webhooks, tables and variables appear here as they happen.")
    : [table([
      { label: "Event", value: (e) => e.event },
      { label: "Time", value: (e) => h("time", { datetime: e.createdAt }, when(e.createdAt)) },
      { label: "Actor", value: actor },
      { label: "Address", value: (e) => e.ip_address || "—" },
      { label: "Resource", value: resource },
      { label: "Account", value: account },
      { label: "Details", value: (e) => h("code", { class: "audit-details", title: e.request_id ? `request ${e.request_id}` : null },
        Object.keys(e.details || {}).length ? JSON.stringify(e.details) : "—") },
    ], docs),
    pager(list, (n) => { location.hash = `#/audit${query({ ...filters, page: n })}`; })];
  return h("section", { dataset: { title: "Audit log" } }, h("h1", {}, "Audit log"),
    h("p", { class: "muted" }, "Who changed what in this environment, newest first. Secrets are never recorded."),
    form, body);
}

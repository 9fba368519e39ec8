// Tables (per linked account: browse pages of records, search a column by regex) and datarefs (the org's list,
// one as a table for its account).
import { P, get, api, query } from "./api.js";
import { fill, empty, failure, field, h, pager, table, when } from "./dom.js";
import { accountPicker } from "./accounts.js";

const cell = (v) => (v === null || v === undefined ? "" : typeof v === "object" ? JSON.stringify(v) : String(v));

export async function tablesPage({ args, params }) {
  const picker = await accountPicker(params, (id) => { location.hash = `#/tables?account=${encodeURIComponent(id)}`; });
  if (!picker.account) return h("section", { dataset: { title: "Tables" } }, h("h1", {}, "Tables"), picker.control, empty("Choose a linked account: tables belong to an account."));
  if (args[0]) return tableDetail(args[0], params, picker);
  const list = await get(`${P}/tables?limit=100`, { account: picker.account });
  const docs = list.docs || [];
  return h("section", { dataset: { title: "Tables" } }, h("h1", {}, "Tables"), picker.control,
    docs.length === 0 ? empty("No tables for this account. POST /api/v2/public/tables creates one; table nodes write to them.")
      : table([
        { label: "Name", value: (t) => t.name }, { label: "Records", value: (t) => String(t.record_count ?? "—") },
        { label: "Columns", value: (t) => (t.columns || []).map((c) => c.column_name ?? c.name ?? c).join(", ") },
        { label: "Updated", value: (t) => when(t.updatedAt) },
      ], docs, (t) => `#/tables/${encodeURIComponent(t._id)}${query({ account: picker.account })}`));
}

async function tableDetail(id, params, picker) {
  const account = picker.account;
  const pageNumber = Number(params.get("page")) || 1;
  const data = await get(`${P}/tables/${encodeURIComponent(id)}${query({ page: pageNumber, limit: 50 })}`, { account });
  const columns = (data.columns || []).map((c) => c.column_name ?? c.name ?? c);
  const results = h("div", { "aria-live": "polite" });
  const show = (records) => fill(results, records.length === 0 ? empty("No records match.")
    : table([{ label: "Record", value: (r) => cell(r.record_id ?? r._id) }, ...columns.map((c) => ({ label: c, value: (r) => cell((r.data ?? r)[c]) }))], records));
  show(data.docs || []);
  const columnSelect = h("select", { name: "column" }, columns.map((c) => h("option", { value: c }, c)));
  const pattern = h("input", { type: "search", name: "pattern", autocomplete: "off" });
  const search = h("form", { class: "toolbar", role: "search", onsubmit: async (e) => {
    e.preventDefault();
    if (!pattern.value) { show(data.docs || []); return; }
    try {
      const found = await api("POST", `${P}/tables/${encodeURIComponent(id)}/search`, { account, body: { [columnSelect.value]: pattern.value } });
      show(Array.isArray(found) ? found : found.docs || found.records || []);
    } catch (error) { fill(results, failure(error)); }
  } }, field("Column", columnSelect), field("Matches (regular expression)", pattern), h("button", { type: "submit" }, "Search"));
  return h("section", { dataset: { title: data.name || "Table" } },
    h("p", { class: "crumbs" }, h("a", { href: `#/tables${query({ account })}` }, "Tables")),
    h("h1", {}, data.name || id), columns.length ? search : null, results,
    pager(data, (n) => { location.hash = `#/tables/${encodeURIComponent(id)}${query({ account, page: n })}`; }));
}

export async function datarefsPage({ args, params }) {
  if (args[0]) return datarefDetail(args[0], params);
  const search = params.get("q") || "";
  const list = await get(`${P}/dataref?limit=200`);
  let docs = list.docs || [];
  if (search) docs = docs.filter((d) => `${d.name} ${d.linked_account_id}`.toLowerCase().includes(search.toLowerCase()));
  const input = h("input", { type: "search", name: "q", value: search, autocomplete: "off" });
  return h("section", { dataset: { title: "Datarefs" } }, h("h1", {}, "Datarefs"),
    h("form", { class: "toolbar", role: "search", onsubmit: (e) => { e.preventDefault(); location.hash = `#/datarefs${query({ q: input.value.trim() })}`; } },
      field("Search by name or account", input), h("button", { type: "submit" }, "Search")),
    docs.length === 0 ? empty(search ? "No dataref matches." : "No datarefs yet: the dataref workflow node writes them.")
      : table([
        { label: "Name", value: (d) => d.name }, { label: "Account", value: (d) => d.linked_account_id },
        { label: "Records", value: (d) => String(Object.keys(d.data || {}).length) }, { label: "Updated", value: (d) => when(d.updatedAt) },
      ], docs, (d) => `#/datarefs/${encodeURIComponent(d.name)}${query({ account: d.linked_account_id })}`));
}

async function datarefDetail(name, params) {
  const account = params.get("account");
  const data = await get(`${P}/dataref/${encodeURIComponent(name)}?limit=200`, { account }).catch((error) => error);
  const body = data instanceof Error ? failure(data) : (data.rows || []).length === 0 ? empty("This dataref has no records.")
    : table((data.headers || []).map((head, i) => ({ label: String(head), value: (row) => cell(Array.isArray(row) ? row[i] : row[head]) })), data.rows);
  return h("section", { dataset: { title: name } },
    h("p", { class: "crumbs" }, h("a", { href: "#/datarefs" }, "Datarefs")), h("h1", {}, name), h("p", { class: "muted" }, `Account ${account}`), body);
}

// Environment variables: the definitions (org key) and the values of each scope; values read as the API gives
// them (encrypted ones are [REDACTED] by the server) and are masked here until asked for.
import { P, api, get, session } from "./api.js";
import { clear, confirmed, empty, failure, h, table, when } from "./dom.js";

function maskedValue(value, encrypted) {
  if (encrypted) return h("span", { class: "masked" }, "[encrypted]");
  const text = typeof value === "string" ? value : JSON.stringify(value);
  const span = h("span", { class: "masked" }, "••••••••");
  const button = h("button", { type: "button", class: "link-button", "aria-label": "Show value" }, "Show");
  button.addEventListener("click", () => {
    const hidden = span.textContent === "••••••••";
    span.textContent = hidden ? text : "••••••••";
    button.textContent = hidden ? "Hide" : "Show";
  });
  return h("span", {}, span, " ", button);
}

export async function envPage() {
  const definitions = await get(`${P}/env/definitions?limit=200`);
  const defs = definitions.docs || definitions.definitions || (Array.isArray(definitions) ? definitions : []);
  const values = h("div", { "aria-live": "polite" });
  const load = async () => {
    clear(values);
    // Workflow-scoped values are read per workflow (the API needs its id); an account's values with the account acted as.
    for (const scope of ["org", "workspace", "linked_account"]) {
      if (scope === "linked_account" && !session.account()) continue;
      const list = await get(`${P}/env/values/${scope}?limit=200`, { account: scope === "linked_account" ? session.account() : undefined });
      const docs = list?.docs || [];
      if (docs.length === 0) continue;
      values.append(h("h3", {}, `Scope: ${scope}`), table([
        { label: "Name", value: (v) => v.name }, { label: "Value", value: (v) => maskedValue(v.value, v.encrypted) },
        { label: "Account", value: (v) => v.linked_account_id || "—" }, { label: "Workflow", value: (v) => v.workflow_id || "—" },
        { label: "Updated", value: (v) => when(v.updatedAt) },
        { label: "", value: (v) => h("button", { type: "button", class: "danger", onclick: () => remove(v) }, "Delete") },
      ], docs));
    }
    if (!values.firstChild) values.append(empty("No values set. POST /api/v2/public/env/values sets one."));
    if (!session.account()) values.append(h("p", { class: "muted small" }, "Act as a linked account to see its values too."));
  };
  const remove = async (v) => {
    if (!confirmed(`Delete the value of ${v.name}${v.linked_account_id ? ` for ${v.linked_account_id}` : ""}?`)) return;
    try { await api("DELETE", `${P}/env/values/${encodeURIComponent(v._id)}`, { account: v.linked_account_id || undefined }); await load(); } catch (error) { values.prepend(failure(error)); }
  };
  await load();
  return h("section", { dataset: { title: "Environment variables" } }, h("h1", {}, "Environment variables"),
    h("h2", {}, "Definitions"),
    defs.length === 0 ? empty("No variables defined. POST /api/patchbay/v1/env/definitions defines one.")
      : table([
        { label: "Name", value: (d) => d.name }, { label: "Scope", value: (d) => d.scope }, { label: "Format", value: (d) => d.var_format },
        { label: "Encrypted", value: (d) => (d.encrypted ? "yes" : "no") }, { label: "Description", value: (d) => d.description || "" },
      ], defs),
    h("h2", {}, "Values"), values);
}

// The self-hoster's section, opened by the admin token: organizations with their key hints; a key regeneration
// (which revokes the current key) asks first.
import { api, get } from "./api.js";
import { fill, confirmed, empty, failure, h, table, when } from "./dom.js";

export async function adminPage() {
  const list = await get("/admin/v1/orgs?limit=100", { admin: true });
  const orgs = list.docs || list || [];
  const out = h("div", { "aria-live": "polite" });
  const regenerate = async (org, environment) => {
    if (!confirmed(`Regenerate the ${environment} key of ${org.name}? The current key stops working on every server.`)) return;
    try {
      const made = await api("POST", `/admin/v1/orgs/${encodeURIComponent(org.id)}/api-keys/${environment}/regenerate`, { admin: true });
      fill(out, h("div", { class: "card" }, h("p", {}, `New ${environment} key for ${org.name}, shown once:`), h("code", { class: "token" }, made.api_key ?? made.key ?? "")));
    } catch (error) { fill(out, failure(error)); }
  };
  return h("section", { dataset: { title: "Admin" } }, h("h1", {}, "Admin"), out,
    orgs.length === 0 ? empty("No organizations.") : table([
      { label: "Organization", value: (o) => o.name }, { label: "Id", value: (o) => o.id },
      { label: "Keys", value: (o) => (o.api_keys || []).map((k) => `${k.environment} …${k.hint}`).join(", ") },
      { label: "Default app", value: (o) => o.default_app?.name || "—" }, { label: "Created", value: (o) => when(o.created_at) },
      { label: "", value: (o) => h("span", { class: "row-actions" },
        h("button", { type: "button", class: "danger", onclick: () => regenerate(o, "test") }, "New test key"),
        h("button", { type: "button", class: "danger", onclick: () => regenerate(o, "production") }, "New production key")) },
    ], orgs));
}

// The self-hoster's section, opened by the admin token: organizations with their key hints (a key regeneration,
// which revokes the current key, asks first), and the deployment's nodes (#/admin/nodes).
import { api, get } from "./api.js";
import { fill, confirmed, empty, failure, h, status, table, when } from "./dom.js";

export async function adminPage({ args }) {
  return args[0] === "nodes" ? nodesPage() : orgsPage();
}

const tabs = (current) => h("div", { class: "actions", role: "navigation", "aria-label": "Admin" },
  [["#/admin", "Organizations", "orgs"], ["#/admin/nodes", "Nodes", "nodes"]].map(([href, label, name]) =>
    h("a", { class: "button", href, "aria-current": name === current ? "page" : null }, label)));

async function orgsPage() {
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
  return h("section", { dataset: { title: "Admin" } }, h("h1", {}, "Admin"), tabs("orgs"), out,
    orgs.length === 0 ? empty("No organizations.") : table([
      { label: "Organization", value: (o) => o.name }, { label: "Id", value: (o) => o.id },
      { label: "Keys", value: (o) => (o.api_keys || []).map((k) => `${k.environment} …${k.hint}`).join(", ") },
      { label: "Default app", value: (o) => o.default_app?.name || "—" }, { label: "Created", value: (o) => when(o.created_at) },
      { label: "", value: (o) => h("span", { class: "row-actions" },
        h("button", { type: "button", class: "danger", onclick: () => regenerate(o, "test") }, "New test key"),
        h("button", { type: "button", class: "danger", onclick: () => regenerate(o, "production") }, "New production key")) },
    ], orgs));
}

// The nodes sharing this database: each heartbeats; a dead one stays listed until a live node reaps its row.
async function nodesPage() {
  const list = await get("/admin/v1/nodes", { admin: true });
  const nodes = list.nodes || [];
  return h("section", { dataset: { title: "Nodes" } }, h("h1", {}, "Nodes"), tabs("nodes"),
    h("p", { class: "muted" }, `${list.live ?? 0} live node(s) share this database. Work in flight counts the executions a node is running.`),
    nodes.length === 0 ? empty("No node has registered yet: a node appears once it has started and sent its first heartbeat.")
      : table([
        { label: "Node", value: (n) => (n.self ? `${n.id} (this one)` : n.id) },
        { label: "Status", value: (n) => status(n.status) },
        { label: "Version", value: (n) => n.version },
        { label: "Started", value: (n) => when(n.started_at) },
        { label: "Last seen", value: (n) => when(n.last_seen_at) },
        { label: "Work in flight", value: (n) => String(n.work_in_flight ?? 0) },
      ], nodes));
}

// MCP servers: a linked account's servers (the org key with the linked_account_id header, as every account-scoped
// page), created, edited (name, description, associated apps and their tools, safe mode, enabled) and deleted; per
// server its dedicated MCP tokens (minted and shown once, revoked) and the tool-call log. Addressed as
// #/mcp?account=… and #/mcp/<server id>?account=…, so a server's page is a link.
import { P, X, api, get, query, session } from "./api.js";
import { fill, confirmed, dl, empty, failure, field, h, loading, pager, status, table, when } from "./dom.js";
import { accountPicker } from "./accounts.js";

const serverPath = (id) => `${P}/mcp-servers/${encodeURIComponent(id)}`;
const ownPath = (id) => `${X}/mcp-servers/${encodeURIComponent(id)}`;
const link = (account, id) => `#/mcp${id ? `/${encodeURIComponent(id)}` : ""}${query({ account })}`;
const ids = (text) => text.split(",").map((v) => v.trim()).filter(Boolean);

export async function mcpPage({ args, params }) {
  const account = params.get("account") || session.account();
  if (args[0] && account) return serverDetail(account, args[0], params);
  return serverList(params);
}

async function serverList(params) {
  const picker = await accountPicker(params, (id) => { location.hash = link(id); });
  const account = picker.account;
  const section = (...body) => h("section", { dataset: { title: "MCP servers" } }, h("h1", {}, "MCP servers"),
    h("p", { class: "muted" }, "An MCP server gives an AI agent tools that act for one linked account: its connected apps' actions and your workflows."),
    picker.control, ...body);
  if (!account) return section(empty("Choose a linked account: MCP servers belong to an account."));

  const list = await get(`${P}/mcp-servers${query({ page: params.get("page"), limit: 50 })}`, { account });
  const docs = list.docs || [];
  const name = h("input", { name: "name", required: true, maxlength: 200, autocomplete: "off" });
  const description = h("input", { name: "description", required: true, maxlength: 2000, autocomplete: "off" });
  const out = h("div", { "aria-live": "polite" });
  const create = h("form", { class: "toolbar", onsubmit: async (e) => {
    e.preventDefault();
    try {
      const made = await api("POST", `${P}/mcp-servers`, { account, body: { name: name.value.trim(), description: description.value.trim() } });
      location.hash = link(account, made._id);
    } catch (error) { fill(out, failure(error)); }
  } }, field("Name", name), field("Description", description), h("button", { type: "submit", class: "primary" }, "Create server"));
  return section(h("h2", {}, "New server"), create, out, h("h2", {}, "Servers"),
    docs.length === 0 ? empty("No MCP server for this account yet. Create one above, then choose its tools and mint a token for your agent.")
      : [table([
        { label: "Name", value: (m) => m.name },
        { label: "Description", value: (m) => m.description },
        { label: "Apps", value: (m) => (m.associated_apps || []).map((a) => a.slug).join(", ") || "—" },
        { label: "Safe mode", value: (m) => (m.safe_mode ? "on" : "off") },
        { label: "Enabled", value: (m) => (m.enabled ? "yes" : "no") },
        { label: "Updated", value: (m) => when(m.updatedAt) },
      ], docs, (m) => link(account, m._id)),
      pager(list, (n) => { location.hash = `#/mcp${query({ account, page: n })}`; })]);
}

async function serverDetail(account, id, params) {
  const server = await get(serverPath(id), { account });
  const apps = await get(`${P}/application`, { account }).catch(() => []);
  // The published workflows the account can run (public ones and its own), offered per app in the editor.
  const workflows = ((await get(`${P}/workflow?limit=100`, { account }).catch(() => null))?.docs || []).filter((w) => w.published);
  const out = h("div", { "aria-live": "polite" });
  const remove = async () => {
    if (!confirmed(`Delete the MCP server “${server.name}”? Agents using it lose its tools, and its tokens stop working.`)) return;
    try {
      await api("DELETE", serverPath(id), { account });
      location.hash = link(account);
    } catch (error) { fill(out, failure(error)); }
  };
  const tokens = h("div", {}, loading("tokens"));
  const calls = h("div", {}, loading("the tool-call log"));
  loadTokens(account, id, tokens);
  loadCalls(account, id, Number(params.get("page")) || 1, calls);
  const heading = h("h1", {}, server.name);
  const facts = h("div", {});
  const showFacts = (m) => {
    heading.textContent = m.name;
    fill(facts, dl([["Id", m._id], ["Linked account", m.linked_account_id], ["Endpoint", `${location.origin}/mcp/v1/${m._id}`],
      ["Safe mode", m.safe_mode ? "on: write tools wait for a person's approval" : "off"], ["Enabled", m.enabled ? "yes" : "no (answers 404)"],
      ["Tools from", (m.associated_apps || []).map((a) => a.slug).join(", ") || "no app yet"],
      ["Created", when(m.createdAt)], ["Updated", when(m.updatedAt)]]));
  };
  showFacts(server);
  return h("section", { dataset: { title: server.name } },
    h("p", { class: "crumbs" }, h("a", { href: link(account) }, "MCP servers")),
    heading, facts,
    h("div", { class: "actions" }, h("button", { type: "button", class: "danger", onclick: remove }, "Delete server")), out,
    h("h2", {}, "Settings and tools"), editForm(account, server, apps, workflows, showFacts),
    h("h2", {}, "Tokens"), tokens,
    h("h2", {}, "Tool calls"), calls);
}

// Patch semantics: the form sends every field it shows, so what is on screen is what is stored.
function editForm(account, server, apps, workflows, saved) {
  const name = h("input", { name: "name", value: server.name, required: true, maxlength: 200, autocomplete: "off" });
  const description = h("input", { name: "description", value: server.description, required: true, maxlength: 2000, autocomplete: "off" });
  const safe = h("input", { type: "checkbox", name: "safe_mode", checked: server.safe_mode });
  const enabled = h("input", { type: "checkbox", name: "enabled", checked: server.enabled });
  const slugs = [["custom", "Your own workflows (custom)"], ...apps.map((a) => [a.slug, `${a.name} (${a.slug})`])];
  const rows = h("div", { class: "mcp-apps" });
  const addRow = (app) => {
    const known = slugs.some(([slug]) => slug === app.slug);
    const slug = h("select", { name: "slug" }, (known ? slugs : [[app.slug, app.slug], ...slugs]).map(([value, label]) =>
      h("option", { value, selected: value === app.slug }, label)));
    const actions = h("input", { name: "actions", value: (app.actions || []).join(", "), placeholder: "all of the app's actions", autocomplete: "off" });
    const workflowInput = h("input", { name: "workflows", value: (app.workflows || []).join(", "), placeholder: "workflow ids", autocomplete: "off" });
    // Picking a workflow adds its id to the list; only the selected app's published ones are offered.
    const pick = h("select", { name: "pick-workflow" });
    const offer = () => fill(pick, h("option", { value: "" }, "Add a workflow…"),
      workflows.filter((w) => (w.slug || "custom") === slug.value).map((w) => h("option", { value: w._id }, `${w.name} (${w._id})`)));
    pick.addEventListener("change", () => {
      const current = ids(workflowInput.value);
      if (pick.value && !current.includes(pick.value)) workflowInput.value = [...current, pick.value].join(", ");
      pick.value = "";
    });
    slug.addEventListener("change", offer);
    offer();
    const row = h("div", { class: "toolbar mcp-app", role: "group", "aria-label": "Associated app" },
      field("App", slug), field("Actions (ids, comma-separated)", actions), field("Workflows (ids, comma-separated)", workflowInput), field("Offer a workflow", pick),
      h("button", { type: "button", onclick: () => row.remove() }, "Remove app"));
    row.read = () => ({ slug: slug.value, actions: ids(actions.value), workflows: ids(workflowInput.value) });
    rows.append(row);
  };
  (server.associated_apps || []).forEach(addRow);
  const answer = h("div", { "aria-live": "polite" });
  return h("form", { class: "card", onsubmit: async (e) => {
    e.preventDefault();
    const body = {
      name: name.value.trim(), description: description.value.trim(), safe_mode: safe.checked, enabled: enabled.checked,
      associated_apps: [...rows.children].map((row) => row.read()),
    };
    try {
      saved(await api("PUT", serverPath(server._id), { account, body }));
      fill(answer, h("p", { class: "notice" }, "Saved."));
    } catch (error) { fill(answer, failure(error)); }
  } },
  h("div", { class: "toolbar" }, field("Name", name), field("Description", description)),
  h("div", { class: "toolbar" },
    h("label", { class: "check" }, safe, " Safe mode (hold write tool calls for approval)"),
    h("label", { class: "check" }, enabled, " Enabled")),
  rows,
  h("p", { class: "muted small" }, "An app with neither actions nor workflows listed offers all of its actions. Workflows must be published and belong to the app (custom for your own)."),
  h("div", { class: "actions" }, h("button", { type: "button", onclick: () => addRow({ slug: "custom", actions: [], workflows: [] }) }, "Add app"),
    h("button", { type: "submit", class: "primary" }, "Save")),
  answer);
}

async function loadTokens(account, id, host) {
  const shown = h("div", { "aria-live": "polite" });
  const render = async () => {
    const list = await get(`${ownPath(id)}/tokens`, { account });
    const docs = list.tokens || [];
    return docs.length === 0 ? empty("No token yet. Mint one for each agent or client; the account's session token works too.")
      : table([
        { label: "Name", value: (t) => t.name || "—" }, { label: "Token", value: (t) => t.hint },
        { label: "Status", value: (t) => status(t.status) }, { label: "Expires", value: (t) => when(t.expires_at) },
        { label: "Created", value: (t) => when(t.created_at) },
        { label: "", value: (t) => (t.status === "active" ? h("button", { type: "button", class: "danger", onclick: () => revoke(t) }, "Revoke") : when(t.revoked_at)) },
      ], docs);
  };
  const listed = h("div", {});
  const refresh = async () => {
    try { fill(listed, await render()); } catch (error) { fill(listed, failure(error)); }
  };
  const revoke = async (t) => {
    if (!confirmed(`Revoke the token ${t.name ? `“${t.name}” ` : ""}(${t.hint})? Clients using it are cut off at once.`)) return;
    try { await api("DELETE", `${ownPath(id)}/tokens/${encodeURIComponent(t.id)}`, { account }); await refresh(); } catch (error) { fill(shown, failure(error)); }
  };
  const name = h("input", { name: "token-name", maxlength: 200, placeholder: "e.g. claude-desktop", autocomplete: "off" });
  const days = h("input", { name: "days", type: "number", min: 1, max: 365, value: 30 });
  const mint = h("form", { class: "toolbar", onsubmit: async (e) => {
    e.preventDefault();
    try {
      const made = await api("POST", `${ownPath(id)}/tokens`, { account, body: { name: name.value.trim() || undefined, expires_in: Number(days.value) * 86400 } });
      fill(shown, h("div", { class: "card" },
        h("p", {}, `The token ${made.name ? `“${made.name}” ` : ""}is shown only now; Patchbay keeps only its hash. It expires ${when(made.expires_at)}.`),
        h("code", { class: "token" }, made.token),
        h("p", { class: "muted small" }, "Endpoint: ", h("code", {}, made.url), " with Authorization: Bearer <token>"),
        h("div", { class: "actions" },
          h("button", { type: "button", onclick: () => navigator.clipboard?.writeText(made.token) }, "Copy"),
          h("button", { type: "button", onclick: () => fill(shown) }, "Hide"))));
      name.value = "";
      await refresh();
    } catch (error) { fill(shown, failure(error)); }
  } }, field("Token name", name), field("Valid for (days)", days), h("button", { type: "submit" }, "Mint a token"));
  await refresh();
  fill(host, mint, shown, listed);
}

async function loadCalls(account, id, pageNumber, host) {
  try {
    const list = await get(`${ownPath(id)}/tool-calls${query({ page: pageNumber, limit: 25 })}`, { account });
    const docs = list.docs || [];
    fill(host, docs.length === 0 ? empty("No tool call yet: each call an agent makes shows here (tool, outcome, duration; never arguments or results).")
      : [table([
        { label: "Tool", value: (c) => c.tool }, { label: "Status", value: (c) => status(c.status) },
        { label: "Duration", value: (c) => `${c.duration_ms} ms` }, { label: "Error", value: (c) => c.error || "—" },
        { label: "Approval", value: (c) => c.approval_id || "—" }, { label: "Time", value: (c) => when(c.created_at) },
      ], docs),
      pager(list, (n) => { location.hash = `${link(account, id)}${account ? "&" : "?"}page=${n}`; })]);
  } catch (error) {
    fill(host, failure(error));
  }
}

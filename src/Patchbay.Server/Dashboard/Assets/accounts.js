// Linked accounts: the list with a search, one account with its connections, configs (secrets masked) and a
// session token for testing; "Act as" makes it the account the other pages use (the linked_account_id header).
import { P, api, get, query, session } from "./api.js";
import { clear, fill, confirmed, dl, empty, failure, field, h, loading, masked, pager, status, table, when } from "./dom.js";

export async function accountsPage({ args, params, signal }) {
  return args[0] ? accountDetail(args[0], signal) : accountList(params);
}

async function accountList(params) {
  const search = params.get("q") || "";
  const pageNumber = Number(params.get("page")) || 1;
  const list = await get(`${P}/linked-account${query({ page: pageNumber, limit: search ? 1000 : 50 })}`);
  let docs = list.docs || [];
  if (search) {
    const needle = search.toLowerCase();
    docs = docs.filter((a) => [a.account_id, a.name, a._id].some((v) => String(v ?? "").toLowerCase().includes(needle)));
    if (docs.length === 0) {
      try { docs = [await get(`${P}/linked-account/${encodeURIComponent(search)}`)]; } catch { /* not an exact id either */ }
    }
  }
  const input = h("input", { type: "search", name: "q", value: search, placeholder: "id or name", autocomplete: "off" });
  const form = h("form", { class: "toolbar", role: "search", onsubmit: (e) => {
    e.preventDefault();
    location.hash = `#/accounts${input.value.trim() ? `?q=${encodeURIComponent(input.value.trim())}` : ""}`;
  } }, field("Search accounts", input), h("button", { type: "submit" }, "Search"));
  const body = docs.length === 0
    ? empty(search ? `No linked account matches “${search}”.` : "No linked accounts yet. Create one with POST /api/v2/public/linked-account (see the API reference at /docs).")
    : table([
      { label: "Account id", value: (a) => a.account_id },
      { label: "Name", value: (a) => a.name },
      { label: "Apps", value: (a) => (a.integrations || []).map((i) => i.name).join(", ") || "—" },
      { label: "Created", value: (a) => when(a.createdAt) },
    ], docs, (a) => `#/accounts/${encodeURIComponent(a.account_id)}`);
  return h("section", { dataset: { title: "Linked accounts" } },
    h("h1", {}, "Linked accounts"), form, body,
    search ? null : pager(list, (n) => { location.hash = `#/accounts?page=${n}`; }));
}

async function accountDetail(id, signal) {
  const account = await get(`${P}/linked-account/${encodeURIComponent(id)}`);
  const acting = h("p", { class: "muted" });
  const actButton = h("button", { type: "button" });
  const refreshActing = () => {
    const active = session.account() === account.account_id;
    acting.textContent = active ? "The other pages act as this account." : "";
    actButton.textContent = active ? "Stop acting as this account" : "Act as this account";
  };
  actButton.addEventListener("click", () => {
    session.setAccount(session.account() === account.account_id ? null : account.account_id);
    refreshActing();
  });
  refreshActing();

  const connections = h("div", {}, loading("connections"));
  const configs = h("div", {}, loading("configs"));
  const tokenOut = h("div", { "aria-live": "polite" });
  const page = h("section", { dataset: { title: account.name || account.account_id } },
    h("p", { class: "crumbs" }, h("a", { href: "#/accounts" }, "Linked accounts")),
    h("h1", {}, account.name || account.account_id),
    dl([["Account id", account.account_id], ["Internal id", account._id], ["Environment", account.environment],
      ["Created", when(account.createdAt)], ["Updated", when(account.updatedAt)]]),
    h("div", { class: "actions" }, actButton,
      h("button", { type: "button", onclick: () => issueToken(account, tokenOut) }, "Issue a session token"),
      h("a", { class: "button", href: `#/executions?account=${encodeURIComponent(account.account_id)}` }, "Executions"),
      h("button", { type: "button", class: "danger", onclick: () => removeAccount(account) }, "Delete account")),
    acting, tokenOut,
    account.udf?.length ? [h("h2", {}, "Custom fields"), table([
      { label: "Key", value: (u) => u.key_name }, { label: "Value", value: (u) => typeof u.key_value === "string" ? u.key_value : JSON.stringify(u.key_value) },
    ], account.udf)] : null,
    h("h2", {}, "Connections"), connections,
    h("h2", {}, "Configs"), configs);
  loadConnections(account, connections, configs, signal);
  return page;
}

async function loadConnections(account, connections, configs, signal) {
  try {
    const apps = await get(`${P}/application`, { account: account.account_id });
    const connected = apps.filter((a) => a.connected || a.reauth_required);
    fill(connections, connected.length === 0
      ? empty("No app connected yet. A reconnect link below opens the hosted Connect page for this account.", reconnectButton(account))
      : [table([
        { label: "App", value: (a) => a.name },
        { label: "Status", value: (a) => status(a.reauth_required ? "EXPIRED" : "CONNECTED") },
        { label: "Connected as", value: (a) => (a.connected_accounts || []).map((c) => `${c.identifier ?? "?"} (${c.auth_type ?? ""})`).join(", ") || "—" },
        { label: "Since", value: (a) => when(a.connected_accounts?.[0]?.connectedAt) },
      ], connected), h("div", { class: "actions" }, reconnectButton(account))]);
    clear(configs);
    let any = false;
    // Configs exist per app: the connected apps' and the default app's (a key's rate limit rules out asking every app).
    const installed = new Set((account.integrations || []).map((i) => i.app_id));
    for (const app of apps.filter((a) => a.connected || a.reauth_required || installed.has(a._id) || installed.has(a.app_id))) {
      if (signal?.aborted) return;
      const ids = await get(`${P}/slug/${encodeURIComponent(app.slug)}/configs`, { account: account.account_id }).catch(() => []);
      for (const entry of ids) {
        any = true;
        configs.append(await configView(account, app, entry.config_id));
      }
    }
    if (!any) configs.append(empty("No configs: an app's installation appears here once POST /api/v2/public/config creates it."));
  } catch (error) {
    fill(connections, failure(error));
    clear(configs);
  }
}

async function configView(account, app, configId) {
  try {
    const config = await get(`${P}/slug/${encodeURIComponent(app.slug)}/config/${encodeURIComponent(configId)}`, { account: account.account_id });
    const value = (f) => (f.field_type === "password" ? masked(f.value) : f.value === undefined || f.value === null ? "—" : typeof f.value === "string" ? f.value : JSON.stringify(f.value));
    return h("article", { class: "card" },
      h("h3", {}, `${app.name} · ${config.config_id}`),
      (config.fields || []).length ? table([
        { label: "Field", value: (f) => f.name }, { label: "Type", value: (f) => f.field_type }, { label: "Value", value },
      ], config.fields) : h("p", { class: "muted" }, "No app-level fields."),
      (config.workflows || []).length ? table([
        { label: "Workflow", value: (w) => w.name }, { label: "Enabled", value: (w) => (w.enabled ? "yes" : "no") },
        { label: "", value: (w) => toggleWorkflow(account, app, config.config_id, w) },
      ], config.workflows) : null);
  } catch (error) {
    return failure(error);
  }
}

// CF8: enables or disables one of the app's public workflows in this config (events, schedules and executes run it
// only where it is enabled).
function toggleWorkflow(account, app, configId, workflow) {
  const out = h("span", { "aria-live": "polite" });
  const button = h("button", { type: "button", onclick: async () => {
    if (workflow.enabled && !confirmed(`Disable “${workflow.name}” in config ${configId}? Its events and schedules stop running it here.`)) return;
    button.disabled = true;
    try {
      await api("PATCH", `${P}/slug/${encodeURIComponent(app.slug)}/config/${encodeURIComponent(configId)}/workflows/${encodeURIComponent(workflow.id)}`,
        { account: account.account_id, body: { enabled: !workflow.enabled } });
      workflow.enabled = !workflow.enabled;
      button.textContent = workflow.enabled ? "Disable" : "Enable";
      fill(out, workflow.enabled ? " enabled" : " disabled");
    } catch (error) {
      fill(out, failure(error));
    } finally {
      button.disabled = false;
    }
  } }, workflow.enabled ? "Disable" : "Enable");
  return h("span", {}, button, out);
}

function reconnectButton(account) {
  const out = h("span", { "aria-live": "polite" });
  return h("span", {}, h("button", { type: "button", onclick: async () => {
    try {
      const issued = await api("POST", `${P}/session-token`, { body: { linked_account_id: account.account_id } });
      const res = await fetch(`${P}/connect-url?single_use=true`, {
        method: "POST", headers: { authorization: `Bearer ${issued.token}`, "content-type": "application/json" }, body: "{}",
      });
      const body = await res.json();
      if (!res.ok) throw new Error(body.message);
      fill(out, " ", h("a", { href: body.hosted_url, target: "_blank", rel: "noopener noreferrer" }, "Open the Connect page (single use, 15 minutes)"));
    } catch (error) {
      fill(out, failure(error));
    }
  } }, "Reconnect link"), out);
}

async function issueToken(account, out) {
  fill(out, loading("a token"));
  try {
    const issued = await api("POST", `${P}/session-token`, { body: { linked_account_id: account.account_id } });
    const code = h("code", { class: "token" }, issued.token);
    fill(out, h("div", { class: "card" },
      h("p", {}, `A session token for ${account.account_id}, valid ${Math.round((issued.expires_in || 0) / 60)} minutes. It is shown only here:`),
      code, h("div", { class: "actions" },
        h("button", { type: "button", onclick: () => navigator.clipboard?.writeText(issued.token) }, "Copy"),
        h("button", { type: "button", onclick: () => clear(out) }, "Hide"))));
  } catch (error) {
    fill(out, failure(error));
  }
}

async function removeAccount(account) {
  if (!confirmed(`Delete the linked account ${account.account_id}? Its connections and credentials are deleted and its sessions revoked.`)) return;
  try {
    await api("DELETE", `${P}/linked-account/${encodeURIComponent(account.account_id)}`);
    if (session.account() === account.account_id) session.setAccount(null);
    location.hash = "#/accounts";
  } catch (error) {
    alert(error.message);
  }
}

// Pages that need an account: the one acted as, or a picker among the first accounts.
export async function accountPicker(params, onPick) {
  const chosen = params.get("account") || session.account();
  const list = await get(`${P}/linked-account?limit=200`);
  const docs = list.docs || [];
  if (docs.length === 0) return { account: null, control: empty("No linked accounts yet: this page shows an account's data. Create an account first.") };
  const selectEl = h("select", { name: "account" }, h("option", { value: "" }, "Choose an account…"),
    docs.map((a) => h("option", { value: a.account_id, selected: a.account_id === chosen }, `${a.name} (${a.account_id})`)));
  selectEl.addEventListener("change", () => {
    session.setAccount(selectEl.value || null);
    onPick(selectEl.value);
  });
  const account = docs.some((a) => a.account_id === chosen) ? chosen : null;
  return { account, control: h("div", { class: "toolbar" }, field("Linked account", selectEl)) };
}

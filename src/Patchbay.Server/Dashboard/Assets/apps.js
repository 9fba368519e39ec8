// Apps: the catalog as a linked account sees it (enabled apps, connected or not), each app's config field
// definitions (org key, /api/patchbay/v1) and, with the admin token, offering an app and the org's OAuth clients.
import { P, X, api, get, session } from "./api.js";
import { fill, confirmed, empty, failure, h, pre, status, table } from "./dom.js";
import { accountPicker } from "./accounts.js";

export async function appsPage({ args, params }) {
  if (args[0]) return appDetail(args[0], params);
  const picker = await accountPicker(params, (id) => { location.hash = `#/apps?account=${encodeURIComponent(id)}`; });
  const body = h("div");
  if (!picker.account) {
    body.append(empty("Choose a linked account: the catalog is listed with that account's connection status."));
  } else {
    const apps = await get(`${P}/application`, { account: picker.account });
    body.append(apps.length === 0 ? empty("No app is offered to this organization yet (the admin API turns catalog apps on).")
      : table([
        { label: "App", value: (a) => a.name },
        { label: "Slug", value: (a) => a.slug },
        { label: "Auth", value: (a) => [].concat(a.auth_type || []).join(", ") },
        { label: "Status", value: (a) => status(a.reauth_required ? "EXPIRED" : a.connected ? "CONNECTED" : "NOT CONNECTED") },
      ], apps, (a) => `#/apps/${encodeURIComponent(a.slug)}`));
  }
  const admin = session.admin() ? await adminApps(picker.account) : null;
  return h("section", { dataset: { title: "Apps" } }, h("h1", {}, "Apps"), picker.control, body, admin);
}

async function orgId(account) {
  if (!account) return null;
  const basics = await get("/api/v3/org/basics", { account });
  return basics.org?._id || null;
}

async function adminApps(account) {
  const box = h("div", {}, h("h2", {}, "Offered apps and OAuth clients (admin)"));
  try {
    const org = await orgId(account);
    if (!org) {
      box.append(empty("Choose a linked account above to manage this organization's apps."));
      return box;
    }
    const environment = session.environment();
    const out = h("div", { "aria-live": "polite" });
    const render = async () => {
      const [apps, clients] = await Promise.all([
        get(`/admin/v1/orgs/${org}/apps?environment=${environment}`, { admin: true }),
        get(`/admin/v1/orgs/${org}/oauth`, { admin: true })]);
      const list = Array.isArray(apps) ? apps : apps.docs || apps.apps || [];
      fill(out, 
        table([
          { label: "App", value: (a) => a.name }, { label: "Slug", value: (a) => a.slug },
          { label: "Offered", value: (a) => (a.enabled ? "yes" : "no") },
          { label: "", value: (a) => h("button", { type: "button", onclick: () => toggle(a) }, a.enabled ? `Disable ${a.name}` : `Enable ${a.name}`) },
        ], list),
        h("h3", {}, "OAuth clients"),
        (Array.isArray(clients) ? clients : []).length === 0 ? empty("No OAuth client set: PUT /admin/v1/orgs/{org}/oauth/{slug} sets one.")
          : table([
            { label: "App", value: (c) => c.slug }, { label: "Environment", value: (c) => c.environment },
            { label: "Client id", value: (c) => c.client_id }, { label: "Secret", value: (c) => (c.has_client_secret ? "set (hidden)" : "none") },
            { label: "Redirect URI", value: (c) => c.redirect_uri },
          ], clients));
    };
    const toggle = async (app) => {
      if (app.enabled && !confirmed(`Stop offering ${app.name}? Linked accounts can no longer connect it.`)) return;
      try {
        await api("PUT", `/admin/v1/orgs/${org}/apps/${encodeURIComponent(app.slug)}`, { admin: true, body: { enabled: !app.enabled, environment } });
        await render();
      } catch (error) {
        out.prepend(failure(error));
      }
    };
    await render();
    box.append(out);
  } catch (error) {
    box.append(failure(error));
  }
  return box;
}

async function appDetail(slug, params) {
  const account = params.get("account") || session.account();
  let app = null;
  if (account) app = await get(`${P}/application/${encodeURIComponent(slug)}`, { account }).catch(() => null);
  const fields = await get(`${X}/apps/${encodeURIComponent(slug)}/config-fields`).catch((error) => error);
  const list = Array.isArray(fields) ? fields : fields?.fields || fields?.docs;
  return h("section", { dataset: { title: app?.name || slug } },
    h("p", { class: "crumbs" }, h("a", { href: "#/apps" }, "Apps")),
    h("h1", {}, app?.name || slug),
    app?.description ? h("p", {}, app.description) : null,
    h("h2", {}, "Config fields"),
    fields instanceof Error ? failure(fields)
      : !list || list.length === 0 ? empty(`No config fields: POST ${X}/apps/${slug}/config-fields defines one.`)
        : table([
          { label: "Id", value: (f) => f.id ?? f._id }, { label: "Name", value: (f) => f.name },
          { label: "Type", value: (f) => f.field_type ?? f.type }, { label: "Required", value: (f) => (f.required ? "yes" : "no") },
        ], list),
    app ? [h("h2", {}, "As the linked account sees it"), pre(app, "App")] : null);
}

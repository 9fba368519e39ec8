// The dashboard shell: sign-in, the theme, the navigation and the router. Pages are addressed by the fragment
// (#/executions/<id>), so a page can be bookmarked or shared without the key ever being part of a URL.
import { ApiError, P, get, onSignedOut, session } from "./api.js";
import { clear, fill, failure, h, loading } from "./dom.js";
import { accountsPage } from "./accounts.js";
import { executionsPage } from "./executions.js";
import { workflowsPage } from "./workflows.js";
import { appsPage } from "./apps.js";
import { eventsPage, schedulesPage } from "./events.js";
import { webhooksPage } from "./webhooks.js";
import { datarefsPage, tablesPage } from "./data.js";
import { envPage } from "./env.js";
import { adminPage } from "./admin.js";
import { auditPage } from "./audit.js";
import { mcpPage } from "./mcp.js";

const pages = {
  accounts: accountsPage, apps: appsPage, workflows: workflowsPage, executions: executionsPage, events: eventsPage,
  schedules: schedulesPage, webhooks: webhooksPage, tables: tablesPage, datarefs: datarefsPage, env: envPage, mcp: mcpPage, audit: auditPage,
  admin: adminPage,
};

const $ = (id) => document.getElementById(id);
const root = document.documentElement;

// Theme: the system's unless chosen here; the choice (not the key) is remembered.
function applyTheme(theme) {
  if (theme) root.dataset.theme = theme;
  else delete root.dataset.theme;
}
applyTheme(localStorage.getItem("patchbay.theme"));
$("theme").addEventListener("click", () => {
  const dark = root.dataset.theme ? root.dataset.theme === "dark" : matchMedia("(prefers-color-scheme: dark)").matches;
  const next = dark ? "light" : "dark";
  localStorage.setItem("patchbay.theme", next);
  applyTheme(next);
});

$("menu").addEventListener("click", () => {
  const open = $("nav").classList.toggle("open");
  $("menu").setAttribute("aria-expanded", String(open));
});

function showSignIn(message) {
  $("signin").hidden = false;
  $("nav").hidden = true;
  $("menu").hidden = true;
  $("signout").hidden = true;
  $("environment").hidden = true;
  clear($("page"));
  const error = $("signin-error");
  error.hidden = !message;
  error.textContent = message || "";
  $("signin-key").focus();
}

function showShell() {
  $("signin").hidden = true;
  $("nav").hidden = false;
  $("menu").hidden = false;
  $("signout").hidden = false;
  $("nav-admin").hidden = !session.admin();
  const environment = $("environment");
  environment.hidden = false;
  environment.textContent = session.environment();
  environment.className = `badge env-${session.environment()}`;
}

onSignedOut.handler = (error) => {
  session.signOut();
  showSignIn(`Signed out: the API refused the key (${error.message}). Sign in again.`);
};

$("signin-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const key = $("signin-key").value.trim();
  const admin = $("signin-admin").value.trim();
  const button = event.submitter || $("signin-form").querySelector("button");
  button.disabled = true;
  $("signin-error").hidden = true;
  const refused = (what, error) => (error instanceof ApiError && (error.status === 401 || error.status === 403)
    ? `That ${what} was not accepted: ${error.message}.` : error.message);
  try {
    // The key is checked by an ordinary org-level call, as any client's would be.
    try {
      await get(`${P}/linked-account?limit=1`, { key });
    } catch (error) {
      throw new Error(refused("API key", error));
    }
    if (admin) {
      try {
        await get("/admin/v1/orgs?limit=1", { admin: true, headers: { authorization: `Bearer ${admin}` } });
      } catch (error) {
        throw new Error(refused("admin token", error));
      }
    }
    session.signIn(key, admin);
    $("signin-key").value = "";
    $("signin-admin").value = "";
    showShell();
    if (!location.hash || location.hash === "#/") location.hash = "#/accounts";
    else route();
  } catch (error) {
    showSignIn(error.message);
  } finally {
    button.disabled = false;
  }
});

$("signout").addEventListener("click", () => {
  session.signOut();
  location.hash = "";
  showSignIn("");
});

let current = null;
async function route() {
  if (!session.key()) return showSignIn("");
  showShell();
  const [name, ...rest] = location.hash.replace(/^#\/?/, "").split("?")[0].split("/").map(decodeURIComponent);
  const params = new URLSearchParams(location.hash.split("?")[1] || "");
  const page = pages[name] ? name : "accounts";
  for (const link of $("nav").querySelectorAll("a")) {
    if (link.getAttribute("href") === `#/${page}`) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  $("nav").classList.remove("open");
  $("menu").setAttribute("aria-expanded", "false");
  current?.abort();
  const controller = new AbortController();
  current = controller;
  const host = clear($("page"));
  host.append(loading("the page"));
  try {
    const view = await pages[page]({ args: rest.filter(Boolean), params, signal: controller.signal });
    if (controller.signal.aborted) return;
    fill(host, view);
    document.title = `${view.dataset?.title || "Patchbay"} · Patchbay dashboard`;
    host.querySelector("h1")?.setAttribute("tabindex", "-1");
  } catch (error) {
    if (controller.signal.aborted) return;
    fill(host, h("h1", {}, "Something went wrong"), failure(error));
  }
}

window.addEventListener("hashchange", route);
route();

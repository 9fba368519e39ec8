// Patchbay hosted Connect page. Talks to the same frontend-SDK routes as Refold's JavaScript SDK, with the session
// token of the link that opened it. The token leaves the address bar at once (sessionStorage keeps it for the tab).
"use strict";

(function () {
  const STORAGE_KEY = "patchbay.connect.session";
  const $ = (id) => document.getElementById(id);
  let token = null;
  let apps = [];
  let current = null; // the app the dialog is for

  // ---- session ----

  async function obtainSession() {
    const url = new URL(window.location.href);
    const pathToken = url.pathname.replace(/^\/connect\/?/, "");
    const code = url.searchParams.get("code");
    if (pathToken) {
      token = decodeURIComponent(pathToken);
    } else if (code) {
      const response = await fetch("/api/v2/public/connect-code/exchange", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ code }),
      });
      if (!response.ok) throw new Error("This link has expired or was already used. Ask for a new one.");
      token = (await response.json()).token;
    } else {
      token = sessionStorage.getItem(STORAGE_KEY);
    }
    if (!token) throw new Error("This link is missing its session. Ask for a new one.");
    sessionStorage.setItem(STORAGE_KEY, token);
    url.pathname = "/connect";
    url.searchParams.delete("code");
    history.replaceState(null, "", url.pathname + url.search + url.hash);
  }

  async function api(path, options = {}) {
    const response = await fetch(path, {
      ...options,
      headers: { authorization: `Bearer ${token}`, ...(options.body ? { "content-type": "application/json" } : {}) },
    });
    const text = await response.text();
    const body = text ? JSON.parse(text) : null;
    if (!response.ok) {
      if (response.status === 401) sessionStorage.removeItem(STORAGE_KEY);
      throw new Error((body && body.message) || `Request failed (${response.status})`);
    }
    return body;
  }

  // ---- theme ----

  function applyTheme(properties) {
    const root = document.documentElement.style;
    const accent = properties.button_color || properties.color || properties.base_color;
    const isColor = (value) => typeof value === "string" && /^#[0-9a-fA-F]{3,8}$/.test(value);
    if (isColor(accent)) root.setProperty("--accent", accent);
    if (isColor(properties.bgColor)) root.setProperty("--bg", properties.bgColor);
    if (typeof properties.name === "string" && properties.name.trim()) {
      $("title").textContent = `Connect ${properties.name.trim()} to your apps`;
      document.title = $("title").textContent;
    }
  }

  // ---- rendering ----

  function notice(message, kind) {
    const box = $("notice");
    box.textContent = message;
    box.className = `notice ${kind}`;
    box.hidden = false;
  }

  function status(app) {
    if (!app.connected) return null;
    return app.reauth_required ? "expired" : "connected";
  }

  function el(tag, attributes = {}, children = []) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attributes)) {
      if (key === "text") node.textContent = value;
      else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value);
    }
    for (const child of children) if (child) node.append(child);
    return node;
  }

  function card(app) {
    const state = status(app);
    const name = el("h3", { text: app.name });
    if (state) name.append(el("span", { class: `badge ${state}`, text: state === "expired" ? "Needs reconnecting" : "Connected" }));
    const buttons = el("div", { class: "row" });
    if (!state || state === "expired") {
      buttons.append(el("button", {
        type: "button", class: "primary", "aria-label": `${state ? "Reconnect" : "Connect"} ${app.name}`,
        text: state ? "Reconnect" : "Connect", onclick: () => openDialog(app),
      }));
    }
    if (state) {
      buttons.append(el("button", {
        type: "button", class: "danger", "aria-label": `Disconnect ${app.name}`, text: "Disconnect",
        onclick: (event) => disconnect(app, event.currentTarget),
      }));
    }
    const accounts = (app.connected_accounts || []).map((a) => a.identifier).filter((i) => i && i !== "NA");
    return el("li", { class: "app", "data-slug": app.slug }, [
      el("img", { src: app.icon, alt: "", width: "40", height: "40" }),
      el("div", { class: "app-body" }, [
        name,
        el("p", { text: accounts.length ? `${app.description} · ${accounts.join(", ")}` : app.description }),
        buttons,
      ]),
    ]);
  }

  function render() {
    const query = $("search").value.trim().toLowerCase();
    const matches = apps.filter((a) => !query || a.name.toLowerCase().includes(query) || (a.tags || []).some((t) => t.toLowerCase().includes(query)));
    const connected = matches.filter((a) => a.connected);
    const available = matches.filter((a) => !a.connected);
    $("connected").replaceChildren(...connected.map(card));
    $("available").replaceChildren(...available.map(card));
    $("connected-section").hidden = connected.length === 0;
    $("empty").hidden = matches.length > 0;
  }

  async function load() {
    apps = await api("/api/v2/f-sdk/application");
    $("loading").hidden = true;
    $("main").setAttribute("aria-busy", "false");
    render();
  }

  // ---- connecting ----

  function keyTypes(app) {
    return Object.keys(app.auth_type_options || {}).filter((type) => type !== "oauth2");
  }

  function hasOAuth(app) {
    return Object.prototype.hasOwnProperty.call(app.auth_type_options || {}, "oauth2");
  }

  function fieldInput(field) {
    const id = `field-${field.name}`;
    let input;
    if (field.type === "select") {
      input = el("select", { id, name: field.name }, (field.options || []).map((o) => el("option", { value: o.value, text: o.name })));
    } else if (field.type === "boolean") {
      input = el("input", { id, name: field.name, type: "checkbox", value: "true" });
    } else {
      input = el("input", {
        id, name: field.name, type: field.type === "password" ? "password" : field.type === "number" ? "number" : "text",
        autocomplete: field.type === "password" ? "off" : "on", spellcheck: "false",
      });
      if (field.placeholder) input.placeholder = field.placeholder;
    }
    if (field.required) input.required = true;
    const help = field.help_text ? el("span", { class: "help", id: `${id}-help`, text: field.help_text }) : null;
    if (help) input.setAttribute("aria-describedby", help.id);
    const label = el("label", { for: id, text: field.required ? field.label : `${field.label} (optional)` });
    return el("div", { class: field.type === "boolean" ? "field check" : "field" }, field.type === "boolean" ? [input, label, help] : [label, input, help]);
  }

  function showFields(app, authType) {
    const fields = app.auth_type_options[authType] || [];
    $("fields").replaceChildren(...fields.map(fieldInput));
    $("submit").textContent = authType === "oauth2" ? `Continue to ${app.name}` : "Connect";
    $("form").dataset.authType = authType;
  }

  function openDialog(app) {
    current = app;
    const types = keyTypes(app);
    const options = [...types, ...(hasOAuth(app) ? ["oauth2"] : [])];
    $("dialog-title").textContent = `Connect ${app.name}`;
    $("dialog-icon").src = app.icon;
    $("dialog-intro").textContent = app.description;
    $("form-error").hidden = true;
    const choices = $("choices");
    choices.replaceChildren();
    choices.hidden = options.length < 2;
    if (options.length > 1) {
      options.forEach((type, index) => {
        const input = el("input", { type: "radio", name: "auth_choice", value: type });
        if (index === 0) input.checked = true;
        input.addEventListener("change", () => showFields(app, type));
        choices.append(el("label", {}, [input, document.createTextNode(type === "oauth2" ? `Sign in with ${app.name}` : labelFor(type))]));
      });
    }
    // An OAuth-only app with nothing to ask goes straight to the provider.
    if (options.length === 1 && options[0] === "oauth2" && (app.auth_type_options.oauth2 || []).length === 0) {
      startOAuth(app, {}).catch((error) => notice(error.message, "error"));
      return;
    }
    showFields(app, options[0]);
    $("dialog").showModal();
    const first = $("fields").querySelector("input, select");
    if (first) first.focus();
  }

  function labelFor(type) {
    return type === "keybased" ? "API key" : type.replace(/_/g, " ").replace(/^./, (c) => c.toUpperCase());
  }

  function collect() {
    const values = {};
    for (const input of $("fields").querySelectorAll("input, select")) {
      if (input.type === "checkbox") values[input.name] = input.checked ? "true" : "false";
      else if (input.value.trim()) values[input.name] = input.value.trim();
    }
    return values;
  }

  async function startOAuth(app, values) {
    const result = await api(`/api/v1/${encodeURIComponent(app.slug)}/integrate`, {
      method: "POST",
      body: JSON.stringify({ ...values, return_to: "/connect" }),
    });
    if (result.auth_url) {
      window.location.assign(result.auth_url);
      return false;
    }
    return result.connected === true;
  }

  async function submit(event) {
    event.preventDefault();
    const form = $("form");
    const missing = [...form.querySelectorAll("[required]")].filter((input) => !input.value.trim());
    if (missing.length) {
      showError(`Please fill in ${missing.map((i) => form.querySelector(`label[for="${i.id}"]`).textContent).join(", ")}.`);
      missing[0].focus();
      return;
    }
    const app = current;
    const authType = form.dataset.authType;
    $("submit").disabled = true;
    try {
      let done;
      if (authType === "oauth2") {
        done = await startOAuth(app, collect());
      } else {
        const result = await api(`/api/v2/app/${encodeURIComponent(app.slug)}/save`, {
          method: "POST",
          body: JSON.stringify({ ...collect(), auth_type: authType }),
        });
        done = result && result.success === true;
      }
      if (done) {
        $("dialog").close();
        notice(`${app.name} is connected.`, "ok");
        await load();
      }
    } catch (error) {
      showError(error.message);
    } finally {
      $("submit").disabled = false;
    }
  }

  function showError(message) {
    const box = $("form-error");
    box.textContent = message;
    box.hidden = false;
  }

  async function disconnect(app, button) {
    if (!window.confirm(`Disconnect ${app.name}? Integrations that use it stop working until you connect it again.`)) return;
    button.disabled = true;
    try {
      await api(`/api/v1/linked-acc/integration/${encodeURIComponent(app.slug)}`, { method: "DELETE" });
      notice(`${app.name} is disconnected.`, "ok");
      await load();
    } catch (error) {
      notice(error.message, "error");
      button.disabled = false;
    }
  }

  // After an OAuth round trip the callback sends the browser back here with the outcome; it is reported once the
  // apps are loaded, by the app's name.
  function takeReturn() {
    const url = new URL(window.location.href);
    const outcome = { connected: url.searchParams.get("patchbay_connected"), error: url.searchParams.get("patchbay_error") };
    if (outcome.connected || outcome.error) {
      ["patchbay_connected", "patchbay_error", "patchbay_app"].forEach((name) => url.searchParams.delete(name));
      history.replaceState(null, "", url.pathname + url.search);
    }
    return outcome;
  }

  function reportReturn(outcome) {
    const app = apps.find((a) => a.slug === outcome.connected);
    if (outcome.connected) notice(`${app ? app.name : outcome.connected} is connected.`, "ok");
    if (outcome.error) notice(outcome.error, "error");
  }

  async function main() {
    $("form").addEventListener("submit", submit);
    $("cancel").addEventListener("click", () => $("dialog").close());
    $("search").addEventListener("input", render);
    try {
      await obtainSession();
      const outcome = takeReturn();
      applyTheme(await api("/api/v2/public/hosted-properties"));
      await load();
      reportReturn(outcome);
    } catch (error) {
      $("loading").hidden = true;
      $("main").setAttribute("aria-busy", "false");
      notice(error.message, "error");
    }
  }

  document.addEventListener("DOMContentLoaded", main);
})();

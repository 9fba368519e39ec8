// DOM helpers. Every value that comes from the API reaches the page as a text node or an attribute value set through
// the DOM, never as HTML: a name such as `<script>` shows as those characters.

const SVG = "http://www.w3.org/2000/svg";

function append(parent, child) {
  if (child === null || child === undefined || child === false) return;
  if (Array.isArray(child)) child.forEach((c) => append(parent, c));
  else if (child instanceof Node) parent.appendChild(child);
  else parent.appendChild(document.createTextNode(String(child)));
}

function build(element, attrs, children) {
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith("on") && typeof value === "function") element.addEventListener(name.slice(2), value);
    else if (name === "dataset") Object.assign(element.dataset, value);
    else element.setAttribute(name, value === true ? "" : String(value));
  }
  append(element, children);
  return element;
}

export const h = (tag, attrs, ...children) => build(document.createElement(tag), attrs, children);
export const s = (tag, attrs, ...children) => build(document.createElementNS(SVG, tag), attrs, children);

export function clear(element) {
  while (element.firstChild) element.removeChild(element.firstChild);
  return element;
}

export const json = (value) => (value === undefined ? "" : JSON.stringify(value, null, 2));

export const pre = (value, label) => h("pre", { class: "json", tabindex: 0, "aria-label": label || "JSON" }, json(value));

export function when(instant) {
  if (!instant) return "";
  const date = new Date(instant);
  return Number.isNaN(date.getTime()) ? String(instant) : date.toLocaleString();
}

export const status = (value) => h("span", { class: `status status-${String(value || "unknown").toLowerCase().replace(/[^a-z0-9]+/g, "_")}` }, value ?? "—");

export const empty = (text, ...extra) => h("div", { class: "empty", role: "status" }, h("p", {}, text), ...extra);

export const loading = (what) => h("p", { class: "loading", role: "status", "aria-live": "polite" }, `Loading ${what}…`);

// An API refusal in its own words: the message, the error code and the trace id to find it in the server's log.
export function failure(error) {
  const box = h("div", { class: "error-box", role: "alert" }, h("strong", {}, error.message || String(error)));
  if (error.status) box.append(h("span", { class: "muted" }, ` ${error.status}${error.code ? " " + error.code : ""}`));
  if (error.requestId) box.append(h("div", { class: "muted small" }, `request ${error.requestId}`));
  return box;
}

// A table from rows and columns [{label, value: row => node|string}]; a row may be a link (keyboard: Enter on it).
export function table(columns, rows, rowLink) {
  const head = h("tr", {}, columns.map((c) => h("th", { scope: "col" }, c.label)));
  const body = rows.map((row) => {
    const cells = columns.map((c, i) => {
      const value = c.value(row);
      if (i === 0 && rowLink) return h("td", { "data-label": c.label }, h("a", { href: rowLink(row) }, value));
      return h("td", { "data-label": c.label }, value);
    });
    return h("tr", {}, cells);
  });
  return h("div", { class: "table-wrap" }, h("table", {}, h("thead", {}, head), h("tbody", {}, body)));
}

export function field(label, input, hint) {
  const id = input.id || `f-${Math.random().toString(36).slice(2, 9)}`;
  input.id = id;
  return h("div", { class: "field" }, h("label", { for: id }, label), input, hint ? h("small", { class: "muted" }, hint) : null);
}

export function select(name, options, selected) {
  return h("select", { name }, options.map(([value, label]) => h("option", { value, selected: value === selected }, label)));
}

// Destructive actions ask first (the browser's own dialog: keyboard-usable and impossible to style into a trap).
export const confirmed = (text) => window.confirm(text);

export const masked = (value) => h("span", { class: "masked", title: "hidden" }, value === null || value === undefined ? "—" : "••••••••");

export function dl(pairs) {
  return h("dl", { class: "facts" }, pairs.filter(([, v]) => v !== undefined).map(([k, v]) => [h("dt", {}, k), h("dd", {}, v ?? "—")]));
}

export function pager(page, onPage) {
  if (!page || !page.totalPages || page.totalPages <= 1) return null;
  return h("div", { class: "pager" },
    h("button", { type: "button", disabled: !page.hasPrevPage, onclick: () => onPage(page.page - 1) }, "Previous"),
    h("span", { class: "muted" }, `Page ${page.page} of ${page.totalPages} (${page.totalDocs})`),
    h("button", { type: "button", disabled: !page.hasNextPage, onclick: () => onPage(page.page + 1) }, "Next"));
}

// Replaces an element's content; children may be nodes, text, arrays or nothing (null, false).
export function fill(element, ...children) {
  clear(element);
  append(element, children);
  return element;
}

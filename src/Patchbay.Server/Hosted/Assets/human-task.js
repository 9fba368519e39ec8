// Patchbay hosted human-task form. Reads the task (HT1) by the id in its own URL, renders its JSON Schema as a form
// (text, textarea, number, boolean, enum, date, arrays of simple values), shows read-only and prefilled values, and
// submits (HT2). Submitted and expired tasks show their state instead of the form. No account: the id is the secret.
"use strict";

(function () {
  const $ = (id) => document.getElementById(id);
  const id = decodeURIComponent(window.location.pathname.replace(/^\/human-tasks\/?/, "").replace(/\/$/, ""));
  const endpoint = `/api/v2/public/human-tasks/${encodeURIComponent(id)}`;
  let task = null;
  const inputs = new Map(); // field name → { read() }

  function el(tag, attributes = {}, text) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes)) {
      if (value === false || value === null || value === undefined) continue;
      node.setAttribute(name, value === true ? "" : String(value));
    }
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function state(kind, heading, text) {
    const main = $("main");
    $("form").hidden = true;
    $("loading").hidden = true;
    const box = el("section", { class: `card state ${kind}`, "data-state": kind, role: "status" });
    box.append(el("h2", {}, heading), el("p", { class: "muted" }, text));
    main.append(box);
    main.setAttribute("aria-busy", "false");
  }

  const isReadOnly = (name, schema) => schema.readOnly === true || ui(name)["ui:readonly"] === true || ui(name)["ui:disabled"] === true;
  const ui = (name) => (task.ui_structure && typeof task.ui_structure[name] === "object" && task.ui_structure[name]) || {};
  const typeOf = (schema) => (Array.isArray(schema.type) ? schema.type.find((t) => t !== "null") : schema.type) || "string";

  function field(name, schema, required) {
    const wrap = el("div", { class: "field", "data-field": name });
    const label = schema.title || name;
    const fieldId = `f-${name}`;
    const readOnly = isReadOnly(name, schema);
    const value = task.data ? task.data[name] : undefined;
    const initial = value !== undefined ? value : schema.default;
    const type = typeOf(schema);
    const help = schema.description ? el("span", { class: "help", id: `${fieldId}-help` }, schema.description) : null;
    const labelNode = (star = true) => {
      const l = el("label", { for: fieldId }, label);
      if (star && required && !readOnly) l.append(el("span", { class: "required", "aria-hidden": "true" }, "*"));
      return l;
    };
    const common = { id: fieldId, name, disabled: readOnly, required: required && !readOnly, "aria-describedby": help ? `${fieldId}-help` : null };

    if (type === "boolean") {
      wrap.classList.add("check");
      const input = el("input", { ...common, type: "checkbox" });
      input.checked = initial === true;
      wrap.append(input, labelNode(false)); // a checkbox always answers true or false
      if (help) wrap.append(help);
      inputs.set(name, { readOnly, read: () => input.checked });
      return wrap;
    }
    if (type === "array") {
      const items = schema.items || {};
      const itemType = typeOf(items);
      if (Array.isArray(items.enum)) {
        const set = el("fieldset", { id: fieldId, "aria-describedby": common["aria-describedby"] });
        set.append(el("legend", {}, label));
        const boxes = items.enum.map((option, i) => {
          const row = el("label", { class: "option" });
          const box = el("input", { type: "checkbox", id: `${fieldId}-${i}`, disabled: readOnly });
          box.checked = Array.isArray(initial) && initial.includes(option);
          row.append(box, document.createTextNode(String(option)));
          set.append(row);
          return [box, option];
        });
        wrap.append(set);
        if (help) wrap.append(help);
        inputs.set(name, { readOnly, read: () => boxes.filter(([box]) => box.checked).map(([, option]) => option) });
        return wrap;
      }
      const area = el("textarea", { ...common, rows: 4, placeholder: "One value per line" });
      area.value = Array.isArray(initial) ? initial.join("\n") : "";
      wrap.append(labelNode(), area, el("span", { class: "help" }, "One value per line"));
      if (help) wrap.append(help);
      inputs.set(name, {
        readOnly,
        read: () => {
          const lines = area.value.split("\n").map((line) => line.trim()).filter((line) => line.length > 0);
          return itemType === "number" || itemType === "integer" ? lines.map(Number) : lines;
        },
      });
      return wrap;
    }
    if (Array.isArray(schema.enum)) {
      const select = el("select", common);
      select.append(el("option", { value: "" }, required ? "Choose…" : "—"));
      schema.enum.forEach((option, i) => {
        const o = el("option", { value: String(i) }, String(option));
        if (initial === option) o.selected = true;
        select.append(o);
      });
      wrap.append(labelNode(), select);
      if (help) wrap.append(help);
      inputs.set(name, { readOnly, read: () => (select.value === "" ? undefined : schema.enum[Number(select.value)]) });
      return wrap;
    }
    let input;
    if (type === "string" && (ui(name)["ui:widget"] === "textarea" || (schema.maxLength || 0) > 200)) {
      input = el("textarea", { ...common, maxlength: schema.maxLength });
    } else if (type === "number" || type === "integer") {
      input = el("input", { ...common, type: "number", step: type === "integer" ? "1" : "any", min: schema.minimum, max: schema.maximum });
    } else {
      const format = { date: "date", email: "email", uri: "url" }[schema.format] || "text";
      input = el("input", { ...common, type: format, maxlength: schema.maxLength });
    }
    input.value = initial === undefined || initial === null ? "" : String(initial);
    wrap.append(labelNode(), input);
    if (help) wrap.append(help);
    inputs.set(name, {
      readOnly,
      read: () => {
        if (input.value === "") return undefined;
        return type === "number" || type === "integer" ? Number(input.value) : input.value;
      },
    });
    return wrap;
  }

  function render() {
    document.title = task.name;
    $("title").textContent = task.name;
    $("subtitle").textContent = task.description || "";
    if (task.status === "SUBMITTED") return state("ok", "Thank you", "This form has been submitted.");
    if (task.status === "TIMEOUT") return state("expired", "This form has expired", "It can no longer be submitted. Ask the sender for a new one.");
    const schema = task.form_structure || {};
    const required = new Set(Array.isArray(schema.required) ? schema.required : []);
    const fields = $("fields");
    for (const [name, property] of Object.entries(schema.properties || {})) {
      if (property && typeof property === "object") fields.append(field(name, property, required.has(name)));
    }
    const expires = new Date(task.expire_in);
    if (!Number.isNaN(expires.getTime())) $("expires").textContent = `Open until ${expires.toLocaleString()}`;
    $("loading").hidden = true;
    $("form").hidden = false;
    $("main").setAttribute("aria-busy", "false");
  }

  async function submit(event) {
    event.preventDefault();
    const error = $("form-error");
    error.hidden = true;
    const data = {};
    for (const [name, input] of inputs) {
      if (input.readOnly) continue; // kept as prefilled by the server
      const value = input.read();
      if (value !== undefined) data[name] = value;
    }
    const button = $("submit");
    button.disabled = true;
    try {
      const response = await fetch(endpoint, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ data }) });
      const body = await response.json().catch(() => null);
      if (response.ok) return state("ok", "Thank you", "Your answer was submitted.");
      const message = (body && body.message) || `Submitting failed (${response.status})`;
      if (message === "Form has expired") return state("expired", "This form has expired", "It can no longer be submitted. Ask the sender for a new one.");
      if (message === "Form has already been submitted") return state("ok", "Already submitted", "Someone has already answered this form.");
      error.textContent = message;
      error.hidden = false;
    } catch {
      error.textContent = "The form could not be sent. Check your connection and try again.";
      error.hidden = false;
    } finally {
      button.disabled = false;
    }
  }

  async function start() {
    try {
      const response = await fetch(endpoint);
      if (response.status === 404) return state("missing", "Form not found", "Check the link you were sent.");
      if (!response.ok) throw new Error(`Loading the form failed (${response.status})`);
      task = await response.json();
      render();
    } catch (e) {
      state("missing", "Something went wrong", e.message);
    }
  }

  $("form").addEventListener("submit", submit);
  start();
})();

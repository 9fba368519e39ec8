// Workflows: the list, one workflow as a graph with its definition in an editor (a validation error is shown on
// the node it names), publish and unpublish, versions, and execute with a payload for a linked account.
import { P, api, get, query, session } from "./api.js";
import { fill, confirmed, dl, empty, failure, field, h, pager, pre, status, table, when } from "./dom.js";
import { workflowGraph } from "./graph.js";
import { accountPicker } from "./accounts.js";

export async function workflowsPage({ args, params }) {
  return args[0] ? workflowDetail(args[0], params) : workflowList(params);
}

async function workflowList(params) {
  const pageNumber = Number(params.get("page")) || 1;
  const name = params.get("name") || "";
  // An org key lists the public workflows; acting as an account adds that account's private ones.
  const account = params.get("account") || session.account() || undefined;
  const list = await get(`${P}/workflow${query({ page: pageNumber, limit: 50, name })}`, { account });
  const docs = list.docs || [];
  const nameInput = h("input", { type: "search", name: "name", value: name, autocomplete: "off" });
  const out = h("div", { "aria-live": "polite" });
  const newName = h("input", { name: "new-name", required: true, autocomplete: "off" });
  const create = h("form", { class: "toolbar", onsubmit: async (e) => {
    e.preventDefault();
    try {
      const made = await api("POST", `${P}/workflow`, { body: { name: newName.value.trim() } });
      location.hash = `#/workflows/${encodeURIComponent(made.workflow._id)}`;
    } catch (error) {
      fill(out, failure(error));
    }
  } }, field("New workflow", newName), h("button", { type: "submit" }, "Create"));
  return h("section", { dataset: { title: "Workflows" } },
    h("h1", {}, "Workflows"),
    h("form", { class: "toolbar", role: "search", onsubmit: (e) => {
      e.preventDefault();
      location.hash = `#/workflows${query({ name: nameInput.value.trim() })}`;
    } }, field("Search by name", nameInput), h("button", { type: "submit" }, "Search")),
    h("p", { class: "muted small" }, account ? `Public workflows and the private ones of ${account}.` : "Public workflows (act as a linked account to see its private ones too)."),
    docs.length === 0
      ? empty(name ? `No workflow named like “${name}”.` : "No workflows yet. Create one below, then draw its nodes in the editor.")
      : table([
        { label: "Name", value: (w) => w.name },
        { label: "Alias", value: (w) => w.workflow_alias || "—" },
        { label: "App", value: (w) => w.slug || "custom" },
        { label: "Published", value: (w) => (w.published ? `yes (v${w.current_version ?? w.version ?? "?"})` : "no") },
        { label: "Updated", value: (w) => when(w.updatedAt) },
      ], docs, (w) => `#/workflows/${encodeURIComponent(w._id)}`),
    pager(list, (n) => { location.hash = `#/workflows${query({ name, page: n })}`; }),
    create, out);
}

const nodeNamed = (message) => /Node '([^']+)'/.exec(message || "")?.[1] || null;

async function workflowDetail(id, params) {
  let workflow = await get(`${P}/workflow/${encodeURIComponent(id)}`);
  const isVersion = Boolean(workflow.associated_workflow) && workflow.associated_workflow !== workflow._id;
  const graphHost = h("div");
  const message = h("div", { "aria-live": "polite" });
  const editor = h("textarea", { name: "definition", class: "code", rows: 18, spellcheck: "false", readonly: isVersion });
  const definitionOf = (w) => ({ nodes: w.nodes || [], edges: w.edges || [], settings: w.settings || {} });
  editor.value = JSON.stringify(definitionOf(workflow), null, 2);
  let invalid = null;

  const drawGraph = () => {
    let definition;
    try { definition = JSON.parse(editor.value); } catch { definition = definitionOf(workflow); }
    fill(graphHost, workflowGraph(definition, { invalid, onSelect: (nodeId) => focusNode(editor, nodeId) }));
  };

  const save = h("button", { type: "button", class: "primary", onclick: async () => {
    let body;
    try {
      body = JSON.parse(editor.value);
    } catch (error) {
      fill(message, failure({ message: `The definition is not valid JSON: ${error.message}` }));
      return;
    }
    try {
      workflow = await api("PUT", `${P}/workflow/${encodeURIComponent(workflow._id)}`, { body });
      workflow = workflow.workflow || workflow;
      invalid = null;
      fill(message, h("p", { class: "notice", role: "status" }, "Saved. Publish to make this the version that runs."));
    } catch (error) {
      invalid = nodeNamed(error.message);
      fill(message, failure(error), invalid ? h("p", { class: "muted" }, `The node “${invalid}” is marked in the graph.`) : null);
    }
    drawGraph();
  } }, "Save draft");

  const publish = h("button", { type: "button", onclick: async () => {
    try {
      const version = await api("PUT", `${P}/workflow/${encodeURIComponent(workflow._id)}/publish`, { body: { published: true } });
      fill(message, h("p", { class: "notice", role: "status" }, `Published version ${version.version ?? version.current_version ?? ""} (${version._id}).`));
      await loadVersions();
    } catch (error) {
      fill(message, failure(error));
    }
  } }, "Publish");

  const remove = h("button", { type: "button", class: "danger", onclick: async () => {
    if (!confirmed(`Delete the workflow “${workflow.name}” and all its versions? Its schedules and triggers stop.`)) return;
    try {
      await api("DELETE", `${P}/workflow/${encodeURIComponent(workflow._id)}`);
      location.hash = "#/workflows";
    } catch (error) {
      fill(message, failure(error));
    }
  } }, "Delete");

  const versions = h("div");
  async function loadVersions() {
    if (isVersion) return;
    try {
      const list = await get(`${P}/workflow/versions/${encodeURIComponent(workflow._id)}?limit=20`);
      const docs = list.docs || [];
      fill(versions, docs.length === 0 ? empty("Not published yet: Publish makes the draft a version that runs.")
        : table([
          { label: "Version", value: (v) => `v${v.version}` }, { label: "Id", value: (v) => v._id },
          { label: "Published", value: (v) => (v.published ? "live" : "no") }, { label: "Created", value: (v) => when(v.createdAt) },
          { label: "", value: (v) => (v.published ? h("button", { type: "button", onclick: () => unpublish(v) }, `Unpublish v${v.version}`) : "") },
        ], docs));
      live = docs.find((v) => v.published)?._id || null;
    } catch (error) {
      fill(versions, failure(error));
    }
  }
  async function unpublish(v) {
    if (!confirmed(`Unpublish version ${v.version}? Events, schedules and executes stop running it.`)) return;
    try {
      await api("PUT", `${P}/workflow/${encodeURIComponent(v._id)}/publish`, { body: { published: false } });
      await loadVersions();
    } catch (error) {
      fill(message, failure(error));
    }
  }
  let live = null;
  await loadVersions();

  editor.addEventListener("input", () => { invalid = null; });
  editor.addEventListener("change", drawGraph);
  drawGraph();

  return h("section", { dataset: { title: workflow.name } },
    h("p", { class: "crumbs" }, h("a", { href: "#/workflows" }, "Workflows")),
    h("h1", {}, workflow.name),
    dl([["Id", workflow._id], ["Alias", workflow.workflow_alias || undefined], ["App", workflow.slug || "custom"],
      ["Published", workflow.published ? "yes" : "no"], ["Updated", when(workflow.updatedAt)]]),
    h("div", { class: "actions" }, isVersion ? null : [save, publish],
      h("a", { class: "button", href: `#/executions${query({ workflow_id: workflow._id })}` }, "Executions"), isVersion ? null : remove),
    message,
    h("div", { class: "split" }, graphHost, h("div", {}, field("Definition (nodes, edges, settings)", editor,
      "Edit the JSON and Save draft: the server validates it and names the node at fault."))),
    isVersion ? null : [h("h2", {}, "Versions"), versions],
    h("h2", {}, "Execute"), await executeForm(() => live || workflow._id, workflow, params));
}

function focusNode(editor, nodeId) {
  const at = editor.value.indexOf(`"id": ${JSON.stringify(nodeId)}`);
  if (at < 0) return;
  editor.focus();
  editor.setSelectionRange(at, at + nodeId.length + 8);
}

async function executeForm(versionId, workflow, params) {
  const picker = await accountPicker(params, () => {});
  const payload = h("textarea", { name: "payload", class: "code", rows: 6, spellcheck: "false" }, "{}");
  const sync = h("input", { type: "checkbox", name: "sync" });
  const out = h("div", { "aria-live": "polite" });
  const form = h("form", { class: "stack", onsubmit: async (e) => {
    e.preventDefault();
    const account = picker.control.querySelector("select")?.value || session.account();
    if (!account) {
      fill(out, failure({ message: "Choose the linked account to run it for." }));
      return;
    }
    let body;
    try { body = JSON.parse(payload.value || "{}"); } catch (error) {
      fill(out, failure({ message: `The payload is not valid JSON: ${error.message}` }));
      return;
    }
    try {
      const answer = await api("POST", `${P}/workflow/${encodeURIComponent(versionId())}/execute`, {
        body, account, headers: { slug: workflow.slug || "custom", ...(sync.checked ? { sync_execution: "true" } : {}) },
      });
      const executionId = answer.execution_id || answer._id;
      fill(out, h("p", { class: "notice" }, "Started: ", h("a", { href: `#/executions/${encodeURIComponent(executionId)}` }, executionId)),
        answer.return_value !== undefined ? pre(answer.return_value, "Return value") : null);
    } catch (error) {
      fill(out, failure(error));
    }
  } }, picker.control, field("Payload (JSON)", payload), h("label", { class: "check" }, sync, " Wait for the result (sync_execution)"),
  h("button", { type: "submit", class: "primary" }, "Execute"));
  return h("div", {}, form, out);
}


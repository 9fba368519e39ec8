// Executions: the list with filters (status, workflow, account, dates) refreshing while any runs, and one execution
// as its workflow's graph, each node's status, input, output, attempts, timing and error; rerun and stop.
import { P, api, get, query, session } from "./api.js";
import { fill, confirmed, dl, empty, failure, field, h, pager, pre, select, status, table, when } from "./dom.js";
import { workflowGraph } from "./graph.js";

const STATUSES = ["All", "RUNNING", "COMPLETED", "ERRORED", "STOPPING", "STOPPED", "TIMED_OUT", "DUPLICATE"];
const FINAL = new Set(["COMPLETED", "ERRORED", "STOPPED", "TIMED_OUT", "DUPLICATE"]);
const POLL_MS = 2000;

export async function executionsPage({ args, params, signal }) {
  return args[0] ? executionDetail(args[0], params, signal) : executionList(params, signal);
}

function filtersFrom(params) {
  return {
    status: params.get("status") || "", workflow_id: params.get("workflow_id") || "", account: params.get("account") || "",
    start_date: params.get("start_date") || "", end_date: params.get("end_date") || "", page: params.get("page") || "",
  };
}

async function executionList(params, signal) {
  const filters = filtersFrom(params);
  const inputs = {
    status: select("status", STATUSES.map((s) => [s === "All" ? "" : s, s === "All" ? "Any status" : s]), filters.status),
    workflow_id: await workflowSelect(filters.workflow_id, filters.account),
    account: h("input", { name: "account", value: filters.account, placeholder: "account id", autocomplete: "off" }),
    start_date: h("input", { name: "start_date", type: "date", value: filters.start_date }),
    end_date: h("input", { name: "end_date", type: "date", value: filters.end_date }),
  };
  const form = h("form", { class: "toolbar filters", onsubmit: (e) => {
    e.preventDefault();
    const q = {};
    for (const [k, input] of Object.entries(inputs)) if (input.value.trim()) q[k] = input.value.trim();
    location.hash = `#/executions${query(q)}`;
  } },
  field("Status", inputs.status), field("Workflow", inputs.workflow_id), field("Account", inputs.account),
  field("From", inputs.start_date), field("To", inputs.end_date), h("button", { type: "submit" }, "Filter"));

  const results = h("div", { "aria-live": "polite" });
  const live = h("p", { class: "muted small" });
  const render = async () => {
    const list = await get(`${P}/execution${query({ status: filters.status, workflow_id: filters.workflow_id, start_date: filters.start_date,
      end_date: filters.end_date, page: filters.page, limit: 25 })}`, { account: filters.account || undefined });
    const docs = list.docs || [];
    fill(results, docs.length === 0
      ? empty(Object.values(filters).some(Boolean) ? "No execution matches these filters." : "No executions yet. Run a workflow (Workflows → Execute) or fire an event.")
      : [table([
        { label: "Execution", value: (e) => e.name || e._id },
        { label: "Status", value: (e) => status(e.status) },
        { label: "Workflow", value: (e) => e.associated_workflow?.name || "—" },
        { label: "Account", value: (e) => e.linked_account_id },
        { label: "Trigger", value: (e) => e.trigger_application_event },
        { label: "Started", value: (e) => when(e.createdAt) },
      ], docs, (e) => `#/executions/${encodeURIComponent(e._id)}`),
      pager(list, (n) => { location.hash = `#/executions${query({ ...filters, page: n })}`; })]);
    return docs.some((e) => !FINAL.has(e.status));
  };
  const first = await render();
  poll(signal, first, render, live);
  return h("section", { dataset: { title: "Executions" } }, h("h1", {}, "Executions"), form, live, results);
}

// The workflows the key sees (and the account's private ones), newest first; a deep link's id stays selectable.
async function workflowSelect(selected, account) {
  const list = await get(`${P}/workflow?limit=100`, { account: account || session.account() || undefined }).catch(() => ({ docs: [] }));
  const options = [["", "Any workflow"], ...(list.docs || []).map((w) => [w._id, w.name])];
  if (selected && !options.some(([id]) => id === selected)) options.push([selected, selected]);
  return select("workflow_id", options, selected);
}

// Refreshes while something runs; stops when the page is left (the router aborts the signal).
function poll(signal, running, render, live) {
  live.textContent = running ? "Live: refreshing every 2 s while executions run." : "";
  if (!running) return;
  const timer = setTimeout(async () => {
    if (signal.aborted) return;
    try {
      poll(signal, await render(), render, live);
    } catch (error) {
      fill(live, failure(error));
    }
  }, POLL_MS);
  signal.addEventListener("abort", () => clearTimeout(timer));
}

async function executionDetail(id, params, signal) {
  const account = params.get("account") || undefined;
  let execution = await get(`${P}/execution/${encodeURIComponent(id)}`, { account });
  let definition = null;
  try {
    definition = await get(`${P}/workflow/${encodeURIComponent(execution.workflow_version_id || execution.associated_workflow?._id)}`);
  } catch { /* the workflow may have been deleted since: the nodes are still listed */ }
  let selected = params.get("node") || null;

  const head = h("div");
  const graphHost = h("div");
  const nodeHost = h("div", { class: "node-detail", "aria-live": "polite" });
  const actionsOut = h("div", { "aria-live": "polite" });
  const live = h("p", { class: "muted small" });

  const nodeRuns = () => (execution.nodes || []).filter((n) => n.node_id);
  const lastRun = (nodeId) => nodeRuns().filter((n) => n.node_id === nodeId).at(-1);
  const pick = (nodeId) => {
    selected = nodeId;
    draw();
    nodeHost.querySelector("h2")?.focus();
  };

  function draw() {
    const failed = nodeRuns().find((n) => n.node_status === "Errored");
    if (!selected && failed) selected = failed.node_id;
    const statuses = {};
    for (const n of nodeRuns()) statuses[n.node_id] = n.node_status;
    fill(head, 
      h("h1", {}, execution.name || execution._id),
      h("p", {}, status(execution.status), " ", h("span", { class: "muted" }, `${execution.completion_percentage ?? 0}% · ${execution.trigger_application_event || ""}`)),
      execution.error ? h("div", { class: "error-box", role: "alert" }, h("strong", {}, "Error: "), execution.error) : null,
      dl([["Execution id", execution._id], ["Workflow", execution.associated_workflow?.name],
        ["Version", execution.workflow_version_id], ["Account", execution.linked_account_id], ["Config", execution.config_id],
        ["Type", execution.type_of_execution], ["Started", when(execution.createdAt)], ["Finished", when(execution.completion_time)],
        ["Duration", execution.instance_execution_time !== undefined ? `${Math.round(execution.instance_execution_time)} ms` : undefined]]));
    fill(graphHost, definition
      ? workflowGraph(definition, { statuses, selected, onSelect: pick })
      : empty("The workflow's definition is gone; the nodes that ran are listed below."));
    const run = selected ? nodeRuns().filter((n) => n.node_id === selected) : [];
    fill(nodeHost, selected ? nodeView(selected, run, lastRun(selected), execution) : h("p", { class: "muted" }, "Select a node to see its input, output and error."));
  }

  const rerun = h("button", { type: "button", class: "primary", onclick: async () => {
    rerun.disabled = true;
    try {
      const answer = await api("POST", `${P}/execution/${encodeURIComponent(execution._id)}/rerun`);
      location.hash = `#/executions/${encodeURIComponent(answer.id)}`;
    } catch (error) {
      fill(actionsOut, failure(error));
    } finally {
      rerun.disabled = false;
    }
  } }, "Rerun");
  const stop = h("button", { type: "button", class: "danger", onclick: async () => {
    if (!confirmed(`Stop execution ${execution._id}? The node running now finishes; nothing after it runs.`)) return;
    try {
      const answer = await api("POST", `${P}/execution/${encodeURIComponent(execution._id)}/stop`);
      fill(actionsOut, h("p", { class: "notice" }, answer.message));
      await refresh();
    } catch (error) {
      fill(actionsOut, failure(error));
    }
  } }, "Stop");

  const refresh = async () => {
    execution = await get(`${P}/execution/${encodeURIComponent(id)}`, { account });
    stop.hidden = FINAL.has(execution.status);
    draw();
    return !FINAL.has(execution.status);
  };
  stop.hidden = FINAL.has(execution.status);
  draw();
  poll(signal, !FINAL.has(execution.status), refresh, live);

  return h("section", { dataset: { title: `Execution ${execution._id}` } },
    h("p", { class: "crumbs" }, h("a", { href: "#/executions" }, "Executions")),
    head, h("div", { class: "actions" }, rerun, stop), actionsOut, live,
    h("div", { class: "split" }, graphHost, nodeHost),
    h("details", {}, h("summary", {}, "Payload"), pre(execution.payload, "Payload")),
    execution.return_value !== undefined ? h("details", {}, h("summary", {}, "Return value"), pre(execution.return_value, "Return value")) : null);
}

function nodeView(nodeId, runs, last, execution) {
  if (!last) {
    const waiting = (execution.nodes || []).find((n) => n.node_id === undefined && n.latest_output?.node_id === nodeId);
    return h("div", {}, h("h2", { tabindex: -1 }, nodeId), h("p", { class: "muted" }, waiting ? "Waiting here." : "This node has not run in this execution."));
  }
  return h("div", { class: "card", dataset: { node: nodeId } },
    h("h2", { tabindex: -1 }, `${last.node_name || nodeId}`),
    h("p", {}, status(last.node_status), " ", h("span", { class: "muted" }, last.node_type || "")),
    last.error ? h("div", { class: "error-box node-error", role: "alert" }, h("strong", {}, "Error: "), last.error) : null,
    dl([["Attempts", `${last.attempts_made ?? 1} of ${last.maximum_attempts ?? 1}`], ["Started", when(last.started_at)],
      ["Finished", when(last.finished_at)], ["Time", last.execution_time !== undefined && last.execution_time !== null ? `${last.execution_time} ms` : undefined],
      ["Runs", runs.length > 1 ? String(runs.length) : undefined]]),
    h("h3", {}, "Input"), pre(last.input_data, "Input"),
    h("h3", {}, "Output"), pre(last.latest_output, "Output"));
}


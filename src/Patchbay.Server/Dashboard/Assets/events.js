// Events (the default app's custom events, org key) and schedules (per linked account: pause, resume, delete).
import { P, api, get } from "./api.js";
import { fill, confirmed, empty, failure, h, pre, status, table, when } from "./dom.js";
import { accountPicker } from "./accounts.js";

export async function eventsPage() {
  const events = await get(`${P}/application/event`);
  return h("section", { dataset: { title: "Events" } }, h("h1", {}, "Events"),
    events.length === 0 ? empty("No custom events yet. POST /api/v2/public/application/event defines one; workflows start on it.")
      : events.map((e) => h("article", { class: "card" }, h("h2", {}, e.name),
        table([{ label: "Field", value: (f) => f.key }, { label: "Type", value: (f) => f.type }], e.fields || []),
        h("details", {}, h("summary", {}, "Sample payload"), pre(e.response, "Sample payload")))));
}

export async function schedulesPage({ params }) {
  const picker = await accountPicker(params, (id) => { location.hash = `#/schedules?account=${encodeURIComponent(id)}`; });
  const body = h("div", { "aria-live": "polite" });
  const render = async () => {
    const list = await get("/api/v1/workflow/public/scheduled?limit=100", { account: picker.account });
    const docs = list.docs || [];
    fill(body, docs.length === 0 ? empty("No schedules for this account. POST /api/v1/workflow/public/scheduled adds one.")
      : table([
        { label: "Workflow", value: (s) => s.workflow?.name || "—" },
        { label: "Rule", value: (s) => s.cron_patten || (s.trigger_interval ? JSON.stringify(s.trigger_interval) : "—") },
        { label: "Status", value: (s) => status(s.status) },
        { label: "Next run", value: (s) => when(s.next_run_at) },
        { label: "Runs", value: (s) => String(s.triggered_instances ?? 0) },
        { label: "", value: (s) => h("span", { class: "row-actions" },
          h("button", { type: "button", onclick: () => act(s, s.status === "paused" ? "resume" : "pause") }, s.status === "paused" ? "Resume" : "Pause"),
          h("button", { type: "button", class: "danger", onclick: () => remove(s) }, "Delete")) },
      ], docs));
  };
  const act = async (s, verb) => {
    try { await api("PUT", `/api/v1/workflow/public/scheduled/${s._id}/${verb}`, { account: picker.account }); await render(); } catch (error) { body.prepend(failure(error)); }
  };
  const remove = async (s) => {
    if (!confirmed(`Delete this schedule of ${s.workflow?.name || "the workflow"}? It stops running.`)) return;
    try { await api("DELETE", `/api/v1/workflow/public/scheduled/${s._id}`, { account: picker.account }); await render(); } catch (error) { body.prepend(failure(error)); }
  };
  if (picker.account) await render();
  else body.append(empty("Choose a linked account: schedules belong to an account."));
  return h("section", { dataset: { title: "Schedules" } }, h("h1", {}, "Schedules"), picker.control, body);
}

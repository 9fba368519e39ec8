// Webhooks: subscriptions, and per webhook its messages, each message's attempts, resend and recover.
import { P, X, api, get, query } from "./api.js";
import { fill, confirmed, dl, empty, failure, field, h, pre, status, table, when } from "./dom.js";

export async function webhooksPage({ args, params }) {
  if (args[0] && args[1] === "messages" && args[2]) return attempts(args[0], args[2]);
  if (args[0]) return webhookDetail(args[0], params);
  const hooks = await get(`${P}/webhook`);
  return h("section", { dataset: { title: "Webhooks" } }, h("h1", {}, "Webhooks"),
    hooks.length === 0 ? empty("No webhooks yet. POST /api/v2/public/webhook registers a URL for events.")
      : table([
        { label: "URL", value: (w) => w.webhook_url },
        { label: "Events", value: (w) => (w.webhook_events || []).join(", ") },
        { label: "Enabled", value: (w) => (w.is_enabled ? "yes" : "no") },
        { label: "Created", value: (w) => when(w.createdAt) },
      ], hooks, (w) => `#/webhooks/${encodeURIComponent(w._id)}`));
}

async function webhookDetail(id, params) {
  const hook = await get(`${P}/webhook/${encodeURIComponent(id)}`);
  const delivery = await get(`${X}/webhooks/${encodeURIComponent(id)}/delivery`).catch(() => null);
  const filter = params.get("status") || "";
  const list = await get(`${X}/webhooks/${encodeURIComponent(id)}/messages${query({ status: filter, limit: 50 })}`);
  const docs = list.docs || list || [];
  const out = h("div", { "aria-live": "polite" });
  const resend = async (m) => {
    try {
      await api("POST", `${X}/webhooks/${encodeURIComponent(id)}/messages/${encodeURIComponent(m.id)}/resend`);
      fill(out, h("p", { class: "notice" }, `Message ${m.id} queued again.`));
    } catch (error) { fill(out, failure(error)); }
  };
  const remove = async () => {
    if (!confirmed(`Delete the webhook to ${hook.webhook_url}? Its messages stop.`)) return;
    try { await api("DELETE", `${P}/webhook/${encodeURIComponent(id)}`); location.hash = "#/webhooks"; } catch (error) { fill(out, failure(error)); }
  };
  const filters = h("div", { class: "actions" }, ["", "pending", "delivered", "failed"].map((s) =>
    h("a", { class: "button", href: `#/webhooks/${encodeURIComponent(id)}${s ? `?status=${s}` : ""}`, "aria-current": s === filter ? "true" : null }, s || "all")));
  return h("section", { dataset: { title: `Webhook ${hook.webhook_url}` } },
    h("p", { class: "crumbs" }, h("a", { href: "#/webhooks" }, "Webhooks")),
    h("h1", {}, hook.webhook_url),
    dl([["Id", hook._id], ["Events", (hook.webhook_events || []).join(", ")], ["Enabled", hook.is_enabled ? "yes" : "no"],
      ["Rate limit", delivery?.rate_limit === null || delivery?.rate_limit === undefined ? "none" : `${delivery.rate_limit}/s`],
      ["Disabled because", delivery?.disabled_reason || undefined], ["Failing since", delivery?.failing_since ? when(delivery.failing_since) : undefined]]),
    h("div", { class: "actions" }, h("button", { type: "button", class: "danger", onclick: remove }, "Delete webhook")), out,
    h("h2", {}, "Messages"), filters, recoverForm(id),
    docs.length === 0 ? empty("No messages: they appear when a subscribed event happens.")
      : table([
        { label: "Message", value: (m) => m.id }, { label: "Event", value: (m) => m.event_type }, { label: "Status", value: (m) => status(m.status) },
        { label: "Attempts", value: (m) => String(m.attempts ?? 0) }, { label: "Last HTTP", value: (m) => String(m.last_response_status ?? "—") },
        { label: "Created", value: (m) => when(m.created_at) },
        { label: "", value: (m) => h("button", { type: "button", onclick: () => resend(m) }, "Resend") },
      ], docs, (m) => `#/webhooks/${encodeURIComponent(id)}/messages/${encodeURIComponent(m.id)}`));
}

// Replay: the failed messages created since a time are sent again (the API takes at most 1000 per call).
function recoverForm(id) {
  const since = h("input", { type: "datetime-local", name: "since", required: true });
  const out = h("div", { "aria-live": "polite" });
  return h("form", { class: "toolbar", onsubmit: async (e) => {
    e.preventDefault();
    try {
      const answer = await api("POST", `${X}/webhooks/${encodeURIComponent(id)}/recover`, { body: { since: new Date(since.value).toISOString() } });
      fill(out, h("p", { class: "notice" }, `${answer.recovered} failed message(s) queued again${answer.has_more ? "; more remain, send again" : ""}.`));
    } catch (error) { fill(out, failure(error)); }
  } }, field("Replay failed messages since", since), h("button", { type: "submit" }, "Replay"), out);
}

async function attempts(id, messageId) {
  const list = await get(`${X}/webhooks/${encodeURIComponent(id)}/messages/${encodeURIComponent(messageId)}/attempts`);
  const docs = list.docs || list || [];
  return h("section", { dataset: { title: `Message ${messageId}` } },
    h("p", { class: "crumbs" }, h("a", { href: "#/webhooks" }, "Webhooks"), " / ", h("a", { href: `#/webhooks/${encodeURIComponent(id)}` }, "Messages")),
    h("h1", {}, `Attempts of ${messageId}`),
    docs.length === 0 ? empty("Not attempted yet.") : docs.map((a) => h("article", { class: "card" },
      h("p", {}, status(a.status), ` ${when(a.attempted_at)} · HTTP ${a.response_status ?? "—"} · ${a.duration_ms ?? "?"} ms`),
      a.error ? h("div", { class: "error-box" }, a.error) : null,
      a.response_body ? pre(a.response_body, "Response body") : null)));
}

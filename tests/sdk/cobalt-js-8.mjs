// Drives @cobaltio/cobalt-js 8.0.0 (Cobalt's frontend SDK, unmodified) against a live Patchbay server:
//   node cobalt-js-8.mjs <base url> <session token> <a valid Stripe key for the fake provider> <a Stripe config field id>
//                        <a public Stripe workflow id>
// Prints one line per step and exits non-zero at the first failure.
import assert from "node:assert/strict";
import cobaltModule from "@cobaltio/cobalt-js";

const [baseUrl, token, stripeKey, fieldId, workflowId] = process.argv.slice(2);
const { Cobalt } = cobaltModule;
const cobalt = new Cobalt({ baseUrl, token });

async function step(name, fn) {
  try {
    await fn();
    console.log(`ok   ${name}`);
  } catch (error) {
    console.log(`FAIL ${name}: ${error?.stack ?? error}`);
    process.exit(1);
  }
}

await step("getApp() lists the enabled apps", async () => {
  const apps = await cobalt.getApp();
  assert.ok(Array.isArray(apps), "an array of applications");
  const stripe = apps.find((a) => a.slug === "stripe");
  assert.ok(stripe, "stripe is listed");
  assert.equal(stripe.auth_type, "keybased");
  assert.ok(stripe.auth_input_map.some((f) => f.name === "api_key"), "auth_input_map names the key field");
});

await step("getApp(slug) shows one app, not connected", async () => {
  const stripe = await cobalt.getApp("stripe");
  assert.equal(stripe.slug, "stripe");
  assert.equal(stripe.connected, false);
});

await step("connect(slug, payload) with a wrong key rejects", async () => {
  await assert.rejects(() => cobalt.connect("stripe", { api_key: "sk_test_wrong" }));
  assert.equal((await cobalt.getApp("stripe")).connected, false);
});

await step("connect(slug, payload) with a valid key resolves true", async () => {
  const connected = await cobalt.connect("stripe", { api_key: stripeKey });
  assert.equal(connected, true);
});

await step("getApp(slug) shows it connected", async () => {
  const stripe = await cobalt.getApp("stripe");
  assert.equal(stripe.connected, true);
  assert.equal(stripe.reauth_required, false);
});

await step("config(payload) gets or creates the default config", async () => {
  const config = await cobalt.config({ slug: "stripe", labels: [{ name: "Email", value: "email" }] });
  assert.equal(config.slug, "stripe");
  assert.ok(config.config_id, "the default config id is the linked account's");
  assert.ok(config.fields.some((f) => f.id === fieldId), "the app's field is listed");
  assert.equal(config.workflows.find((w) => w.id === workflowId)?.enabled, false);
  const again = await cobalt.config({ slug: "stripe", labels: [{ name: "Email", value: "email" }] });
  assert.deepEqual(again, config);
});

await step("getConfig(slug) reads it", async () => {
  const config = await cobalt.getConfig("stripe");
  assert.equal(config.slug, "stripe");
});

await step("updateConfig(payload) sets a field value and enables a workflow", async () => {
  const config = await cobalt.updateConfig({
    slug: "stripe",
    fields: { [fieldId]: "sales" },
    workflows: [{ id: workflowId, enabled: true, fields: {} }],
  });
  assert.equal(config.fields.find((f) => f.id === fieldId).value, "sales");
  assert.equal(config.workflows.find((w) => w.id === workflowId).enabled, true);
  await assert.rejects(() => cobalt.updateConfig({ slug: "stripe", fields: { [fieldId]: "nowhere" } }));
});

// cobalt-js 8.0.0 has no field calls; these are the calls later versions make (8.3–9.2), with the same token.
async function fieldCall(method, body) {
  const res = await fetch(`${baseUrl}/api/v2/public/config/field/${fieldId}`, {
    method,
    headers: { authorization: `Bearer ${token}`, slug: "stripe", "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (res.status >= 400) throw new Error(`${method} field: ${res.status} ${await res.text()}`);
  return res.json();
}

await step("getConfigField / updateConfigField / deleteFieldValue", async () => {
  assert.equal((await fieldCall("GET")).value, "sales");
  assert.equal((await fieldCall("PUT", { value: "support" })).value, "support");
  assert.equal((await fieldCall("DELETE")).value, undefined);
});

await step("deleteConfig(slug) removes it", async () => {
  const deleted = await cobalt.deleteConfig("stripe");
  assert.equal(deleted.message, "Installation Deleted Success");
  await assert.rejects(() => cobalt.getConfig("stripe"));
});

await step("getAccountDetails() answers", async () => {
  const details = await cobalt.getAccountDetails();
  assert.ok(details.linked_account.account_id, "names the linked account");
});

await step("disconnect(slug) removes it", async () => {
  await cobalt.disconnect("stripe");
  assert.equal((await cobalt.getApp("stripe")).connected, false);
});

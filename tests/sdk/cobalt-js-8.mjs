// Drives @cobaltio/cobalt-js 8.0.0 (Cobalt's frontend SDK, unmodified) against a live Patchbay server:
//   node cobalt-js-8.mjs <base url> <session token> <a valid Stripe key for the fake provider>
// Prints one line per step and exits non-zero at the first failure.
import assert from "node:assert/strict";
import cobaltModule from "@cobaltio/cobalt-js";

const [baseUrl, token, stripeKey] = process.argv.slice(2);
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

await step("getAccountDetails() answers", async () => {
  const details = await cobalt.getAccountDetails();
  assert.ok(details.linked_account.account_id, "names the linked account");
});

await step("disconnect(slug) removes it", async () => {
  await cobalt.disconnect("stripe");
  assert.equal((await cobalt.getApp("stripe")).connected, false);
});

// Patchbay's hosted Connect page in a real headless Chromium (Debian's /usr/bin/chromium), end to end:
// open it from a single-use connect URL, connect a key-based app through its form (a wrong key first), connect an
// OAuth app through the fake authorization server on loopback, see both connected, disconnect one; then the same
// page on a phone-sized screen. Screenshots go to the folder given.
//
// usage: node connect-page.mjs <hosted_url> <stripe_key> <screenshot_dir>
// Prints one "ok <step>" line per step; exits non-zero on the first failure.
import { check, inChromium, ok, openPage } from "./harness.mjs";
import { mkdirSync } from "node:fs";
import { join } from "node:path";

const [hostedUrl, stripeKey, shots] = process.argv.slice(2);
if (!hostedUrl || !stripeKey || !shots) {
  console.error("usage: node connect-page.mjs <hosted_url> <stripe_key> <screenshot_dir>");
  process.exit(2);
}
mkdirSync(shots, { recursive: true });

await inChromium(async (browser, problems) => {
  const { page } = await openPage(browser, problems, { width: 1200, height: 860 }, 15000);
  // Every failed response is a problem except the one the test provokes (the provider refusing a wrong key).
  let expectedFailures = 0;
  page.on("response", (response) => {
    if (response.status() < 400) return;
    if (expectedFailures > 0 && response.url().endsWith("/api/v2/app/stripe/save")) expectedFailures--;
    else problems.push(`${response.status()} ${response.request().method()} ${response.url()}`);
  });
  page.on("console", (message) => {
    if (message.type() === "error" && !message.text().startsWith("Failed to load resource")) problems.push(`console: ${message.text()}`);
  });
  page.on("requestfailed", (request) => problems.push(`request failed: ${request.url()}`));

  // The single-use code is exchanged and leaves the address bar; the org's theme applies.
  await page.goto(hostedUrl);
  const available = page.locator("#available");
  await available.locator("li[data-slug=stripe]").waitFor();
  check(!new URL(page.url()).searchParams.has("code"), `the code stayed in the address bar: ${page.url()}`);
  check((await page.locator("#title").textContent()) === "Connect Acme to your apps", "the hosted properties' name is not shown");
  const accent = await page.evaluate(() => getComputedStyle(document.documentElement).getPropertyValue("--accent").trim());
  check(accent === "#0f766e", `theme colour not applied: ${accent}`);
  await page.screenshot({ path: join(shots, "connect-page.png") });
  ok("page loads from a single-use link, themed");

  // Key-based: the form generated from the app's fields; the provider refuses a wrong key.
  await page.getByRole("button", { name: "Connect Stripe" }).click();
  const dialog = page.locator("#dialog");
  await dialog.waitFor({ state: "visible" });
  const keyField = dialog.getByLabel("Secret key");
  await keyField.fill("sk_test_wrong");
  expectedFailures = 1;
  await dialog.getByRole("button", { name: "Connect", exact: true }).click();
  const formError = dialog.locator("#form-error");
  await formError.waitFor({ state: "visible" });
  check((await formError.textContent()).includes("Failed to verify credentials"), `unexpected error: ${await formError.textContent()}`);
  await page.screenshot({ path: join(shots, "connect-form-error.png") });
  ok("wrong key refused with a readable error");

  await keyField.fill(stripeKey);
  await dialog.getByRole("button", { name: "Connect", exact: true }).click();
  await dialog.waitFor({ state: "hidden" });
  await page.locator("#connected li[data-slug=stripe]").waitFor();
  ok("key-based app connected through the form");

  // OAuth: Asana offers both; choose sign-in, go to the provider, come back connected.
  await page.getByRole("button", { name: "Connect Asana" }).click();
  await dialog.waitFor({ state: "visible" });
  await dialog.getByLabel("Sign in with Asana").check();
  await dialog.getByRole("button", { name: "Continue to Asana" }).click();
  await page.waitForURL((url) => url.pathname === "/connect" && url.searchParams.size === 0);
  await page.locator("#connected li[data-slug=asana]").waitFor();
  const notice = await page.locator("#notice").textContent();
  check(notice === "Asana is connected.", `no success notice: ${notice}`);
  ok("OAuth app connected through the provider's consent");

  const connected = await page.locator("#connected li").evaluateAll((items) => items.map((i) => i.dataset.slug).sort());
  check(JSON.stringify(connected) === JSON.stringify(["asana", "stripe"]), `connected: ${connected}`);
  await page.screenshot({ path: join(shots, "connect-connected.png") });
  ok("both shown as connected");

  // Disconnect asks first, then the app goes back to the available list.
  page.once("dialog", (confirm) => confirm.accept());
  await page.getByRole("button", { name: "Disconnect Stripe" }).click();
  await page.locator("#available li[data-slug=stripe]").waitFor();
  check((await page.locator("#connected li[data-slug=stripe]").count()) === 0, "Stripe still shown as connected");
  ok("disconnected one");

  // A phone: the same page, no sideways scrolling, controls large enough to tap.
  await page.setViewportSize({ width: 390, height: 844 });
  const fits = await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
  check(fits, "the page scrolls sideways on a phone");
  const smallest = await page.locator("button:visible").evaluateAll((buttons) => Math.min(...buttons.map((b) => b.getBoundingClientRect().height)));
  check(smallest >= 36, `a button is ${smallest}px tall`);
  await page.screenshot({ path: join(shots, "connect-phone.png") });
  ok("usable on a phone");

  check(problems.length === 0, problems.join("\n"));
  ok("no script errors or failed requests");
});

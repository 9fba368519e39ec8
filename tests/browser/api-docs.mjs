// Patchbay's API reference (/docs, Scalar) in a real headless Chromium: it renders the served document's operations,
// loads nothing from any other host (an offline product: no CDN script, no web fonts, no telemetry), and shows none
// of the hosted-service buttons that need Scalar's cloud (deploy, SDK generation, AI chat, sharing).
//
// usage: node api-docs.mjs <base_url> <screenshot_dir>
// Prints one "ok <step>" line per step; exits non-zero on the first failure.
import { check, inChromium, ok } from "./harness.mjs";
import { mkdirSync } from "node:fs";
import { join } from "node:path";

const [baseUrl, shots] = process.argv.slice(2);
if (!baseUrl || !shots) {
  console.error("usage: node api-docs.mjs <base_url> <screenshot_dir>");
  process.exit(2);
}
mkdirSync(shots, { recursive: true });

const origin = new URL(baseUrl).origin;
await inChromium(async (browser, problems) => {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  // Anything for another host is a problem, and is not let out (the machine may have no internet at all).
  const foreign = [];
  await context.route("**/*", (route) => {
    const url = route.request().url();
    if (url.startsWith("data:") || url.startsWith("blob:") || new URL(url).origin === origin) return route.continue();
    foreign.push(url);
    return route.abort();
  });
  const page = await context.newPage();
  page.setDefaultTimeout(20000);
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  page.on("response", (response) => {
    if (response.status() >= 400) problems.push(`${response.status()} ${response.request().method()} ${response.url()}`);
  });

  await page.goto(`${baseUrl}/docs`, { waitUntil: "networkidle" });
  await page.getByText("Create a linked account").first().waitFor();
  await page.screenshot({ path: join(shots, "api-docs.png") });
  ok("the reference renders the served document's operations");

  // A linked-account route shows its linked_account_id header and the authentication it takes.
  await page.getByRole("button", { name: "Open Group - Schedules" }).click();
  await page.getByRole("link", { name: /List the linked account's schedules/ }).first().click();
  const operation = page.locator("section", { hasText: "List the linked account's schedules" }).last();
  await operation.getByText("linked_account_id").first().waitFor();
  const text = await page.locator("body").innerText();
  check(!/No authentication selected/i.test(text), "the reference says no authentication applies");
  await page.screenshot({ path: join(shots, "api-docs-schedules.png") });
  ok("parameters and authentication are shown");

  // No hosted-service buttons: they need Scalar's cloud and do nothing offline.
  for (const label of ["Deploy", "Generate SDK", "Ask AI", "Share", "Open in Scalar", "Agent"]) {
    const visible = await page.getByRole("button", { name: label, exact: false }).filter({ visible: true }).count()
      + await page.getByRole("link", { name: label, exact: false }).filter({ visible: true }).count();
    check(visible === 0, `a "${label}" button is shown`);
  }
  ok("no hosted-service buttons");

  check(foreign.length === 0, `requests to other hosts: ${[...new Set(foreign)].join(", ")}`);
  check(problems.length === 0, problems.join("\n"));
  ok("nothing loaded from another host, no errors");
});

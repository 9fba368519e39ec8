// Patchbay's hosted human-task form in a real headless Chromium (Debian's /usr/bin/chromium), end to end: open a
// waiting task's link on a phone-sized screen, then on a desktop; see the prefilled read-only value; submit without a
// required field and read the server's error; fill every kind of field and submit; see the done state (also after a
// reload); open an expired task's link and see that it says so. Screenshots go to the folder given.
//
// usage: node human-task-page.mjs <form_url> <expired_form_url> <screenshot_dir>
// Prints one "ok <step>" line per step; exits non-zero on the first failure.
import { check, inChromium, ok, openPage } from "./harness.mjs";
import { mkdirSync } from "node:fs";
import { join } from "node:path";

const [formUrl, expiredUrl, shots] = process.argv.slice(2);
if (!formUrl || !expiredUrl || !shots) {
  console.error("usage: node human-task-page.mjs <form_url> <expired_form_url> <screenshot_dir>");
  process.exit(2);
}
mkdirSync(shots, { recursive: true });

await inChromium(async (browser, problems) => {
  const { page } = await openPage(browser, problems, { width: 390, height: 844 }, 15000);
  // Every failed response is a problem except the one the test provokes (a submission missing a required field).
  let expectedFailures = 0;
  page.on("response", (response) => {
    if (response.status() < 400) return;
    if (expectedFailures > 0 && response.request().method() === "POST" && response.status() === 400) expectedFailures--;
    else problems.push(`${response.status()} ${response.request().method()} ${response.url()}`);
  });
  page.on("console", (message) => {
    if (message.type() === "error" && !message.text().startsWith("Failed to load resource")) problems.push(`console: ${message.text()}`);
  });
  page.on("requestfailed", (request) => problems.push(`request failed: ${request.url()}`));

  // A phone: the form fits without sideways scrolling, its controls are large enough to tap.
  await page.goto(formUrl);
  await page.locator("#form:not([hidden])").waitFor();
  check((await page.locator("#title").textContent()) === "Approve the refund", "the task's name is not the title");
  check((await page.locator("#subtitle").textContent()) === "Refund of 120 for Ada", "the task's description is not shown");
  const fits = await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
  check(fits, "the form scrolls sideways on a phone");
  const smallest = await page.locator("button:visible").evaluateAll((buttons) => Math.min(...buttons.map((b) => b.getBoundingClientRect().height)));
  check(smallest >= 36, `a button is ${smallest}px tall`);
  await page.screenshot({ path: join(shots, "human-task-phone.png"), fullPage: true });
  ok("form usable on a phone");

  await page.setViewportSize({ width: 1200, height: 900 });
  const amount = page.getByLabel("Amount");
  check((await amount.inputValue()) === "120", `the prefilled amount is ${await amount.inputValue()}`);
  check(await amount.isDisabled(), "the read-only amount can be edited");
  check((await page.locator("#f-comment").evaluate((e) => e.tagName)) === "TEXTAREA", "the comment is not a textarea");
  check((await page.getByLabel("Refund on").getAttribute("type")) === "date", "the date field is not a date input");
  await page.screenshot({ path: join(shots, "human-task-form.png"), fullPage: true });
  ok("prefilled read-only value shown, widgets by type");

  // The server's validation message, shown in the form.
  expectedFailures = 1;
  await page.getByRole("button", { name: "Submit" }).click();
  const formError = page.locator("#form-error");
  await formError.waitFor({ state: "visible" });
  check((await formError.textContent()) === "Missing required field 'approver'", `unexpected error: ${await formError.textContent()}`);
  ok("a missing required field is refused with the server's message");

  await page.getByLabel("Your name").fill("Grace");
  await page.getByLabel("Approve?").check();
  await page.getByLabel("Reason").selectOption({ label: "goodwill" });
  await page.getByLabel("Comment").fill("Long-standing customer.\nApproved.");
  await page.getByLabel("Refund on").fill("2026-12-01");
  await page.getByLabel("Tags").fill("vip\nrefund");
  await page.getByRole("button", { name: "Submit" }).click();
  await page.locator("[data-state=ok]").waitFor();
  check((await page.locator("[data-state=ok] h2").textContent()) === "Thank you", "no done state");
  await page.screenshot({ path: join(shots, "human-task-done.png") });
  ok("filled and submitted, done state shown");

  await page.reload();
  await page.locator("[data-state=ok]").waitFor();
  check((await page.locator("#form:not([hidden])").count()) === 0, "a submitted form is offered again");
  ok("a submitted task shows its state after a reload");

  await page.goto(expiredUrl);
  await page.locator("[data-state=expired]").waitFor();
  check((await page.locator("[data-state=expired] h2").textContent()) === "This form has expired", "the expired task does not say so");
  await page.screenshot({ path: join(shots, "human-task-expired.png") });
  ok("an expired task says so");

  check(problems.length === 0, problems.join("\n"));
  ok("no script errors or failed requests");
});

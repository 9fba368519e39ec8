// What the browser tests share: Debian's headless Chromium launched the same way, one "ok <step>" line per step, and
// a check that stops the script with a message.
import { chromium } from "playwright-core";

export const ok = (step) => console.log(`ok ${step}`);

export function check(condition, message) {
  if (!condition) throw new Error(message);
}

export const launchChromium = () => chromium.launch({
  executablePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium",
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"],
});

// Runs a script's steps in a fresh Chromium with a list for the problems they collect; a failure prints its stack
// (and the problems so far) and fails the process, and the browser is closed either way.
export async function inChromium(steps) {
  const browser = await launchChromium();
  const problems = [];
  try {
    await steps(browser, problems);
  } catch (error) {
    console.error(error.stack || String(error));
    if (problems.length) console.error(problems.join("\n"));
    process.exitCode = 1;
  } finally {
    await browser.close();
  }
}

// A page in a new browser context of the given size, each uncaught error on it collected into `problems`.
export async function openPage(browser, problems, viewport, timeout) {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  page.setDefaultTimeout(timeout);
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  return { context, page };
}

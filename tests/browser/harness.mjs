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

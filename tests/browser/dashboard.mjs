// Patchbay's dashboard in a real headless Chromium (Debian's /usr/bin/chromium), end to end: a wrong key is refused
// with the API's message; sign in; find an account; open a failed execution and read the failing node's error on
// the graph; rerun it and watch it complete; edit a workflow (a validation error lands on its node), fix, save and
// publish; a destructive action asks first and nothing happens when declined; every page renders, in both themes and
// on a phone. Names, payloads and node outputs hold `<script>` / `"onerror=` strings: they must show as text
// (no dialog ever opens but the confirmations, no injected element exists). Screenshots go to the folder given.
//
// usage: node dashboard.mjs <base_url> <api_key> <admin_token> <account_id> <failed_execution_id> <workflow_id> <waiting_execution_id> <mcp_server_id> <screenshot_dir>
// Prints one "ok <step>" line per step; exits non-zero on the first failure.
import { check, inChromium, ok, openPage } from "./harness.mjs";
import { mkdirSync } from "node:fs";
import { join } from "node:path";

const [base, key, adminToken, accountId, failedId, workflowId, waitingId, serverId, shots] = process.argv.slice(2);
if (!shots) {
  console.error("usage: node dashboard.mjs <base_url> <api_key> <admin_token> <account_id> <failed_execution_id> <workflow_id> <waiting_execution_id> <mcp_server_id> <screenshot_dir>");
  process.exit(2);
}
mkdirSync(shots, { recursive: true });

await inChromium(async (browser, problems) => {
  const { page } = await openPage(browser, problems, { width: 1280, height: 860 }, 20000);
  page.on("console", (message) => {
    if (message.type() === "error" && !message.text().startsWith("Failed to load resource")) problems.push(`console: ${message.text()}`);
  });
  // Every request: the key never travels in a URL. Failed responses are problems except the ones provoked.
  let expectedRefusals = 0;
  page.on("request", (request) => {
    if (request.url().includes(key) || (adminToken && request.url().includes(adminToken))) problems.push(`a secret in a URL: ${request.url()}`);
  });
  page.on("response", (response) => {
    if (response.status() < 400) return;
    if (expectedRefusals > 0) expectedRefusals--;
    else problems.push(`${response.status()} ${response.request().method()} ${response.url()}`);
  });
  // Only confirmations may open a dialog: an alert would be injected script running.
  let confirmAnswer = null;
  page.on("dialog", async (dialog) => {
    if (dialog.type() !== "confirm" || confirmAnswer === null) {
      problems.push(`unexpected ${dialog.type()} dialog: ${dialog.message()}`);
      await dialog.dismiss();
      return;
    }
    const accept = confirmAnswer;
    confirmAnswer = null;
    if (accept) await dialog.accept();
    else await dialog.dismiss();
  });
  // Whole pages, but the long catalog lists are cut at the window; from the top, as a full-page shot taken while
  // scrolled shows the sticky header mid-page.
  const shot = async (name) => {
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: join(shots, `dashboard-${name}.png`), fullPage: !["apps", "admin"].includes(name) });
  };
  const noInjection = async (where) => {
    const injected = await page.evaluate(() => document.querySelectorAll("#page script, #page img, #page iframe, [onerror]").length);
    check(injected === 0, `${where}: an element came from API data`);
  };

  // The page is served with its security headers.
  const response = await page.goto(`${base}/dashboard`);
  const csp = response.headers()["content-security-policy"] || "";
  check(csp.includes("script-src 'self'") && csp.includes("frame-ancestors 'none'") && !csp.includes("unsafe"), `CSP: ${csp}`);
  check(response.headers()["x-frame-options"] === "DENY", "X-Frame-Options is not DENY");

  // A wrong key: the API's own message.
  await page.getByLabel("API key").fill("tk00000000-0000-0000-0000-000000000000");
  expectedRefusals = 1;
  await page.getByRole("button", { name: "Sign in" }).click();
  const signinError = page.locator("#signin-error");
  await signinError.waitFor({ state: "visible" });
  const refusal = await signinError.textContent();
  check(refusal === "That API key was not accepted: Invalid Credentials.", `wrong key message: ${refusal}`);
  await shot("signin-refused");
  ok("a wrong key is refused with the API's message");

  // Sign in; the key stays in the tab's session storage only.
  await page.getByLabel("API key").fill(key);
  if (adminToken) {
    await page.locator("summary").click();
    await page.getByLabel("Admin token").fill(adminToken);
  }
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("heading", { name: "Linked accounts" }).waitFor();
  const storage = await page.evaluate(() => ({ session: sessionStorage.getItem("patchbay.key"), local: JSON.stringify(localStorage) }));
  check(storage.session === key && !storage.local.includes(key), "the key is not (only) in session storage");
  check(!page.url().includes(key), "the key is in the address bar");
  ok("signed in; the key is in session storage only");

  // Find the account by search; its name (with markup in it) shows as text.
  await page.getByLabel("Search accounts").fill(accountId);
  await page.getByRole("button", { name: "Search" }).click();
  const accountLink = page.getByRole("link", { name: accountId, exact: true });
  await accountLink.waitFor();
  await shot("accounts");
  await accountLink.click();
  const accountHeading = page.locator("#page h1", { hasText: "Acme <script" }); // the detail's, not the list's
  await accountHeading.waitFor();
  check((await accountHeading.textContent()) === "Acme <script>alert(1)</script>", `account name: ${await accountHeading.textContent()}`);
  await page.getByRole("heading", { name: "Connections" }).waitFor();
  await page.locator(".loading").first().waitFor({ state: "detached" });
  await noInjection("account");
  await shot("account");
  ok("found the account; its name renders as text");

  // A destructive action asks first; declining changes nothing.
  confirmAnswer = false;
  await page.getByRole("button", { name: "Delete account" }).click();
  check(confirmAnswer === null, "deleting an account did not ask first");
  const still = await page.evaluate(async ([k, id]) => (await fetch(`/api/v2/public/linked-account/${id}`, { headers: { "x-api-key": k } })).status, [key, accountId]);
  check(still === 200, `the account is gone after declining: ${still}`);
  ok("a destructive action asks first; declining keeps the account");

  // Acting as the account: the pages that need one (its private workflows, tables, schedules) use it.
  await page.getByRole("button", { name: "Act as this account" }).click();
  await page.getByText("The other pages act as this account.").waitFor();

  // The failed execution: the list filtered by status, then the graph with the failing node's error.
  await page.goto(`${base}/dashboard#/executions?status=ERRORED`);
  const failedLink = page.locator(`a[href="#/executions/${failedId}"]`);
  await failedLink.waitFor();
  await shot("executions");
  await failedLink.click();
  await page.locator("svg.graph g.node-errored[data-node=gate]").waitFor();
  const nodeError = page.locator(".node-error");
  await nodeError.waitFor();
  const errorText = await nodeError.textContent();
  check(errorText.includes("GATE is not set <script>x</script>"), `the failing node's error: ${errorText}`);
  const payloadText = await page.locator("details pre.json").first().textContent();
  check(payloadText.includes('\\"onerror=alert(2) <script>alert(3)</script>'), `payload: ${payloadText}`);
  await noInjection("execution");
  await shot("execution-failed");
  ok("the failed execution shows the failing node's error on the graph");

  // Keyboard: the start node is a button in the graph; Enter selects it.
  await page.locator("svg.graph g[data-node=start]").focus();
  await page.keyboard.press("Enter");
  await page.locator(".node-detail h2", { hasText: "start" }).waitFor();
  const startOutput = await page.locator(".node-detail pre.json").nth(1).textContent();
  check(startOutput.includes("onerror=alert(2)"), `start node output: ${startOutput}`);
  ok("a node is chosen with the keyboard; its output is text");

  // Rerun: a new execution, followed live until it completes.
  await page.getByRole("button", { name: "Rerun" }).click();
  await page.waitForURL((url) => url.hash.startsWith("#/executions/") && !url.hash.includes(failedId));
  await page.locator("#page .status-completed").first().waitFor({ timeout: 60000 });
  await page.locator("svg.graph g.node-success[data-node=done]").waitFor();
  await shot("execution-rerun");
  ok("rerun completes");

  // Stop asks first: declined, the execution keeps running; accepted, it stops.
  await page.goto(`${base}/dashboard#/executions/${waitingId}`);
  await page.locator("svg.graph g.node-waiting[data-node=wait]").waitFor();
  const stop = page.getByRole("button", { name: "Stop" });
  confirmAnswer = false;
  await stop.click();
  check(confirmAnswer === null, "stopping did not ask first");
  check((await page.locator("#page .status").first().textContent()) === "RUNNING", "declining a stop changed the execution");
  confirmAnswer = true;
  await stop.click();
  await page.getByText("Stopping instance").waitFor();
  await page.locator("#page .status-stopped").first().waitFor({ timeout: 60000 });
  check(await stop.isHidden(), "Stop is still offered for a stopped execution");
  ok("stop asks first, then stops");

  // Workflows: a validation error on the node, then a valid edit saved and published.
  await page.goto(`${base}/dashboard#/workflows`);
  const workflowLink = page.locator(`a[href="#/workflows/${workflowId}"]`);
  await workflowLink.waitFor();
  check((await workflowLink.textContent()) === "Sync <img src=x onerror=alert(1)>", "workflow name not shown as text");
  await shot("workflows");
  await workflowLink.click();
  const editor = page.getByLabel("Definition (nodes, edges, settings)");
  await editor.waitFor();
  const definition = JSON.parse(await editor.inputValue());
  const gate = definition.nodes.find((n) => n.id === "gate");
  const good = gate.data.code;
  gate.data.code = "";
  await editor.fill(JSON.stringify(definition, null, 2));
  expectedRefusals = 1;
  await page.getByRole("button", { name: "Save draft" }).click();
  await page.locator("svg.graph g.node-invalid[data-node=gate]").waitFor();
  const invalidText = await page.locator(".error-box").first().textContent();
  check(invalidText.includes("Node 'gate' (code) needs 'code'"), `validation message: ${invalidText}`);
  await shot("workflow-invalid");
  gate.data.code = good;
  if (!definition.nodes.some((n) => n.id === "note")) {
    definition.nodes.push({ id: "note", type: "code", data: { code: "return { seen: true };" } });
    definition.edges.push({ source: "done", target: "note" });
  }
  await editor.fill(JSON.stringify(definition, null, 2));
  await page.getByRole("button", { name: "Save draft" }).click();
  await page.getByText("Saved. Publish to make this the version that runs.").waitFor();
  await page.locator("svg.graph g[data-node=note]").waitFor();
  await page.getByRole("button", { name: "Publish", exact: true }).click();
  const published = page.getByText(/^Published version \d+ /);
  await published.waitFor();
  const version = /version (\d+)/.exec(await published.textContent())[1];
  check(Number(version) >= 2, `published version ${version}`);
  await page.getByRole("button", { name: `Unpublish v${version}` }).waitFor();
  await shot("workflow");
  ok("a workflow edit shows its validation error on the node, then saves and publishes");

  // Every other page renders (an account acted as), without script errors or injected markup.
  for (const [hash, heading, name] of [["apps", "Apps", "apps"], ["events", "Events", "events"], ["schedules", "Schedules", "schedules"],
    ["webhooks", "Webhooks", "webhooks"], ["tables", "Tables", "tables"], ["datarefs", "Datarefs", "datarefs"],
    ["env", "Environment variables", "env"], ...(adminToken ? [["admin", "Admin", "admin"]] : [])]) {
    await page.goto(`${base}/dashboard#/${hash}`);
    await page.getByRole("heading", { name: heading, exact: true, level: 1 }).waitFor();
    await page.locator(".loading").first().waitFor({ state: "detached" });
    await noInjection(hash);
    await shot(name);
  }
  // A table's records, and a search of one column: hostile values stay text.
  await page.goto(`${base}/dashboard#/tables`);
  await page.getByRole("link", { name: "orders" }).click();
  await page.getByRole("cell", { name: "<img src=x onerror=alert(4)>" }).waitFor();
  await page.getByLabel("Column").selectOption("customer");
  await page.getByLabel("Matches (regular expression)").fill("^an");
  await page.getByRole("button", { name: "Search" }).click();
  await page.getByRole("cell", { name: "Bo", exact: true }).waitFor({ state: "detached" });
  check((await page.locator("#page tbody tr").count()) === 1, "the search did not narrow the records to one");
  await noInjection("table");
  await shot("table");
  ok("every page renders; a table is browsed and searched");

  // The audit log: filtered to the account's creation through the form (the filters become the URL), the entry
  // shows who, from where and the account's name, markup included, as text.
  await page.goto(`${base}/dashboard#/audit`);
  await page.getByRole("heading", { name: "Audit log", level: 1 }).waitFor();
  await page.getByRole("cell", { name: "Table Created", exact: true }).first().waitFor();
  await page.getByLabel("Event", { exact: true }).fill("Linked Account Created");
  await page.getByLabel("Linked account", { exact: true }).fill(accountId);
  await page.getByRole("button", { name: "Filter" }).click();
  await page.waitForURL((url) => url.hash.startsWith("#/audit?") && url.hash.includes("event=Linked+Account+Created"));
  await page.getByRole("cell", { name: "Table Created", exact: true }).first().waitFor({ state: "detached" });
  await page.getByRole("cell", { name: "Linked Account Created", exact: true }).waitFor();
  check((await page.locator("#page tbody tr").count()) === 1, "the audit filter did not narrow to the account's creation");
  const auditRow = await page.locator("#page tbody tr").first().textContent();
  check(auditRow.includes("Acme <script>alert(1)</script>") && auditRow.includes("api_key") && auditRow.includes(accountId), `audit entry: ${auditRow}`);
  const deepLink = page.url();
  await page.goto(`${base}/dashboard#/accounts`);
  await page.goto(deepLink);
  await page.locator("#page tbody tr").first().waitFor();
  check((await page.getByLabel("Event", { exact: true }).inputValue()) === "Linked Account Created", "the audit filter is not in the link");
  await noInjection("audit");
  await shot("audit");
  // A time window that ends before anything happened: the filters combine and nothing matches.
  await page.getByLabel("To", { exact: true }).fill("2020-01-01T00:00");
  await page.getByRole("button", { name: "Filter" }).click();
  await page.waitForURL((url) => url.hash.includes("&to=20"));
  await page.getByText("No audit entry matches these filters.").waitFor();
  await page.goto(`${base}/dashboard#/audit?event=Nothing+Like+This`);
  await page.getByText("No audit entry matches these filters.").waitFor();
  ok("the audit log lists, filters and links entries; names render as text");

  // Admin → nodes: this server, live, with its version and heartbeat.
  await page.goto(`${base}/dashboard#/admin`);
  await page.getByRole("link", { name: "Nodes", exact: true }).click();
  await page.getByRole("heading", { name: "Nodes", level: 1 }).waitFor();
  const self = page.locator("#page tbody tr", { hasText: "(this one)" });
  await self.waitFor();
  check((await self.locator(".status").textContent()) === "live", "this node is not listed live");
  await shot("nodes");
  ok("the admin section lists the cluster's nodes");

  // MCP servers of the account acted as: the name (markup in it) is text; the server's tool-call log has the call the
  // set-up made; safe mode switched on and saved; a token minted (shown once) and revoked after a confirmation.
  await page.goto(`${base}/dashboard#/mcp`);
  await page.getByRole("heading", { name: "MCP servers", level: 1 }).waitFor();
  const serverLink = page.getByRole("link", { name: "Agent <img src=x onerror=alert(5)>", exact: true });
  await serverLink.waitFor();
  await noInjection("mcp");
  await shot("mcp");
  await serverLink.click();
  await page.waitForURL((url) => url.hash.startsWith(`#/mcp/${serverId}?account=`));
  // The detail page renders after the URL changes: wait for its heading before reading it.
  await page.locator("#page h1", { hasText: "Agent <img" }).waitFor();
  check((await page.locator("#page h1").textContent()) === "Agent <img src=x onerror=alert(5)>", "the server's name is not text");
  await page.getByRole("cell", { name: "custom_greet_workflow", exact: true }).waitFor();
  check((await page.locator("#page tbody tr", { hasText: "custom_greet_workflow" }).locator(".status").textContent()) === "success", "the tool call is not logged as a success");
  // The workflow list is rebuilt through the picker of the app's published workflows.
  const workflowIds = page.getByLabel("Workflows (ids, comma-separated)");
  const greetId = await workflowIds.inputValue();
  check(/^[0-9a-f]{24}$/.test(greetId), `the associated workflow is not in the editor: ${greetId}`);
  await workflowIds.fill("");
  await page.getByLabel("Offer a workflow").selectOption({ label: `Greet (${greetId})` });
  check((await workflowIds.inputValue()) === greetId, "picking a workflow did not add its id");
  await page.getByLabel("Safe mode (hold write tool calls for approval)").check();
  await page.getByRole("button", { name: "Save", exact: true }).click();
  await page.getByText("Saved.", { exact: true }).waitFor();
  await page.getByText("on: write tools wait for a person's approval").waitFor();
  ok("an MCP server shows its tool-call log and is edited (safe mode on)");

  await page.getByLabel("Token name").fill("agent <b>one</b>");
  await page.getByRole("button", { name: "Mint a token" }).click();
  const minted = page.locator("code.token");
  await minted.waitFor();
  check((await minted.textContent()).startsWith("pbmcp_"), "the minted token is not shown");
  const tokenRow = page.locator("#page tbody tr", { hasText: "agent <b>one</b>" });
  await tokenRow.locator(".status-active").waitFor();
  await shot("mcp-server");
  confirmAnswer = false;
  await tokenRow.getByRole("button", { name: "Revoke" }).click();
  check(confirmAnswer === null, "revoking did not ask first");
  check(await tokenRow.locator(".status-active").isVisible(), "declining a revoke revoked the token");
  confirmAnswer = true;
  await tokenRow.getByRole("button", { name: "Revoke" }).click();
  await tokenRow.locator(".status-revoked").waitFor();

  // Create a server through the form, then delete it (asks first).
  await page.getByRole("link", { name: "MCP servers" }).first().click();
  // The list's own form, not the server page's edit form (both have a Name field): wait for the list first.
  await page.getByRole("heading", { name: "MCP servers", level: 1 }).waitFor();
  await page.getByRole("button", { name: "Create server" }).waitFor();
  await page.getByLabel("Name", { exact: true }).fill("Scratch");
  await page.getByLabel("Description", { exact: true }).fill("made to be deleted");
  await page.getByRole("button", { name: "Create server" }).click();
  await page.getByRole("heading", { name: "Scratch", level: 1 }).waitFor();
  confirmAnswer = true;
  await page.getByRole("button", { name: "Delete server" }).click();
  await page.getByRole("heading", { name: "MCP servers", level: 1 }).waitFor();
  await serverLink.waitFor();
  check((await page.getByRole("link", { name: "Scratch" }).count()) === 0, "the deleted server is still listed");
  ok("MCP tokens are minted once and revoked; a server is created and deleted");

  // Dark theme, then a phone: no sideways scrolling, the menu opens.
  await page.goto(`${base}/dashboard#/executions/${failedId}`);
  await page.locator(".node-error").waitFor();
  await page.getByRole("button", { name: "Switch between light and dark theme" }).click();
  const dark = await page.evaluate(() => document.documentElement.dataset.theme);
  check(dark === "dark" || dark === "light", "the theme did not switch");
  if (dark !== "dark") await page.getByRole("button", { name: "Switch between light and dark theme" }).click();
  await shot("execution-dark");
  await page.setViewportSize({ width: 390, height: 844 });
  const fits = await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
  check(fits, "the execution page scrolls sideways on a phone");
  await page.getByRole("button", { name: "Menu" }).click();
  await page.getByRole("link", { name: "Workflows" }).click();
  await page.getByRole("heading", { name: "Workflows", level: 1 }).waitFor();
  check(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), "the workflows page scrolls sideways on a phone");
  await shot("phone");
  for (const [hash, heading] of [["audit", "Audit log"], [`mcp/${serverId}?account=${encodeURIComponent(accountId)}`, "Agent <img src=x onerror=alert(5)>"], ["admin/nodes", "Nodes"]]) {
    await page.goto(`${base}/dashboard#/${hash}`);
    await page.getByRole("heading", { name: heading, exact: true, level: 1 }).waitFor();
    await page.locator(".loading").first().waitFor({ state: "detached" });
    const wide = await page.evaluate(() => (document.documentElement.scrollWidth <= window.innerWidth ? [] : [...document.querySelectorAll("#page *")]
      .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1).slice(-3).map((e) => `${e.tagName}.${e.className} ${Math.round(e.getBoundingClientRect().width)}px`)));
    check(wide.length === 0, `#/${hash} scrolls sideways on a phone: ${wide.join(", ")}`);
  }
  ok("dark theme and phone width");

  check(problems.length === 0, problems.join("\n"));
  ok("no script errors, failed requests, dialogs or secrets in URLs");
});

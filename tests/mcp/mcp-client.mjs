// Drives the official MCP TypeScript client (@modelcontextprotocol/sdk, unmodified) against a live Patchbay MCP endpoint:
//   node mcp-client.mjs <base url> <server id> <session token> <action tool> <workflow tool> <another account's server id>
//                       <a revoked MCP token>
// Prints one line per step and exits non-zero at the first failure.
import assert from "node:assert/strict";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";

const [baseUrl, serverId, token, actionTool, workflowTool, otherServerId, revokedToken] = process.argv.slice(2);

async function connect(path, bearer) {
  const client = new Client({ name: "patchbay-test", version: "1.0.0" });
  const headers = bearer ? { Authorization: `Bearer ${bearer}` } : {};
  await client.connect(new StreamableHTTPClientTransport(new URL(path, baseUrl), { requestInit: { headers } }));
  return client;
}

async function step(name, fn) {
  try {
    await fn();
    console.log(`ok   ${name}`);
  } catch (error) {
    console.log(`FAIL ${name}: ${error?.stack ?? error}`);
    process.exit(1);
  }
}

const parse = (result) => JSON.parse(result.content[0].text);
let client;

await step("connects with a session token (Bearer)", async () => {
  client = await connect(`/mcp/v1/${serverId}`, token);
  assert.ok(client.getServerCapabilities()?.tools, "the server offers tools");
});

await step("lists the account's action and workflow tools", async () => {
  const { tools } = await client.listTools();
  const names = tools.map((t) => t.name);
  assert.ok(names.includes(actionTool), `${actionTool} in ${names}`);
  assert.ok(names.includes(workflowTool), `${workflowTool} in ${names}`);
  const action = tools.find((t) => t.name === actionTool);
  assert.equal(action.inputSchema.type, "object");
  assert.deepEqual(action.inputSchema.required, ["contact_id"]);
});

await step("calls an action tool, which reaches the provider", async () => {
  const result = await client.callTool({ name: actionTool, arguments: { contact_id: "ts-42" } });
  assert.notEqual(result.isError, true);
  const body = parse(result);
  assert.equal(body.success, true);
  assert.equal(body.data.id, "fake_1");
});

await step("calls a workflow tool", async () => {
  const result = await client.callTool({ name: workflowTool, arguments: { name: "TypeScript" } });
  assert.notEqual(result.isError, true);
  assert.deepEqual(parse(result), { success: true, data: { greeting: "hello TypeScript" } });
});

await step("a missing parameter is a tool error", async () => {
  const result = await client.callTool({ name: actionTool, arguments: {} });
  assert.equal(result.isError, true);
  assert.equal(parse(result).error, "Required parameter 'contact_id' is missing");
});

await step("the token never opens another account's server (404)", async () => {
  await assert.rejects(connect(`/mcp/v1/${otherServerId}`, token), (e) => e.code === 404);
});

await step("a revoked MCP token is refused (403), in the header or the path", async () => {
  await assert.rejects(connect(`/mcp/v1/${serverId}`, revokedToken), (e) => e.code === 403);
  await assert.rejects(connect(`/mcp/v1/${revokedToken}/${serverId}`, null), (e) => e.code === 403);
});

await step("no token is refused (401)", async () => {
  await assert.rejects(connect(`/mcp/v1/${serverId}`, null), (e) => e.code === 401);
});

await client.close();

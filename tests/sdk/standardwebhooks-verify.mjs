// Verifies real Patchbay deliveries with the published npm `standardwebhooks` library, the way docs/webhooks.md tells
// a Node receiver to. Driven by WorkflowEventTests: reads {"secret", "deliveries": [{"body", "headers"}]} on stdin
// and prints "ok <event>" per verified delivery and "ok rejected" per tampered copy refused; exits 1 on any failure.
import { Webhook, WebhookVerificationError } from "standardwebhooks";

let input = "";
for await (const chunk of process.stdin) input += chunk;
const { secret, deliveries } = JSON.parse(input);

let failed = false;
for (const { body: rawBody, headers } of deliveries) {
  const req = { headers };
  try {
    // The snippet of docs/webhooks.md, as published there.
    const payload = new Webhook(secret.replace(/^whsec_/, "")).verify(rawBody, {
      "webhook-id": req.headers["webhook-id"],
      "webhook-timestamp": req.headers["webhook-timestamp"],
      "webhook-signature": req.headers["webhook-signature"],
    });
    console.log(`ok ${payload.event}`);
  } catch (e) {
    failed = true;
    console.log(`not ok: ${e}`);
  }
  try {
    new Webhook(secret).verify(rawBody.replace("test", "live"), headers); // the prefix may stay, too
    failed = true;
    console.log("not ok: a tampered body verified");
  } catch (e) {
    if (!(e instanceof WebhookVerificationError)) failed = true;
    console.log(e instanceof WebhookVerificationError ? "ok rejected" : `not ok: ${e}`);
  }
}
process.exit(failed ? 1 : 0);

// The API client: the key lives in this tab's sessionStorage only and goes out as `x-api-key`; an account acts
// through the `linked_account_id` header. Errors are Refold's shape {status_code, error, message, request_id}.
const KEY = "patchbay.key";
const ADMIN = "patchbay.admin";
const ACCOUNT = "patchbay.account";

export const session = {
  key: () => sessionStorage.getItem(KEY),
  admin: () => sessionStorage.getItem(ADMIN),
  account: () => sessionStorage.getItem(ACCOUNT),
  setAccount: (id) => (id ? sessionStorage.setItem(ACCOUNT, id) : sessionStorage.removeItem(ACCOUNT)),
  signIn(key, admin) {
    sessionStorage.setItem(KEY, key);
    if (admin) sessionStorage.setItem(ADMIN, admin);
    else sessionStorage.removeItem(ADMIN);
  },
  signOut() {
    sessionStorage.removeItem(KEY);
    sessionStorage.removeItem(ADMIN);
    sessionStorage.removeItem(ACCOUNT);
  },
  environment: () => (session.key() || "").startsWith("pk") ? "production" : "test",
};

export class ApiError extends Error {
  constructor(status, body) {
    super(body?.message || body?.error || `The server answered ${status}`);
    this.status = status;
    this.code = body?.error_code || body?.error;
    this.requestId = body?.request_id;
  }
}

// A key is allowed bursts of a few requests: at most two in flight, and a 429 waits for Retry-After and tries again.
let inFlight = 0;
const waiting = [];
async function slot() {
  if (inFlight < 2) { inFlight++; return; }
  await new Promise((resolve) => waiting.push(resolve));
  inFlight++;
}
function release() {
  inFlight--;
  waiting.shift()?.();
}
const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export const onSignedOut = { handler: null };

export async function api(method, path, options = {}) {
  const headers = { accept: "application/json" };
  if (options.admin) headers.authorization = `Bearer ${session.admin()}`;
  else headers["x-api-key"] = options.key || session.key() || "";
  if (options.account) headers.linked_account_id = options.account;
  Object.assign(headers, options.headers || {});
  const init = { method, headers, credentials: "omit", cache: "no-store", referrerPolicy: "no-referrer" };
  if (options.body !== undefined) {
    headers["content-type"] = "application/json";
    init.body = typeof options.body === "string" ? options.body : JSON.stringify(options.body);
  }
  for (let attempt = 0; ; attempt++) {
    await slot();
    let response;
    try {
      response = await fetch(path, init);
    } catch {
      throw new ApiError(0, { message: "The server could not be reached. Is it running?" });
    } finally {
      release();
    }
    if (response.status === 429 && attempt < 4) {
      await pause(Math.min(5, Number(response.headers.get("retry-after")) || 1) * 1000);
      continue;
    }
    const text = await response.text();
    let body = null;
    try { body = text ? JSON.parse(text) : null; } catch { body = { message: text }; }
    if (!response.ok) {
      const error = new ApiError(response.status, body);
      if (response.status === 401 && !options.key && !options.admin && onSignedOut.handler) onSignedOut.handler(error);
      throw error;
    }
    return body;
  }
}

export const get = (path, options) => api("GET", path, options);

export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== "") q.set(k, v);
  const text = q.toString();
  return text ? `?${text}` : "";
}

export const P = "/api/v2/public";
export const X = "/api/patchbay/v1";

/**
 * CALLBACK_LAMBDA_SOURCE is the inline code (`Code.ZipFile`, so CommonJS in
 * `index.js`, handler `index.handler`, runtime nodejs22.x) of the trust
 * template's custom resource. On Create, and on an Update that carries a new
 * setup id or token, it reports the role to Planton's CompleteSetup (Connect
 * unary JSON: 200 is success, any other status carries `{code, message}`),
 * retrying network errors and transient codes up to 3 attempts (1 s, 2 s
 * apart); `already_exists` on a retry means an earlier attempt landed. Other
 * Updates call back once, best effort, and always succeed (the token was spent
 * on Create); Delete succeeds without calling. Whatever happens, exactly one
 * response is PUT to CloudFormation, at the latest 5 s before the Lambda
 * times out, so a stack never hangs for the custom resource's ServiceTimeout.
 *
 * It is an async handler using the global fetch and no modules: callback
 * handlers and AWS's injected cfn-response (which calls `context.done()`) are
 * gone from newer Node runtimes. It logs only the request type, HTTP statuses
 * and the outcome, never the event, the token or the callback body: customers
 * read it in their console and its logs land in their account.
 */
// Written without backticks, "${" or backslashes: this is a raw template literal.
export const CALLBACK_LAMBDA_SOURCE = String.raw`"use strict";
// Planton trust callback: tells Planton which IAM role this stack created, then
// answers CloudFormation. The event and the callback token are never logged.

const ATTEMPTS = 3;
const BACKOFF_MS = [1000, 2000];
const CALL_TIMEOUT_MS = 10000;
// Answer CloudFormation before Lambda stops this function; otherwise the stack
// waits for the custom resource's ServiceTimeout.
const SAFETY_MARGIN_MS = 5000;
const MAX_MESSAGE_CHARS = 400;
const MAX_RESPONSE_BYTES = 4096;
// Connect codes that may succeed on another attempt. permission_denied,
// unauthenticated, failed_precondition and invalid_argument never will.
const RETRYABLE = new Set(["unavailable", "deadline_exceeded", "internal", "unknown", "aborted", "resource_exhausted"]);

exports.handler = async (event, context) => {
  console.log("Request: " + event.RequestType);
  const run = { over: false };
  let timer;
  const deadline = new Promise((resolve) => {
    const wait = Math.max(0, context.getRemainingTimeInMillis() - SAFETY_MARGIN_MS);
    timer = setTimeout(() => resolve(failed("Timed out waiting for Planton")), wait);
  });
  let outcome;
  try {
    outcome = await Promise.race([decide(event, run), deadline]);
  } catch (err) {
    outcome = failed("The callback function failed: " + describe(err));
  } finally {
    run.over = true;
    clearTimeout(timer);
  }
  console.log("Outcome: " + outcome.status + (outcome.status === "FAILED" ? " (" + outcome.reason + ")" : ""));
  await respond(event, outcome);
};

async function decide(event, run) {
  const props = event.ResourceProperties || {};
  if (event.RequestType === "Delete") return succeeded("Nothing to remove");
  const old = event.OldResourceProperties || {};
  const newLink = event.RequestType === "Create" || props.SetupId !== old.SetupId || props.CallbackToken !== old.CallbackToken;
  if (!newLink) {
    // A plain stack update (say, a capability switched in the console): the
    // token was spent on Create, so Planton's answer must not fail the update.
    await completeSetup(event, props, 1, run).catch(() => undefined);
    return succeeded("Stack updated");
  }
  const result = await completeSetup(event, props, ATTEMPTS, run);
  if (result.ok) return succeeded("Planton captured the role");
  if (result.status === undefined) return failed("Could not reach Planton: " + result.message);
  return failed("Planton refused the role: " + result.message);
}

async function completeSetup(event, props, attempts, run) {
  const body = JSON.stringify({
    setupId: props.SetupId,
    token: props.CallbackToken,
    roleArn: props.RoleArn,
    accountId: props.AccountId,
    stackId: event.StackId,
  });
  let result;
  for (let attempt = 1; attempt <= attempts && !run.over; attempt++) {
    if (attempt > 1) await sleep(BACKOFF_MS[attempt - 2]);
    result = await post(props.CallbackUrl, body);
    console.log("Callback attempt " + attempt + ": " + (result.status === undefined ? "no answer" : "HTTP " + result.status));
    if (result.ok) return result;
    // An earlier attempt landed but its answer was lost, and spent the token.
    if (attempt > 1 && result.code === "already_exists") return { ok: true };
    if (!result.retryable) break;
  }
  return result || { ok: false, message: "gave up" };
}

async function post(url, body) {
  let res;
  try {
    res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", "connect-protocol-version": "1" },
      body,
      signal: AbortSignal.timeout(CALL_TIMEOUT_MS),
    });
  } catch (err) {
    return { ok: false, retryable: true, message: describe(err) };
  }
  const text = await res.text().catch(() => "");
  if (res.ok) return { ok: true, status: res.status };
  let error = {};
  try {
    error = JSON.parse(text) || {};
  } catch {
    // Not a Connect error body (a proxy's error page, say): judge by status.
  }
  const code = typeof error.code === "string" ? error.code : undefined;
  const retryable = code === undefined ? res.status >= 500 || res.status === 429 : RETRYABLE.has(code);
  const message = typeof error.message === "string" && error.message !== "" ? error.message : code || "HTTP " + res.status;
  return { ok: false, status: res.status, code, retryable, message: bounded(message, MAX_MESSAGE_CHARS) };
}

async function respond(event, outcome) {
  const props = event.ResourceProperties || {};
  const response = {
    Status: outcome.status,
    Reason: outcome.reason,
    // Must stay the same for the resource's life: a new id on Update means replacement.
    PhysicalResourceId: event.PhysicalResourceId || "planton-trust-callback-" + String(props.SetupId || event.RequestId).slice(0, 200),
    StackId: event.StackId,
    RequestId: event.RequestId,
    LogicalResourceId: event.LogicalResourceId,
    NoEcho: false,
    Data: { RoleArn: props.RoleArn },
  };
  let body = JSON.stringify(response);
  // CloudFormation rejects responses over 4096 bytes; only the Reason can grow.
  while (Buffer.byteLength(body) > MAX_RESPONSE_BYTES && response.Reason.length > 3) {
    const excess = Buffer.byteLength(body) - MAX_RESPONSE_BYTES;
    response.Reason = bounded(response.Reason, Math.max(3, response.Reason.length - excess - 3));
    body = JSON.stringify(response);
  }
  try {
    const res = await fetch(event.ResponseURL, {
      method: "PUT",
      // As AWS's cfn-response does: an empty content-type (fetch would send
      // text/plain, which the presigned URL may not be signed for).
      headers: { "content-type": "", "content-length": String(Buffer.byteLength(body)) },
      body,
      signal: AbortSignal.timeout(CALL_TIMEOUT_MS),
    });
    console.log("CloudFormation response: HTTP " + res.status);
  } catch (err) {
    // Nothing else can tell CloudFormation; throwing would make Lambda retry
    // the whole event and call Planton again.
    console.log("CloudFormation response failed: " + describe(err));
  }
}

function succeeded(reason) {
  return { status: "SUCCESS", reason };
}

function failed(reason) {
  return { status: "FAILED", reason };
}

function bounded(text, max) {
  return text.length <= max ? text : text.slice(0, max - 3) + "...";
}

function describe(err) {
  const cause = err && err.cause;
  const detail = cause && (cause.code || cause.message);
  return String((err && err.message) || err) + (detail ? " (" + detail + ")" : "");
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
`;

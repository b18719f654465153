import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { runInNewContext } from "node:vm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CALLBACK_LAMBDA_SOURCE } from "./callback-lambda.js";

// The function runs as Lambda runs inline code: a CommonJS module with only
// Node's globals. Its clock runs 100x faster (backoffs of 1 s and 2 s take 10
// and 20 ms; the requested delays are recorded), while fetch timeouts and the
// test servers keep real time.
const TIME_SCALE = 0.01;
const TOKEN = "tok_9f8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c3b2a1f0e9d8";
const SETUP_ID = "awstrust_01jdq5x3k8m2v7c4n6p9r0s1t2";
const ROLE_ARN = "arn:aws:iam::123456789012:role/planton-trust-TrustRole-ABC123";
const STACK_ID = "arn:aws:cloudformation:us-west-2:123456789012:stack/planton-trust/1a2b3c4d-0000-1111-2222-333344445555";

type Handler = (event: Record<string, unknown>, context: { getRemainingTimeInMillis(): number }) => Promise<unknown>;

interface Recorded {
  readonly method: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** What the fake Planton answers, in order; the last answer repeats. */
type Answer = {
  readonly status: number;
  /** Connect error code and message (sent as the JSON error body). */
  readonly code?: string;
  readonly message?: string;
  /** A body that is not a Connect error. */
  readonly raw?: string;
  readonly delayMs?: number;
};

interface FakeServer {
  readonly url: string;
  readonly requests: Recorded[];
  close(): Promise<void>;
}

const servers: FakeServer[] = [];

async function startServer(answers: readonly Answer[]): Promise<FakeServer> {
  const requests: Recorded[] = [];
  const server: Server = createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (chunk: string) => (body += chunk));
    req.on("end", () => {
      const answer = answers[Math.min(requests.length, answers.length - 1)] ?? { status: 200 };
      requests.push({ method: req.method ?? "", headers: req.headers, body });
      setTimeout(() => {
        if (res.destroyed) return;
        const payload = answer.raw ?? (answer.status === 200 ? "{}" : JSON.stringify({ code: answer.code, message: answer.message }));
        res.writeHead(answer.status, { "content-type": "application/json" }).end(payload);
      }, answer.delayMs ?? 0);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const fake: FakeServer = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/planton.connect.v1.AwsTrustService/CompleteSetup`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  servers.push(fake);
  return fake;
}

/** A URL nothing listens on: a port that was just free. */
async function unreachableUrl(): Promise<string> {
  const fake = await startServer([{ status: 200 }]);
  await fake.close();
  return fake.url;
}

let logs: string[];
let delays: number[];

function loadHandler(): Handler {
  const module = { exports: {} as { handler?: Handler } };
  const log = (...args: unknown[]) => logs.push(args.map(String).join(" "));
  runInNewContext(
    CALLBACK_LAMBDA_SOURCE,
    {
      module,
      exports: module.exports,
      require: (name: string) => {
        throw new Error(`the callback function must not require ${name}`);
      },
      console: { log, info: log, warn: log, error: log },
      fetch,
      AbortSignal,
      URL,
      Buffer,
      setTimeout: (fn: () => void, ms: number) => {
        delays.push(ms);
        return setTimeout(fn, ms * TIME_SCALE);
      },
      clearTimeout,
    },
    { filename: "index.js" },
  );
  if (typeof module.exports.handler !== "function") throw new Error("no exports.handler");
  return module.exports.handler;
}

interface Cfn {
  readonly responseUrl: string;
  readonly puts: Recorded[];
}

async function startCfn(): Promise<Cfn> {
  const fake = await startServer([{ status: 200 }]);
  return { responseUrl: `${fake.url.replace(/\/planton.*$/, "")}/cfn-response?X-Amz-Signature=abc`, puts: fake.requests };
}

function properties(callbackUrl: string, overrides: Record<string, string> = {}): Record<string, string> {
  return {
    ServiceToken: "arn:aws:lambda:us-west-2:123456789012:function:planton-trust-CallbackFunction",
    ServiceTimeout: "120",
    CallbackUrl: callbackUrl,
    SetupId: SETUP_ID,
    CallbackToken: TOKEN,
    RoleArn: ROLE_ARN,
    AccountId: "123456789012",
    ...overrides,
  };
}

function createEvent(cfn: Cfn, callbackUrl: string): Record<string, unknown> {
  return {
    RequestType: "Create",
    ResponseURL: cfn.responseUrl,
    StackId: STACK_ID,
    RequestId: "5d7a1b2c-request",
    ResourceType: "Custom::PlantonTrustCallback",
    LogicalResourceId: "TrustCallback",
    ResourceProperties: properties(callbackUrl),
  };
}

function updateEvent(cfn: Cfn, callbackUrl: string, newProps: Record<string, string>, oldProps: Record<string, string> = {}): Record<string, unknown> {
  return {
    ...createEvent(cfn, callbackUrl),
    RequestType: "Update",
    PhysicalResourceId: `planton-trust-callback-${SETUP_ID}`,
    ResourceProperties: properties(callbackUrl, newProps),
    OldResourceProperties: properties(callbackUrl, oldProps),
  };
}

const lambdaContext = (remainingMs = 900_000) => ({ getRemainingTimeInMillis: () => remainingMs });

/** The one response CloudFormation received, parsed. */
function onlyResponse(cfn: Cfn): Record<string, unknown> {
  expect(cfn.puts).toHaveLength(1);
  return JSON.parse(cfn.puts[0]!.body) as Record<string, unknown>;
}

beforeEach(() => {
  logs = [];
  delays = [];
});

afterEach(async () => {
  // Whatever happened, the logs never carry the token or the callback body.
  const output = logs.join("\n");
  expect(output).not.toContain(TOKEN);
  expect(output).not.toContain(SETUP_ID);
  expect(output).not.toContain(ROLE_ARN);
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

describe("Create", () => {
  it("posts the role to Planton and reports SUCCESS with the role ARN", async () => {
    const [planton, cfn] = await Promise.all([startServer([{ status: 200 }]), startCfn()]);
    await loadHandler()(createEvent(cfn, planton.url), lambdaContext());

    expect(planton.requests).toHaveLength(1);
    const call = planton.requests[0]!;
    expect(call.method).toBe("POST");
    expect(call.headers["content-type"]).toBe("application/json");
    expect(JSON.parse(call.body)).toEqual({ setupId: SETUP_ID, token: TOKEN, roleArn: ROLE_ARN, accountId: "123456789012", stackId: STACK_ID });
    expect(onlyResponse(cfn)).toEqual({
      Status: "SUCCESS",
      Reason: "Planton captured the role",
      PhysicalResourceId: `planton-trust-callback-${SETUP_ID}`,
      StackId: STACK_ID,
      RequestId: "5d7a1b2c-request",
      LogicalResourceId: "TrustCallback",
      NoEcho: false,
      Data: { RoleArn: ROLE_ARN },
    });
    expect(logs).toEqual(["Request: Create", "Callback attempt 1: HTTP 200", "Outcome: SUCCESS", "CloudFormation response: HTTP 200"]);
  });

  it("PUTs with an empty content-type and an exact content-length", async () => {
    const [planton, cfn] = await Promise.all([startServer([{ status: 200 }]), startCfn()]);
    await loadHandler()(createEvent(cfn, planton.url), lambdaContext());

    const put = cfn.puts[0]!;
    expect(put.method).toBe("PUT");
    expect(put.headers["content-type"]).toBe("");
    expect(put.headers["content-length"]).toBe(String(Buffer.byteLength(put.body)));
  });

  it.each([
    ["permission_denied", 403],
    ["failed_precondition", 400],
    ["unauthenticated", 401],
    ["invalid_argument", 400],
  ])("reports FAILED with Planton's message on %s, without retrying", async (code, status) => {
    const [planton, cfn] = await Promise.all([startServer([{ status, code, message: "the setup expired; start a new one" }]), startCfn()]);
    await loadHandler()(createEvent(cfn, planton.url), lambdaContext());

    expect(planton.requests).toHaveLength(1);
    const response = onlyResponse(cfn);
    expect(response["Status"]).toBe("FAILED");
    expect(response["Reason"]).toBe("Planton refused the role: the setup expired; start a new one");
    expect(response["PhysicalResourceId"]).toBe(`planton-trust-callback-${SETUP_ID}`);
  });

  it("retries a 503 after 1 s and succeeds", async () => {
    const [planton, cfn] = await Promise.all([startServer([{ status: 503, code: "unavailable", message: "try later" }, { status: 200 }]), startCfn()]);
    await loadHandler()(createEvent(cfn, planton.url), lambdaContext());

    expect(planton.requests).toHaveLength(2);
    expect(planton.requests[1]!.body).toBe(planton.requests[0]!.body);
    expect(delays).toContain(1000);
    expect(onlyResponse(cfn)["Status"]).toBe("SUCCESS");
  });

  it("retries a 5xx without a Connect body (a proxy's error page)", async () => {
    const [planton, cfn] = await Promise.all([startServer([{ status: 502, raw: "<html>bad gateway</html>" }, { status: 200 }]), startCfn()]);
    await loadHandler()(createEvent(cfn, planton.url), lambdaContext());

    expect(planton.requests).toHaveLength(2);
    expect(onlyResponse(cfn)["Status"]).toBe("SUCCESS");
  });

  it("does not retry a 4xx without a Connect body", async () => {
    const [planton, cfn] = await Promise.all([startServer([{ status: 404, raw: "not found" }]), startCfn()]);
    await loadHandler()(createEvent(cfn, planton.url), lambdaContext());

    expect(planton.requests).toHaveLength(1);
    expect(onlyResponse(cfn)).toMatchObject({ Status: "FAILED", Reason: "Planton refused the role: HTTP 404" });
  });

  it("gives up after 3 attempts, 1 s then 2 s apart", async () => {
    const [planton, cfn] = await Promise.all([startServer([{ status: 500, code: "internal", message: "database down" }]), startCfn()]);
    await loadHandler()(createEvent(cfn, planton.url), lambdaContext());

    expect(planton.requests).toHaveLength(3);
    expect(delays.filter((d) => d === 1000 || d === 2000)).toEqual([1000, 2000]);
    expect(onlyResponse(cfn)).toMatchObject({ Status: "FAILED", Reason: "Planton refused the role: database down" });
  });

  it("counts already_exists on a retry as success: the earlier attempt landed", async () => {
    const answers = [
      { status: 503, code: "unavailable" },
      { status: 409, code: "already_exists", message: "the setup is already completed" },
    ];
    const [planton, cfn] = await Promise.all([startServer(answers), startCfn()]);
    await loadHandler()(createEvent(cfn, planton.url), lambdaContext());

    expect(planton.requests).toHaveLength(2);
    expect(onlyResponse(cfn)).toMatchObject({ Status: "SUCCESS", Data: { RoleArn: ROLE_ARN } });
  });

  it("fails on already_exists at the first attempt: someone else used the link", async () => {
    const [planton, cfn] = await Promise.all([startServer([{ status: 409, code: "already_exists", message: "the setup is already completed" }]), startCfn()]);
    await loadHandler()(createEvent(cfn, planton.url), lambdaContext());

    expect(planton.requests).toHaveLength(1);
    expect(onlyResponse(cfn)).toMatchObject({ Status: "FAILED", Reason: "Planton refused the role: the setup is already completed" });
  });

  it("still answers CloudFormation when Planton is unreachable", async () => {
    const cfn = await startCfn();
    await loadHandler()(createEvent(cfn, await unreachableUrl()), lambdaContext());

    const response = onlyResponse(cfn);
    expect(response["Status"]).toBe("FAILED");
    expect(response["Reason"]).toMatch(/^Could not reach Planton: fetch failed/);
    expect(logs.filter((l) => l.startsWith("Callback attempt"))).toEqual([
      "Callback attempt 1: no answer",
      "Callback attempt 2: no answer",
      "Callback attempt 3: no answer",
    ]);
  });

  it("keeps the response within 4096 bytes whatever Planton says", async () => {
    const [planton, cfn] = await Promise.all([startServer([{ status: 403, code: "permission_denied", message: "é".repeat(20_000) }]), startCfn()]);
    const event = {
      ...createEvent(cfn, planton.url),
      ResourceProperties: properties(planton.url, { RoleArn: `arn:aws:iam::123456789012:role/${"r".repeat(2000)}`, SetupId: "s".repeat(1000) }),
    };
    await loadHandler()(event, lambdaContext());

    const put = cfn.puts[0]!;
    expect(Buffer.byteLength(put.body)).toBeLessThanOrEqual(4096);
    expect(put.headers["content-length"]).toBe(String(Buffer.byteLength(put.body)));
    expect(onlyResponse(cfn)["Reason"]).toMatch(/^Planton refused the role: é+\.\.\.$/);
  });
});

describe("Delete", () => {
  it("succeeds without calling Planton", async () => {
    const [planton, cfn] = await Promise.all([startServer([{ status: 200 }]), startCfn()]);
    const event = { ...createEvent(cfn, planton.url), RequestType: "Delete", PhysicalResourceId: "whatever-create-returned" };
    await loadHandler()(event, lambdaContext());

    expect(planton.requests).toHaveLength(0);
    expect(onlyResponse(cfn)).toMatchObject({ Status: "SUCCESS", PhysicalResourceId: "whatever-create-returned" });
  });
});

describe("Update", () => {
  it("with the same setup and token calls back once and succeeds even when refused", async () => {
    const [planton, cfn] = await Promise.all([startServer([{ status: 409, code: "already_exists", message: "the setup is already completed" }]), startCfn()]);
    await loadHandler()(updateEvent(cfn, planton.url, {}), lambdaContext());

    expect(planton.requests).toHaveLength(1);
    expect(onlyResponse(cfn)).toMatchObject({ Status: "SUCCESS", PhysicalResourceId: `planton-trust-callback-${SETUP_ID}` });
  });

  it("with the same token succeeds even when Planton is unreachable", async () => {
    const cfn = await startCfn();
    await loadHandler()(updateEvent(cfn, await unreachableUrl(), {}), lambdaContext());

    expect(onlyResponse(cfn)["Status"]).toBe("SUCCESS");
  });

  it("with a new token behaves like Create", async () => {
    const newToken = `${TOKEN.slice(0, -4)}zzzz`;
    const [planton, cfn] = await Promise.all([startServer([{ status: 403, code: "permission_denied", message: "wrong account" }]), startCfn()]);
    await loadHandler()(updateEvent(cfn, planton.url, { CallbackToken: newToken }), lambdaContext());

    expect(JSON.parse(planton.requests[0]!.body)).toMatchObject({ token: newToken, setupId: SETUP_ID });
    // The physical id stays: a new one would make CloudFormation replace the resource.
    expect(onlyResponse(cfn)).toMatchObject({
      Status: "FAILED",
      Reason: "Planton refused the role: wrong account",
      PhysicalResourceId: `planton-trust-callback-${SETUP_ID}`,
    });
    expect(logs.join("\n")).not.toContain(newToken);
  });

  it("with a new setup id retries like Create and succeeds", async () => {
    const [planton, cfn] = await Promise.all([startServer([{ status: 503, code: "unavailable" }, { status: 200 }]), startCfn()]);
    await loadHandler()(updateEvent(cfn, planton.url, {}, { SetupId: "awstrust_older" }), lambdaContext());

    expect(planton.requests).toHaveLength(2);
    expect(onlyResponse(cfn)["Status"]).toBe("SUCCESS");
  });
});

describe("failure handling", () => {
  it("answers FAILED exactly once when the deadline passes, and stops calling Planton", async () => {
    const [planton, cfn] = await Promise.all([startServer([{ status: 503, code: "unavailable", delayMs: 600 }]), startCfn()]);
    // 5 s of margin leaves 30 s of function time: 300 ms on the test's clock.
    await loadHandler()(createEvent(cfn, planton.url), lambdaContext(35_000));

    expect(onlyResponse(cfn)).toMatchObject({ Status: "FAILED", Reason: "Timed out waiting for Planton" });
    expect(delays).toContain(30_000);
    // Let the slow answer arrive: no retry, no second response.
    await new Promise((resolve) => setTimeout(resolve, 900));
    expect(planton.requests).toHaveLength(1);
    expect(cfn.puts).toHaveLength(1);
  });

  it("answers FAILED when the handler itself throws", async () => {
    const [planton, cfn] = await Promise.all([startServer([{ status: 200 }]), startCfn()]);
    const event = updateEvent(cfn, planton.url, {});
    Object.defineProperty(event, "OldResourceProperties", {
      get() {
        throw new Error("unreadable event");
      },
    });
    await loadHandler()(event, lambdaContext());

    expect(planton.requests).toHaveLength(0);
    expect(onlyResponse(cfn)).toMatchObject({ Status: "FAILED", Reason: "The callback function failed: unreadable event" });
  });

  it("resolves (so Lambda does not retry the event) when CloudFormation's URL is unreachable", async () => {
    const planton = await startServer([{ status: 200 }]);
    const event = { ...createEvent({ responseUrl: await unreachableUrl(), puts: [] }, planton.url) };
    await expect(loadHandler()(event, lambdaContext())).resolves.toBeUndefined();
    expect(logs.at(-1)).toMatch(/^CloudFormation response failed: fetch failed/);
  });
});

describe("source", () => {
  it("has no characters a template literal would have changed", () => {
    expect(CALLBACK_LAMBDA_SOURCE).not.toMatch(/[`\\]|\$\{/);
    expect(CALLBACK_LAMBDA_SOURCE.startsWith('"use strict";')).toBe(true);
  });
});

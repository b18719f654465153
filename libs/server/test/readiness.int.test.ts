import { randomBytes } from "node:crypto";
import { isDeepStrictEqual } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { Code } from "@connectrpc/connect";
import { createTokenVerifier } from "@planton/auth";
import { Health, HealthCheckResponse_ServingStatus as ServingStatus } from "@planton/proto/grpc/health/v1/health_pb";
import { VaultService } from "@planton/proto/planton/connect/v1/vault_pb";
import { registerService, startServer, type ReadinessProbe, type RunningServer } from "@planton/server";
import { captureLogs } from "@planton/testing";
import { createFakeVault, mapError, within } from "./support/fake-vault.js";
import { CALLERS, type Caller } from "./support/transports.js";

// Readiness: a probe's result drives the health status of the service names
// it lists, on both listeners, in Check, Watch and GET /readyz, while ""
// (liveness) only follows the process.

const VAULT = VaultService.typeName;
const VERIFIER = "planton.connect.v1.Verifier";

/** A probe the test switches up and down; `hang` makes checks never settle (ignoring the signal). */
function switchableProbe(name: string, services: string[]) {
  const state = { up: true, hang: false, checks: 0, aborted: 0 };
  const probe: ReadinessProbe = {
    name,
    services,
    check(signal) {
      state.checks++;
      signal.addEventListener("abort", () => state.aborted++, { once: true });
      if (state.hang) return new Promise<boolean>(() => undefined);
      return state.up ? Promise.resolve(true) : Promise.reject(new Error(`${name} refused the connection`));
    },
  };
  return { probe, state };
}

const running: { server: RunningServer; callers: Caller[] }[] = [];
afterEach(async () => {
  for (const r of running.splice(0)) {
    for (const caller of r.callers) caller.close();
    await r.server.shutdown(500);
  }
});

async function start(probes: ReadinessProbe[], timing = { intervalMs: 50, timeoutMs: 100 }) {
  const logs = captureLogs();
  const server = await startServer({
    host: "127.0.0.1",
    port: 0,
    grpcPort: 0,
    services: [registerService(VaultService, createFakeVault().impl, { default: { scopes: ["internal"] } })],
    verifier: createTokenVerifier({ kind: "hs256", secret: randomBytes(32).toString("base64url") }),
    mapError,
    logger: logs.logger,
    readiness: { ...timing, probes },
  });
  const callers = CALLERS.map((factory) => factory.create(server));
  running.push({ server, callers });
  return { server, callers, logs };
}

/** Check of every name, on every caller: "caller name" → status name. */
async function statuses(callers: Caller[], names: string[]): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  await Promise.all(
    callers.flatMap((caller) =>
      names.map(async (name) => {
        const outcome = await caller.unary(Health.method.check, { service: name });
        out[`${caller.name} ${name || '""'}`] = outcome.error ? `error ${Code[outcome.error.code]}` : ServingStatus[outcome.message!.status];
      }),
    ),
  );
  return out;
}

function every(callers: Caller[], expected: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const caller of callers) for (const [name, status] of Object.entries(expected)) out[`${caller.name} ${name || '""'}`] = status;
  return out;
}

/** Polls `read` until it equals `expected` (bounded), then returns it: the flip is asserted, not its speed. */
async function eventually<T>(read: () => Promise<T>, expected: T, what: string, limitMs = 5_000): Promise<T> {
  const until = Date.now() + limitMs;
  let last = await read();
  while (!isDeepStrictEqual(last, expected) && Date.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    last = await read();
  }
  expect(last, what).toEqual(expected);
  return last;
}

async function getJson(server: RunningServer, path: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${server.url}${path}`);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe("readiness probes drive the health service", () => {
  it("a name without an RPC service of its own (the verifier's) gets a status; the server starts with checked statuses", async () => {
    const db = switchableProbe("postgresql", [VAULT]);
    const nats = switchableProbe("nats", [VERIFIER]);
    nats.state.up = false;
    const { callers } = await start([db.probe, nats.probe]);
    // No optimistic SERVING: the first round of checks ran before the listeners opened.
    expect(await statuses(callers, ["", VAULT, VERIFIER])).toEqual(every(callers, { "": "SERVING", [VAULT]: "SERVING", [VERIFIER]: "NOT_SERVING" }));
  });

  it("a dependency going down turns only the services that need it NOT_SERVING, on both listeners; liveness stays SERVING", async () => {
    const db = switchableProbe("postgresql", [VAULT]);
    const nats = switchableProbe("nats", [VERIFIER]);
    const { server, callers, logs } = await start([db.probe, nats.probe]);
    const names = ["", VAULT, VERIFIER];
    expect(await statuses(callers, names)).toEqual(every(callers, { "": "SERVING", [VAULT]: "SERVING", [VERIFIER]: "SERVING" }));

    db.state.up = false;
    await eventually(() => statuses(callers, names), every(callers, { "": "SERVING", [VAULT]: "NOT_SERVING", [VERIFIER]: "SERVING" }), "postgresql down");
    expect(await getJson(server, "/healthz")).toEqual({ status: 200, body: { status: "SERVING" } });
    expect(await getJson(server, "/readyz")).toEqual({
      status: 503,
      body: {
        status: "NOT_SERVING",
        services: { "": "SERVING", [VAULT]: "NOT_SERVING", [VERIFIER]: "SERVING" },
        dependencies: { postgresql: false, nats: true },
      },
    });
    // The outage is logged once, when it starts, naming the dependency and why.
    const down = logs.records().filter((e) => e["msg"] === "dependency unreachable: not ready");
    expect(down).toHaveLength(1);
    expect(down[0]).toMatchObject({ level: "warn", dependency: "postgresql", error: "postgresql refused the connection" });

    db.state.up = true;
    await eventually(() => statuses(callers, names), every(callers, { "": "SERVING", [VAULT]: "SERVING", [VERIFIER]: "SERVING" }), "postgresql back");
    expect(await getJson(server, "/readyz")).toMatchObject({ status: 200, body: { status: "SERVING", dependencies: { postgresql: true, nats: true } } });
    expect(logs.records().filter((e) => e["msg"] === "dependency reachable again: ready")).toHaveLength(1);
  });

  it("a service needing two dependencies is SERVING only while both answer", async () => {
    const db = switchableProbe("postgresql", [VAULT]);
    const nats = switchableProbe("nats", [VAULT, VERIFIER]);
    const { callers } = await start([db.probe, nats.probe]);
    const [caller] = callers;
    nats.state.up = false;
    await eventually(() => statuses([caller!], [VAULT, VERIFIER]), every([caller!], { [VAULT]: "NOT_SERVING", [VERIFIER]: "NOT_SERVING" }), "nats down");
    db.state.up = false;
    nats.state.up = true;
    await eventually(
      () => statuses([caller!], [VAULT, VERIFIER]),
      every([caller!], { [VAULT]: "NOT_SERVING", [VERIFIER]: "SERVING" }),
      "postgresql down, nats up",
    );
    db.state.up = true;
    await eventually(() => statuses([caller!], [VAULT]), every([caller!], { [VAULT]: "SERVING" }), "both up");
  });

  it("a probe that throws instead of rejecting counts as down, and the others go on", async () => {
    const db = switchableProbe("postgresql", [VAULT]);
    let throwing = true;
    const broken: ReadinessProbe = {
      name: "broken",
      services: [VERIFIER],
      check: () => {
        if (throwing) throw new Error("synchronous failure");
        return Promise.resolve(true);
      },
    };
    const { callers } = await start([db.probe, broken]);
    const [caller] = callers;
    expect(await statuses([caller!], [VAULT, VERIFIER])).toEqual(every([caller!], { [VAULT]: "SERVING", [VERIFIER]: "NOT_SERVING" }));
    throwing = false;
    await eventually(() => statuses([caller!], [VERIFIER]), every([caller!], { [VERIFIER]: "SERVING" }), "no longer throwing");
  });

  it("a check that never answers counts as down at the timeout, and its signal is aborted", async () => {
    const db = switchableProbe("postgresql", [VAULT]);
    const { callers } = await start([db.probe], { intervalMs: 50, timeoutMs: 100 });
    db.state.hang = true;
    await eventually(() => statuses(callers.slice(0, 1), [VAULT]), every(callers.slice(0, 1), { [VAULT]: "NOT_SERVING" }), "hung check");
    expect(db.state.aborted).toBeGreaterThan(0);
    db.state.hang = false;
    await eventually(() => statuses(callers.slice(0, 1), [VAULT]), every(callers.slice(0, 1), { [VAULT]: "SERVING" }), "answering again");
  });

  it.each(CALLERS.map((c) => c.name))("Watch over %s sees SERVING, NOT_SERVING and SERVING again as the dependency comes and goes", async (name) => {
    const db = switchableProbe("postgresql", [VAULT]);
    const { callers } = await start([db.probe]);
    const caller = callers.find((c) => c.name === name)!;
    const controller = new AbortController();
    const outcome = await within(
      caller.serverStream(
        Health.method.watch,
        { service: VAULT },
        {
          signal: controller.signal,
          onMessage(_message, index) {
            if (index === 0) db.state.up = false;
            if (index === 1) db.state.up = true;
            if (index === 2) controller.abort();
          },
        },
      ),
      10_000,
      "three Watch messages",
    );
    expect(outcome.messages.map((m) => ServingStatus[m.status])).toEqual(["SERVING", "NOT_SERVING", "SERVING"]);
    expect(outcome.error?.code).toBe(Code.Canceled);
  });

  it("shutdown stops the probes and turns every name NOT_SERVING; /healthz answers 503", async () => {
    const db = switchableProbe("postgresql", [VAULT]);
    const { server } = await start([db.probe]);
    server.health.shutdown();
    const before = db.state.checks;
    await new Promise((resolve) => setTimeout(resolve, 200));
    // Shutdown's NOT_SERVING is not overwritten by a probe that still passes.
    expect(server.health.get(VAULT)).toBe(ServingStatus.NOT_SERVING);
    expect(await getJson(server, "/healthz")).toEqual({ status: 503, body: { status: "NOT_SERVING" } });
    for (const r of running.splice(0)) {
      for (const caller of r.callers) caller.close();
      await r.server.shutdown(500);
    }
    const after = db.state.checks;
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(db.state.checks).toBe(after);
    expect(after).toBeGreaterThanOrEqual(before);
  });
});

describe("without probes", () => {
  it("/healthz and /readyz answer 200 while the process serves", async () => {
    const { server } = await start([]);
    expect(await getJson(server, "/healthz")).toEqual({ status: 200, body: { status: "SERVING" } });
    expect(await getJson(server, "/readyz")).toEqual({
      status: 200,
      body: { status: "SERVING", services: { "": "SERVING", [VAULT]: "SERVING" }, dependencies: {} },
    });
  });
});

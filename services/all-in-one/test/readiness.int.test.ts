import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { HealthCheckResponse_ServingStatus as ServingStatus } from "@planton/proto/grpc/health/v1/health_pb";
import { createTestDatabase, startTcpProxy, type TcpProxy, type TestDatabase, cleanUpAllInOne, startAllInOne, type AllInOne } from "@planton/testing";
import { healthCheck, healthWatch } from "./support/health-client.js";

// Readiness during a PostgreSQL outage, against the real PostgreSQL: the
// all-in-one process reaches its database through a TCP proxy the test cuts
// and restores (the machine's PostgreSQL is shared and never stopped). Probe
// timing is the default (READINESS_INTERVAL_MS 2000, READINESS_TIMEOUT_MS 1000).

const SERVICES = [
  "planton.connect.v1.VaultService",
  "planton.connect.v1.ConnectionService",
  "planton.connect.v1.RunnerService",
  "planton.connect.v1.AwsTrustService",
  "planton.connect.v1.EnvironmentAuthorizationService",
];
// A correctness bound, not a speed target: one interval plus one timeout plus slack on a busy machine.
const FLIP_LIMIT_MS = 10_000;

let database: TestDatabase;
let proxy: TcpProxy;
let started: AllInOne;

beforeAll(async () => {
  database = await createTestDatabase(inject("databaseUrl"), "readiness");
  const target = new URL(database.url);
  proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
  const viaProxy = new URL(database.url);
  viaProxy.hostname = "127.0.0.1";
  viaProxy.port = String(proxy.port);
  started = await startAllInOne({ DATABASE_URL: viaProxy.toString() });
}, 60_000);

afterAll(async () => {
  if (started?.child.exitCode === null) await started.stop();
  await cleanUpAllInOne();
  await proxy?.close();
  await database?.drop();
});

type Statuses = Record<string, string>;

/** Check of "" and every service, on both ports. */
async function statuses(): Promise<Statuses> {
  const out: Statuses = {};
  for (const [port, address] of [
    ["grpc", started.grpcAddress],
    ["http", started.httpAddress],
  ] as const) {
    for (const service of ["", ...SERVICES]) out[`${port} ${service || '""'}`] = ServingStatus[await healthCheck(address, service)];
  }
  return out;
}

function expected(ready: boolean): Statuses {
  const out: Statuses = {};
  for (const port of ["grpc", "http"]) {
    out[`${port} ""`] = "SERVING";
    for (const service of SERVICES) out[`${port} ${service}`] = ready ? "SERVING" : "NOT_SERVING";
  }
  return out;
}

/** Polls Check until every status is as expected; returns when that was first seen. */
async function until(ready: boolean): Promise<number> {
  const limit = Date.now() + FLIP_LIMIT_MS;
  let last = await statuses();
  while (JSON.stringify(last) !== JSON.stringify(expected(ready)) && Date.now() < limit) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    last = await statuses();
  }
  expect(last).toEqual(expected(ready));
  return Date.now();
}

async function readyz(): Promise<{ status: number; body: { status: string; dependencies: Record<string, boolean> } }> {
  const response = await fetch(`http://${started.httpAddress}/readyz`);
  return { status: response.status, body: (await response.json()) as { status: string; dependencies: Record<string, boolean> } };
}

describe("npm start with PostgreSQL behind a proxy that is cut and restored", () => {
  it("every service turns NOT_SERVING within seconds of the outage and SERVING again after it, in Check, Watch and /readyz; liveness stays SERVING", async () => {
    expect(await statuses()).toEqual(expected(true));
    expect((await readyz()).status).toBe(200);

    const watched: { status: string; at: number }[] = [];
    const stopWatch = healthWatch(started.grpcAddress, "planton.connect.v1.ConnectionService", (status, at) =>
      watched.push({ status: ServingStatus[status], at }),
    );

    const cutAt = Date.now();
    proxy.cut();
    const downAt = await until(false);
    expect(await readyz()).toEqual({ status: 503, body: expect.objectContaining({ status: "NOT_SERVING", dependencies: { postgresql: false, kms: true } }) });
    const live = await fetch(`http://${started.httpAddress}/healthz`);
    expect(live.status).toBe(200);

    const restoredAt = Date.now();
    proxy.restore();
    const upAt = await until(true);
    expect((await readyz()).status).toBe(200);

    // The Watch stream saw the outage come and go.
    await new Promise((resolve) => setTimeout(resolve, 100));
    stopWatch();
    expect(watched.map((w) => w.status)).toEqual(["SERVING", "NOT_SERVING", "SERVING"]);
    const watchDown = watched[1]!.at - cutAt;
    const watchUp = watched[2]!.at - restoredAt;
    // Measured, for the record (the assertion above is only the bound).
    console.log(
      `readiness flip (interval 2000 ms, timeout 1000 ms): down after ${downAt - cutAt} ms by Check, ${watchDown} ms by Watch; ` +
        `up after ${upAt - restoredAt} ms by Check, ${watchUp} ms by Watch`,
    );

    // The outage was logged once, naming the dependency.
    const log = await started.settledOutput();
    expect(log).toMatch(/"dependency":"postgresql"[^\n]*"msg":"dependency unreachable: not ready"/);
    expect(log).toMatch(/"dependency":"postgresql"[^\n]*"msg":"dependency reachable again: ready"/);
    expect(await started.stop()).toBe(0);
  }, 60_000);
});

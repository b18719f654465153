import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createPostgresProbe, type PostgresProbe } from "@planton/db";
import { createNatsProbe, type NatsProbe } from "@planton/events";
import { createTestDatabase, startTcpProxy, type TcpProxy, type TestDatabase } from "@planton/testing";
import { startStallProxy, type StallProxy } from "./support/stall-proxy.js";

// The PostgreSQL and NATS probes against the real servers, through proxies
// the tests cut (connections reset) or stall (nothing answers, nothing
// closes): a check must end within its signal either way, and the probe must
// find the server again once it is back, without a restart.

const CHECK_MS = 500;

/** One check with a CHECK_MS budget: true, false, or "error"; and how long it took. */
async function check(probe: { check(signal: AbortSignal): Promise<boolean> }): Promise<{ result: boolean | "error"; ms: number }> {
  const started = Date.now();
  const result = await probe.check(AbortSignal.timeout(CHECK_MS)).catch(() => "error" as const);
  return { result, ms: Date.now() - started };
}

/** Checks every 100 ms until one gives `wanted` (at most 10 s); returns that check. */
async function untilResult(probe: { check(signal: AbortSignal): Promise<boolean> }, wanted: boolean | "error") {
  const limit = Date.now() + 10_000;
  let last = await check(probe);
  while (last.result !== wanted && Date.now() < limit) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    last = await check(probe);
  }
  expect(last.result).toBe(wanted);
  return last;
}

function hostPort(url: string, defaultPort: number) {
  const parsed = new URL(url);
  return { host: parsed.hostname, port: Number(parsed.port || defaultPort) };
}

describe("createPostgresProbe", () => {
  let database: TestDatabase;
  let cut: TcpProxy;
  let stall: StallProxy;
  const probes: PostgresProbe[] = [];
  const via = (port: number) => {
    const url = new URL(database.url);
    url.hostname = "127.0.0.1";
    url.port = String(port);
    return url.toString();
  };

  beforeAll(async () => {
    database = await createTestDatabase(inject("databaseUrl"), "probe");
    cut = await startTcpProxy(hostPort(database.url, 5432));
    stall = await startStallProxy(hostPort(database.url, 5432));
  });
  afterAll(async () => {
    for (const probe of probes) await probe.close();
    await cut?.close();
    await stall?.close();
    await database?.drop();
  });

  it("answers true while PostgreSQL answers, fails while the connection is cut, and recovers after", async () => {
    const probe = createPostgresProbe({ url: via(cut.port), services: ["x.Service"] });
    probes.push(probe);
    expect(probe).toMatchObject({ name: "postgresql", services: ["x.Service"] });
    expect((await check(probe)).result).toBe(true);
    cut.cut();
    const down = await untilResult(probe, "error");
    expect(down.ms).toBeLessThan(CHECK_MS + 1_000);
    cut.restore();
    await untilResult(probe, true);
  });

  it("ends a check on a server that stops answering at the signal, then finds the server again", async () => {
    const probe = createPostgresProbe({ url: via(stall.port), services: ["x.Service"] });
    probes.push(probe);
    expect((await check(probe)).result).toBe(true);
    stall.stall();
    // A query on the kept connection hangs: the signal cuts it.
    const hung = await check(probe);
    expect(hung.result).toBe("error");
    expect(hung.ms).toBeLessThan(CHECK_MS + 1_000);
    // A new connection is accepted but never answered: the signal ends that check too.
    const connecting = await check(probe);
    expect(connecting.result).toBe("error");
    expect(connecting.ms).toBeLessThan(CHECK_MS + 1_000);
    stall.resume();
    await untilResult(probe, true);
  });
});

describe("createNatsProbe", () => {
  let proxy: TcpProxy;
  let probe: NatsProbe | undefined;

  beforeAll(async () => {
    proxy = await startTcpProxy(hostPort(inject("natsUrl").split(",")[0]!, 4222));
  });
  afterAll(async () => {
    await probe?.close();
    await proxy?.close();
  });

  it("answers true once connected, false while NATS is cut off, and true again after it reconnects", async () => {
    probe = createNatsProbe({ url: `nats://127.0.0.1:${proxy.port}`, services: ["planton.connect.v1.Verifier"] });
    expect(probe).toMatchObject({ name: "nats", services: ["planton.connect.v1.Verifier"] });
    await untilResult(probe, true);
    proxy.cut();
    const down = await untilResult(probe, false);
    expect(down.ms).toBeLessThan(CHECK_MS + 1_000);
    proxy.restore();
    await untilResult(probe, true);
  });

  it("does not fail when NATS is unreachable from the start: it reports false", async () => {
    const closed = await startTcpProxy(hostPort(inject("natsUrl").split(",")[0]!, 4222));
    closed.cut();
    const early = createNatsProbe({ url: `nats://127.0.0.1:${closed.port}`, services: ["x"] });
    try {
      expect((await check(early)).result).toBe(false);
    } finally {
      await early.close();
      await closed.close();
    }
  });
});

import * as net from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { Code } from "@connectrpc/connect";
import { Health, HealthCheckResponse_ServingStatus as ServingStatus } from "@planton/proto/grpc/health/v1/health_pb";
import { VaultService } from "@planton/proto/planton/connect/v1/vault_pb";
import { createTokenVerifier } from "@planton/auth";
import { registerService, startServer } from "@planton/server";
import { captureLogs } from "@planton/testing";
import { createFakeVault, mapError, within } from "./support/fake-vault.js";
import { startTestServer, tryConnect, uniqueId, type TestServer } from "./support/test-server.js";
import { CALLERS, type Caller } from "./support/transports.js";

// server.shutdown(graceMs): health turns NOT_SERVING, both listeners stop
// accepting, in-flight calls get the grace period, then whatever is left is
// cancelled. Every test starts its own server, since each ends it.

const seal = VaultService.method.sealCredential;

let t: TestServer | undefined;
let callers: Caller[] = [];
let shutdownStarted = false;

async function start(): Promise<TestServer> {
  t = await startTestServer();
  callers = CALLERS.map((factory) => factory.create(t!.server));
  shutdownStarted = false;
  return t;
}

afterEach(async () => {
  for (const caller of callers) caller.close();
  callers = [];
  if (t && !shutdownStarted) await t.server.shutdown(100);
  t = undefined;
});

function shutdown(server: TestServer, graceMs: number): Promise<void> {
  shutdownStarted = true;
  return server.server.shutdown(graceMs);
}

describe("graceful shutdown with a 5 s grace period", () => {
  it("lets calls in flight on every transport finish OK, and resolves only after their handlers finished", async () => {
    const s = await start();
    const auth = await s.auth();
    const events: string[] = [];
    const ids = callers.map(() => uniqueId("slow"));
    const calls = callers.map(async (caller, i) => {
      const outcome = await caller.unary(seal, { orgId: "slow", connectionId: ids[i]! }, { headers: auth });
      return { name: caller.name, code: outcome.error ? Code[outcome.error.code] : "OK", keyId: outcome.message?.keyId };
    });
    // Every handler is running before the shutdown starts.
    const probes = await Promise.all(ids.map((id) => s.vault.started(id)));
    for (const probe of probes) void probe.finished.then(() => events.push("handler finished"));
    const closing = shutdown(s, 5_000).then(() => events.push("shutdown resolved"));
    const results = await within(Promise.all(calls), 10_000, "the in-flight calls");
    await within(closing, 10_000, "shutdown to resolve");

    expect(results).toEqual(callers.map((c) => ({ name: c.name, code: "OK", keyId: "slow-done" })));
    // The grace period was used: no handler was cut short.
    expect(probes.map((p) => p.abortedAtEnd)).toEqual(probes.map(() => false));
    expect(events).toEqual([...probes.map(() => "handler finished"), "shutdown resolved"]);
  });

  it("turns health NOT_SERVING at once, and open Watch streams on both listeners see NOT_SERVING before they end", async () => {
    const s = await start();
    const watchers = callers.filter((c) => c.name.startsWith("grpc-js"));
    expect(watchers.map((c) => c.listener).sort()).toEqual(["connect-node", "grpc-js"]);
    const firstSeen = watchers.map(() => {
      let resolve!: () => void;
      return { promise: new Promise<void>((r) => (resolve = r)), resolve };
    });
    const watches = watchers.map((caller, i) =>
      caller.serverStream(Health.method.watch, { service: "" }, { onMessage: (_m, index) => index === 0 && firstSeen[i]!.resolve() }),
    );
    await within(Promise.all(firstSeen.map((f) => f.promise)), 10_000, "the first Watch messages");

    const closing = shutdown(s, 5_000);
    // Synchronously, before any listener has closed.
    expect(s.server.health.get("")).toBe(ServingStatus.NOT_SERVING);
    expect(s.server.health.get(VaultService.typeName)).toBe(ServingStatus.NOT_SERVING);

    const outcomes = await within(Promise.all(watches), 10_000, "the Watch streams to end");
    await within(closing, 10_000, "shutdown to resolve");
    expect(outcomes.map((o, i) => ({ caller: watchers[i]!.name, statuses: o.messages.map((m) => ServingStatus[m.status]) }))).toEqual(
      watchers.map((c) => ({ caller: c.name, statuses: ["SERVING", "NOT_SERVING"] })),
    );
  });

  it("refuses new connections on both ports once shutdown starts, and new calls fail UNAVAILABLE afterwards", async () => {
    const s = await start();
    const auth = await s.auth();
    const ports = { "connect-node": s.server.port, "grpc-js": s.server.grpcPort };
    // Both ports accept before the shutdown.
    expect(await tryConnect(ports["connect-node"])).toBe("connected");
    expect(await tryConnect(ports["grpc-js"])).toBe("connected");

    const connectionId = uniqueId("slow-inflight");
    const inFlight = callers[0]!.unary(seal, { orgId: "slow", connectionId }, { headers: auth });
    await s.vault.started(connectionId);
    const closing = shutdown(s, 5_000);
    // While the call is still in its grace period, no new connection gets in.
    expect({
      "connect-node": await tryConnect(ports["connect-node"]),
      "grpc-js": await tryConnect(ports["grpc-js"]),
    }).toEqual({ "connect-node": "ECONNREFUSED", "grpc-js": "ECONNREFUSED" });
    expect((await inFlight).error).toBeUndefined();
    await within(closing, 10_000, "shutdown to resolve");

    expect({
      "connect-node": await tryConnect(ports["connect-node"]),
      "grpc-js": await tryConnect(ports["grpc-js"]),
    }).toEqual({ "connect-node": "ECONNREFUSED", "grpc-js": "ECONNREFUSED" });
    const after = await Promise.all(
      callers.map(async (caller) => {
        const outcome = await caller.unary(seal, { orgId: "echo", connectionId: uniqueId("after") }, { headers: auth, timeoutMs: 5_000 });
        return { name: caller.name, code: outcome.error ? Code[outcome.error.code] : "OK" };
      }),
    );
    expect(after).toEqual(callers.map((c) => ({ name: c.name, code: "Unavailable" })));
  });
});

describe("shutdown with a 100 ms grace period", () => {
  it("cancels handlers that never finish, on both listeners, and resolves", async () => {
    const s = await start();
    const auth = await s.auth();
    const ids = callers.map(() => uniqueId("never"));
    const calls = callers.map((caller, i) => caller.unary(seal, { orgId: "sleep", connectionId: ids[i]! }, { headers: auth }));
    const probes = await Promise.all(ids.map((id) => s.vault.started(id)));
    expect(new Set(callers.map((c) => c.listener))).toEqual(new Set(["connect-node", "grpc-js"]));

    await within(shutdown(s, 100), 10_000, "shutdown to resolve after its grace period");

    // Every handler's signal was aborted and every handler returned.
    await within(Promise.all(probes.map((p) => p.aborted)), 10_000, "every handler's signal to abort");
    await within(Promise.all(probes.map((p) => p.finished)), 10_000, "every handler to return");
    expect(probes.map((p) => p.abortedAtEnd)).toEqual(probes.map(() => true));
    // And no caller was left hanging: every call ended with an error.
    const outcomes = await within(Promise.all(calls), 10_000, "the cancelled calls to settle");
    expect(outcomes.map((o, i) => ({ name: callers[i]!.name, failed: o.error !== undefined }))).toEqual(callers.map((c) => ({ name: c.name, failed: true })));
  });
});

describe("startServer failure", () => {
  it("rejects when the gRPC port is taken, and releases the connect-node port it had bound", async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
    const takenPort = (blocker.address() as net.AddressInfo).port;
    // A port that was free a moment ago, for the connect-node listener.
    const probe = net.createServer();
    await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
    const connectPort = (probe.address() as net.AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    try {
      await expect(
        startServer({
          host: "127.0.0.1",
          port: connectPort,
          grpcPort: takenPort,
          services: [registerService(VaultService, createFakeVault().impl, { default: { scopes: ["internal"] } })],
          verifier: createTokenVerifier({ kind: "hs256", secret: "x".repeat(32) }),
          mapError,
          logger: captureLogs().logger,
        }),
      ).rejects.toThrow();
      expect(await tryConnect(connectPort)).toBe("ECONNREFUSED");
    } finally {
      await new Promise<void>((resolve) => blocker.close(() => resolve()));
    }
  });
});

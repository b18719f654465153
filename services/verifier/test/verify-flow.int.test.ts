import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { create, fromBinary } from "@bufbuild/protobuf";
import { FieldMaskSchema } from "@bufbuild/protobuf/wkt";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInProcessBus, type EventEnvelope } from "@planton/events";
import { ConnectionSpecSchema, type ConnectionSpec } from "@planton/proto/planton/connect/v1/connection_spec_pb";
import { EventSchema } from "@planton/proto/planton/connect/v1/events_pb";
import { ConnectionStatus, Provider } from "@planton/proto/planton/connect/v1/provider_pb";
import { buildRegistry, createLocalVaultClient, loadRegistryConfig, type RegistryComponents } from "@planton/registry";
import { captureLogs, createTestDatabase, type TestDatabase } from "@planton/testing";
import { buildVault, loadVaultConfig, type VaultComponents } from "@planton/vault";
import type { CheckResult, ProviderCheck } from "../src/checks/provider-check.js";
import { loadVerifierConfig } from "../src/config.js";
import { subscribeInProcess } from "../src/in-process-subscription.js";
import { inProcessPorts } from "../src/in-process-ports.js";
import { buildVerifier } from "../src/verifier-components.js";

// The verifier on the in-process bus beside the registry and the vault, with
// a scripted Civo check: the flow from event to recorded status.

const logs = captureLogs();
const bus = createInProcessBus(logs.logger);
const events: EventEnvelope[] = [];
bus.subscribe("connect.>", async (event) => {
  events.push(event);
});
let database: TestDatabase;
let vault: VaultComponents;
let registry: RegistryComponents;
let stop: () => void;
const seen: { token: string; connectionId: string }[] = [];
let script: (token: string) => CheckResult = () => ({ kind: "verified", identity: "civo account" });

const civoCheck: ProviderCheck = async (spec: ConnectionSpec, options) => {
  const token = spec.provider.case === "civo" ? spec.provider.value.apiToken : "";
  seen.push({ token, connectionId: options.connectionId });
  return script(token);
};

beforeAll(async () => {
  database = await createTestDatabase(inject("databaseUrl"), "verifier_flow");
  const dataDir = await mkdtemp(join(tmpdir(), "verifier-flow-"));
  vault = await buildVault({ config: loadVaultConfig({ DATA_DIR: dataDir }), databaseUrl: database.url, logger: logs.logger });
  registry = await buildRegistry({
    config: loadRegistryConfig({ DATA_DIR: dataDir, OUTBOX_POLL_MS: "20" }, { requireVaultUrl: false }),
    databaseUrl: database.url,
    logger: logs.logger,
    vault: createLocalVaultClient(vault.vault),
    publisher: bus,
  });
  const verifier = buildVerifier({
    config: loadVerifierConfig({ DATA_DIR: dataDir, VERIFY_MAX_ATTEMPTS: "3" }, { requireUrls: false }),
    logger: logs.logger,
    ...inProcessPorts(registry, vault.vault),
    checks: { [Provider.CIVO]: civoCheck },
  });
  stop = subscribeInProcess(bus, verifier, logs.logger);
});

afterAll(async () => {
  stop?.();
  await registry?.close();
  await vault?.close();
  await bus.close();
  await database?.drop();
});

const caller = { orgId: "org-verify", subject: "user@org-verify" };
const civo = (apiToken: string) => create(ConnectionSpecSchema, { provider: { case: "civo", value: { apiToken, defaultRegion: "LON1" } } });

async function statusOf(id: string): Promise<{ status: ConnectionStatus; version: number; reason: string; identity: string }> {
  const c = await registry.connections.get(caller, id);
  return {
    status: c.status,
    version: c.lastVerification?.credentialVersion ?? 0,
    reason: c.lastVerification?.reason ?? "",
    identity: c.lastVerification?.identity ?? "",
  };
}

async function eventually<T>(read: () => Promise<T>, until: (value: T) => boolean): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const value = await read();
    if (until(value)) return value;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return read();
}

describe("event to verification status", () => {
  it("verifies a created connection with the sealed secret, then the rotated version, and publishes connection.verified", async () => {
    script = () => ({ kind: "verified", identity: "civo account" });
    const { connection } = await registry.connections.create(caller, "verify-civo", civo("civo-token-verify-one-0000001"));
    const first = await eventually(
      () => statusOf(connection.id),
      (s) => s.status === ConnectionStatus.VERIFIED,
    );
    expect(first).toEqual({ status: ConnectionStatus.VERIFIED, version: 1, reason: "", identity: "civo account" });
    expect(seen.filter((s) => s.connectionId === connection.id).map((s) => s.token)).toEqual(["civo-token-verify-one-0000001"]);

    script = () => ({ kind: "failed", reason: "INVALID_CREDENTIALS", message: "Civo refused the API key: create a new one in the Civo dashboard" });
    const fresh = await registry.connections.get(caller, connection.id);
    await registry.connections.update(caller, {
      reference: connection.id,
      etag: fresh.etag,
      name: "",
      spec: civo("civo-token-verify-two-0000002"),
      paths: create(FieldMaskSchema, { paths: ["spec.civo.api_token"] }).paths,
    });
    const second = await eventually(
      () => statusOf(connection.id),
      (s) => s.version === 2,
    );
    expect(second.status).toBe(ConnectionStatus.VERIFICATION_FAILED);
    expect(second.reason).toBe("INVALID_CREDENTIALS");
    await registry.relay.drain(5000);
    await bus.idle();
    const verified = events
      .filter((e) => e.subject === "connect.connection.verified")
      .map((e) => fromVerified(e.data))
      .filter((v) => v.connectionId === connection.id);
    expect(verified.map((v) => [v.credentialVersion, v.ok])).toEqual([
      [1, true],
      [2, false],
    ]);
  });

  it("retries a transient provider failure and records the outcome; gives up after the attempt limit with PROVIDER_UNAVAILABLE", async () => {
    let calls = 0;
    script = () =>
      ++calls < 2 ? { kind: "transient", reason: "RATE_LIMITED", message: "429", retryAfterMs: 10 } : { kind: "verified", identity: "civo account" };
    const { connection } = await registry.connections.create(caller, "verify-transient-civo", civo("civo-token-transient-00000001"));
    expect(
      (
        await eventually(
          () => statusOf(connection.id),
          (s) => s.status === ConnectionStatus.VERIFIED,
        )
      ).status,
    ).toBe(ConnectionStatus.VERIFIED);
    expect(calls).toBe(2);

    script = () => ({ kind: "transient", reason: "SERVER_ERROR", message: "HTTP 503", retryAfterMs: 10 });
    const { connection: down } = await registry.connections.create(caller, "verify-down-civo", civo("civo-token-down-000000000001"));
    const outcome = await eventually(
      () => statusOf(down.id),
      (s) => s.status === ConnectionStatus.VERIFICATION_FAILED,
    );
    expect([outcome.status, outcome.reason]).toEqual([ConnectionStatus.VERIFICATION_FAILED, "PROVIDER_UNAVAILABLE"]);
    expect(seen.filter((s) => s.connectionId === down.id)).toHaveLength(3);
  });

  it("never lets a result for an older version overwrite a newer one", async () => {
    script = () => ({ kind: "verified", identity: "civo account" });
    const { connection } = await registry.connections.create(caller, "verify-order-civo", civo("civo-token-order-00000000001"));
    await eventually(
      () => statusOf(connection.id),
      (s) => s.status === ConnectionStatus.VERIFIED,
    );
    const fresh = await registry.connections.get(caller, connection.id);
    await registry.connections.update(caller, {
      reference: connection.id,
      etag: fresh.etag,
      name: "",
      spec: civo("civo-token-order-00000000002"),
      paths: ["spec.civo.api_token"],
    });
    await eventually(
      () => statusOf(connection.id),
      (s) => s.version === 2,
    );
    // A late result for version 1 arrives now.
    const late = await registry.connections.recordVerification({ orgId: "platform", subject: "svc-verifier" }, caller.orgId, connection.id, {
      credentialVersion: 1,
      ok: false,
      reason: "INVALID_CREDENTIALS",
    } as never);
    expect(late.applied).toBe(false);
    expect((await statusOf(connection.id)).version).toBe(2);
  });
});

function fromVerified(data: Uint8Array) {
  const event = fromBinary(EventSchema, data);
  return event.payload.case === "verified" ? event.payload.value : { connectionId: "", credentialVersion: 0, ok: false };
}

describe("periodic re-verification", () => {
  it("re-verifies a connection when it is due, without a rotation, and spreads the next due time", async () => {
    script = () => ({ kind: "verified", identity: "civo account" });
    const { connection } = await registry.connections.create(caller, "verify-periodic-civo", civo("civo-token-periodic-000000001"));
    await eventually(
      () => statusOf(connection.id),
      (s) => s.status === ConnectionStatus.VERIFIED,
    );
    const first = await registry.db
      .selectFrom("connections")
      .select(["next_verification_at", "last_verification"])
      .where("id", "=", connection.id)
      .executeTakeFirstOrThrow();
    // Due in about 24 h (spread over +-10%), not now.
    const dueInMs = first.next_verification_at!.getTime() - Date.now();
    expect(dueInMs).toBeGreaterThan(0.85 * 86_400_000);
    expect(dueInMs).toBeLessThan(1.15 * 86_400_000);

    await registry.db
      .updateTable("connections")
      .set({ next_verification_at: new Date(Date.now() - 1000) })
      .where("id", "=", connection.id)
      .execute();
    expect(await registry.reverification.runOnce()).toBe(1);
    expect(await registry.reverification.runOnce(), "not queued twice before its result").toBe(0);
    await eventually(
      async () => seen.filter((s) => s.connectionId === connection.id).length,
      (n) => n >= 2,
    );
    expect(seen.filter((s) => s.connectionId === connection.id).map((s) => s.token)).toEqual([
      "civo-token-periodic-000000001",
      "civo-token-periodic-000000001",
    ]);
    const after = await eventually(
      () =>
        registry.db.selectFrom("connections").select(["next_verification_at", "last_verification"]).where("id", "=", connection.id).executeTakeFirstOrThrow(),
      (r) => JSON.stringify(r.last_verification) !== JSON.stringify(first.last_verification),
    );
    expect(after.next_verification_at!.getTime()).toBeGreaterThan(Date.now() + 0.85 * 86_400_000);
  });
});

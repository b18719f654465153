import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { create, fromBinary } from "@bufbuild/protobuf";
import { FieldMaskSchema } from "@bufbuild/protobuf/wkt";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect } from "nats";
import { connectJetStream, type JetStreamPublisher } from "@planton/events";
import { ConnectionSpecSchema } from "@planton/proto/planton/connect/v1/connection_spec_pb";
import { EventSchema } from "@planton/proto/planton/connect/v1/events_pb";
import { buildRegistry, createLocalVaultClient, loadRegistryConfig, type RegistryComponents } from "@planton/registry";
import { captureLogs, createTestDatabase, type TestDatabase } from "@planton/testing";
import { buildVault, loadVaultConfig, type VaultComponents } from "@planton/vault";
import { buildAuthz, type AuthzComponents } from "../src/authz-components.js";
import { loadAuthzConfig } from "../src/config.js";
import { startConnectionEventConsumer, type EventConsumer } from "../src/event-consumer.js";

// authz deployed alone: registry events reach it through JetStream (the
// machine's NATS) and its durable consumer, not the in-process bus.

const logs = captureLogs();
const durable = `authz_test_${Math.random().toString(36).slice(2, 10)}`;
let database: TestDatabase;
let vault: VaultComponents;
let registry: RegistryComponents;
let authz: AuthzComponents;
let publisher: JetStreamPublisher;
let consumer: EventConsumer;
// Events of this org have their first delivery applied and then reported
// as failed, as a replica that crashes after its commit but before its ack
// would: JetStream redelivers them.
const FAIL_ONCE_ORG = "org-js-audit";
const deliveries = new Map<string, number>();

beforeAll(async () => {
  database = await createTestDatabase(inject("databaseUrl"), "authz_js");
  const dataDir = await mkdtemp(join(tmpdir(), "authz-js-"));
  publisher = await connectJetStream({ url: inject("natsUrl"), logger: logs.logger });
  await publisher.ready();
  vault = await buildVault({ config: loadVaultConfig({ DATA_DIR: dataDir }), databaseUrl: database.url, logger: logs.logger });
  registry = await buildRegistry({
    config: loadRegistryConfig({ DATA_DIR: dataDir, OUTBOX_POLL_MS: "20" }, { requireVaultUrl: false }),
    databaseUrl: database.url,
    logger: logs.logger,
    vault: createLocalVaultClient(vault.vault),
    publisher,
  });
  authz = await buildAuthz({
    config: loadAuthzConfig({ DATA_DIR: dataDir, RETENTION_INTERVAL_MS: "3600000" }, { requireUrls: false }),
    databaseUrl: database.url,
    logger: logs.logger,
    registry: { lookup: (orgId, reference) => registry.connections.lookup(orgId, reference) },
    vault: {
      open: (orgId, connectionId, version) => vault.vault.open({ orgId, connectionId, version }),
      destroy: async (orgId, connectionId, version) => {
        await vault.vault.destroy(orgId, connectionId, version);
      },
    },
  });
  consumer = await startConnectionEventConsumer({
    url: inject("natsUrl"),
    logger: logs.logger,
    handle: async (data) => {
      await authz.onConnectionEvent(data);
      const { id, orgId } = fromBinary(EventSchema, data);
      const count = (deliveries.get(id) ?? 0) + 1;
      deliveries.set(id, count);
      if (orgId === FAIL_ONCE_ORG && count === 1) throw new Error("lost the ack after the commit");
    },
    durable,
    startAt: "new",
  });
});

afterAll(async () => {
  await consumer?.stop();
  const nc = await connect({ servers: inject("natsUrl") });
  await (await nc.jetstreamManager()).consumers.delete("CONNECT", durable).catch(() => false);
  await nc.close();
  await authz?.close();
  await registry?.close();
  await vault?.close();
  await publisher?.close();
  await database?.drop();
});

async function eventually(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe("registry events through JetStream", () => {
  it("a rotation retires the previous version and a deletion removes authorizations, defaults and pins", async () => {
    const caller = { orgId: "org-js", subject: "user@org-js" };
    const { connection } = await registry.connections.create(
      caller,
      "js-civo",
      create(ConnectionSpecSchema, { provider: { case: "civo", value: { apiToken: "civo-token-jetstream-000000001", defaultRegion: "LON1" } } }),
    );
    await authz.authorizations.authorize(caller, connection.slug, 1, []);
    await authz.resolver.resolve(caller, { deploymentId: "js-d1", environment: "prod", provider: connection.provider, connection: connection.slug });
    const rotated = await registry.connections.update(caller, {
      reference: connection.slug,
      etag: connection.etag,
      name: "",
      spec: create(ConnectionSpecSchema, { provider: { case: "civo", value: { apiToken: "civo-token-jetstream-000000002" } } }),
      paths: create(FieldMaskSchema, { paths: ["spec.civo.api_token"] }).paths,
    });
    expect(rotated.connection.credentialVersion).toBe(2);
    await eventually(
      async () => (await authz.db.selectFrom("retired_versions").selectAll().where("connection_id", "=", connection.id).execute()).some((r) => r.version === 1),
      "version 1 to be retired",
    );

    await registry.connections.remove(caller, connection.slug, rotated.connection.etag, true);
    await eventually(async () => {
      const left = await Promise.all(
        (["authorizations", "deployment_pins", "retired_versions"] as const).map((table) =>
          authz.db.selectFrom(table).select("connection_id").where("connection_id", "=", connection.id).execute(),
        ),
      );
      return left.every((rows) => rows.length === 0);
    }, "the deleted connection's authz state to go");
  });

  it("records each change once with its request id, also when JetStream redelivers the event", async () => {
    const caller = { orgId: FAIL_ONCE_ORG, subject: `user@${FAIL_ONCE_ORG}`, requestId: "req-js-create" };
    const { connection } = await registry.connections.create(
      caller,
      "js-audit-civo",
      create(ConnectionSpecSchema, { provider: { case: "civo", value: { apiToken: "civo-token-js-audit-00000001", defaultRegion: "LON1" } } }),
    );
    await registry.connections.remove({ ...caller, requestId: "req-js-delete" }, connection.id, connection.etag, false);
    const records = () => authz.db.selectFrom("audit_events").selectAll().where("org_id", "=", caller.orgId).orderBy("kind").execute();
    await eventually(async () => (await records()).length === 2, "both changes to be recorded");
    const ids = (await records()).map((r) => r.id);
    // The consumer naks a failed message with a 5 s delay: wait for the redeliveries.
    for (let i = 0; i < 300 && !ids.every((id) => (deliveries.get(id) ?? 0) >= 2); i++) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(
      ids.map((id) => deliveries.get(id)),
      "each event was delivered again after its first delivery failed",
    ).toEqual([2, 2]);
    const rows = await records();
    expect(rows.map((r) => [r.kind, r.request_id, r.actor, r.connection_id])).toEqual([
      ["connection.created", "req-js-create", caller.subject, connection.id],
      ["connection.deleted", "req-js-delete", caller.subject, connection.id],
    ]);
  });
});

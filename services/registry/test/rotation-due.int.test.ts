/**
 * Credential age and expiry: the registry keeps each connection's seal time
 * and the provider's dates the verifier reports, shows them and the
 * rotation-due reasons on the Connection, filters ListConnections on them,
 * and its scheduled job publishes connection.rotation_due once per credential
 * version and reason, across passes and replicas. Through the RPC API and the
 * real PostgreSQL; time passing is simulated by moving the stored dates back.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { create, fromBinary, type MessageInitShape } from "@bufbuild/protobuf";
import { FieldMaskSchema, timestampDate, timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { Client } from "@connectrpc/connect";
import { createInProcessBus, type EventEnvelope } from "@planton/events";
import { CredentialLifetimeSchema, RotationDueReason, VerificationSchema } from "@planton/proto/planton/connect/v1/connection_pb";
import type { ConnectionService } from "@planton/proto/planton/connect/v1/connection_service_pb";
import type { ConnectionSpecSchema } from "@planton/proto/planton/connect/v1/connection_spec_pb";
import { EventSchema } from "@planton/proto/planton/connect/v1/events_pb";
import { Provider } from "@planton/proto/planton/connect/v1/provider_pb";
import { captureLogs } from "@planton/testing";
import { awsSecret } from "./support/fixtures.js";
import { startRegistry, type RegistryHarness } from "./support/registry-harness.js";

type SpecInit = MessageInitShape<typeof ConnectionSpecSchema>;

const DAY = 86_400_000;
const logs = captureLogs();
const bus = createInProcessBus(logs.logger);
const published: EventEnvelope[] = [];
let h: RegistryHarness;
let replica: RegistryHarness;
let user: Client<typeof ConnectionService>;
let verifier: Client<typeof ConnectionService>;
const ORG = "org-rotation";
// The job runs only when the test says (runOnce); the thresholds are the defaults (90 days, 14 days).
const env = { ROTATION_CHECK_TICK_MS: "86400000" };

beforeAll(async () => {
  bus.subscribe("connect.connection.rotation_due", async (event) => {
    published.push(event);
  });
  h = await startRegistry({ logger: logs.logger, publisher: bus, env });
  // A second registry process on the same database, as another replica.
  replica = await startRegistry({ logger: logs.logger, publisher: bus, env, databaseUrl: h.database.url });
  user = (await h.clients(ORG)).connections;
  verifier = (await h.clients("platform", ["internal"])).connections;
});
afterAll(async () => {
  await replica?.dispose();
  await h?.dispose();
  await bus.close();
});

function civoSpec(marker: string): SpecInit {
  return { provider: { case: "civo", value: { apiToken: `civo-token-${marker}-0123456789abcdef`, defaultRegion: "LON1" } } };
}

function cloudflareSpec(marker: string): SpecInit {
  return { provider: { case: "cloudflare", value: { apiToken: `cftoken${marker}0123456789abcdefghijklmnopqrstuvwxyz`.slice(0, 40) } } };
}

/** Moves the stored seal time of a connection `days` into the past. */
async function age(id: string, days: number): Promise<void> {
  await h.registry.db
    .updateTable("connections")
    .set({ credential_sealed_at: new Date(Date.now() - days * DAY) })
    .where("id", "=", id)
    .execute();
}

function rotationEvents(connectionId: string) {
  return published.map((e) => fromBinary(EventSchema, e.data)).filter((e) => e.payload.case === "rotationDue" && e.payload.value.connectionId === connectionId);
}

async function drain(): Promise<void> {
  // Whichever replica's relay publishes what a pass queued.
  expect(await h.registry.relay.drain(10_000)).toBe(true);
  await bus.idle();
}

describe("credential age and expiry", () => {
  it("shows the seal time from creation; a rotation restarts it and clears the provider's dates", async () => {
    const before = Date.now();
    const { connection } = await user.createConnection({ name: "seal-time", spec: civoSpec("seal") });
    const sealed = timestampDate(connection!.credentialSealTime!).getTime();
    expect(sealed).toBeGreaterThanOrEqual(before - 1000);
    expect(connection!.credentialExpireTime).toBeUndefined();
    expect(connection!.rotationDueReasons).toEqual([]);

    await verifier.recordVerification({
      orgId: ORG,
      connectionId: connection!.id,
      verification: create(VerificationSchema, {
        verifyTime: timestampFromDate(new Date()),
        credentialVersion: 1,
        ok: true,
        identity: "civo",
        lifetime: create(CredentialLifetimeSchema, { expireTime: timestampFromDate(new Date(Date.now() + 5 * DAY)) }),
      }),
    });
    const verified = (await user.getConnection({ connection: connection!.id })).connection!;
    expect(verified.credentialExpireTime).toBeDefined();
    expect(verified.rotationDueReasons).toEqual([RotationDueReason.EXPIRY]);

    await age(connection!.id, 30);
    const rotated = await user.updateConnection({
      connection: connection!.id,
      etag: verified.etag,
      spec: civoSpec("seal-2"),
      updateMask: create(FieldMaskSchema, { paths: ["spec.civo.api_token"] }),
    });
    expect(rotated.rotated).toBe(true);
    const after = rotated.connection!;
    expect(after.credentialVersion).toBe(2);
    expect(timestampDate(after.credentialSealTime!).getTime()).toBeGreaterThan(Date.now() - 60_000);
    expect(after.credentialExpireTime).toBeUndefined();
    expect(after.rotationDueReasons).toEqual([]);
  });

  it("records the provider's creation time and expiry only for a successful result of the current version", async () => {
    const { connection } = await user.createConnection({
      name: "aws-dates",
      spec: {
        provider: {
          case: "aws",
          value: {
            accountId: "210987654321",
            auth: { case: "inlineKeys", value: { accessKeyId: "AKIAIOSFODNN7EXAMPLF", secretAccessKey: awsSecret("dates") } },
          },
        },
      },
    });
    const created = new Date(Date.now() - 200 * DAY);
    const stale = await verifier.recordVerification({
      orgId: ORG,
      connectionId: connection!.id,
      verification: { credentialVersion: 2, ok: true, lifetime: { createTime: timestampFromDate(created) } },
    });
    expect(stale.applied).toBe(false);
    expect(stale.connection!.credentialCreateTime).toBeUndefined();
    const failed = await verifier.recordVerification({
      orgId: ORG,
      connectionId: connection!.id,
      verification: { credentialVersion: 1, ok: false, reason: "INVALID_CREDENTIALS", lifetime: { createTime: timestampFromDate(created) } },
    });
    expect(failed.connection!.credentialCreateTime).toBeUndefined();
    const ok = await verifier.recordVerification({
      orgId: ORG,
      connectionId: connection!.id,
      verification: { credentialVersion: 1, ok: true, identity: "arn:aws:iam::210987654321:user/ci", lifetime: { createTime: timestampFromDate(created) } },
    });
    // The key is as old as AWS says, though it was sealed just now.
    expect(timestampDate(ok.connection!.credentialCreateTime!).getTime()).toBe(created.getTime());
    expect(ok.connection!.rotationDueReasons).toEqual([RotationDueReason.AGE]);
    // A later result that could not read the dates keeps them.
    const again = await verifier.recordVerification({
      orgId: ORG,
      connectionId: connection!.id,
      verification: { credentialVersion: 1, ok: true, identity: "arn:aws:iam::210987654321:user/ci", lifetime: { unavailableReason: "AccessDenied" } },
    });
    expect(again.connection!.credentialCreateTime).toBeDefined();
  });

  it("publishes connection.rotation_due once per version and reason, on any replica, and again for a new version", async () => {
    const { connection } = await user.createConnection({ name: "old-token", spec: cloudflareSpec("old") });
    const id = connection!.id;
    await h.registry.rotationDue.runOnce();
    await drain();
    expect(rotationEvents(id)).toEqual([]);

    await age(id, 91);
    await verifier.recordVerification({
      orgId: ORG,
      connectionId: id,
      verification: { credentialVersion: 1, ok: true, identity: "token x", lifetime: { expireTime: timestampFromDate(new Date(Date.now() + 3 * DAY)) } },
    });
    expect(await h.registry.rotationDue.runOnce()).toBeGreaterThanOrEqual(2);
    await drain();
    // Again, on this process and on the other replica: nothing new.
    await h.registry.rotationDue.runOnce();
    await replica.registry.rotationDue.runOnce();
    await drain();
    const events = rotationEvents(id);
    expect(events.map((e) => e.kind)).toEqual(["connection.rotation_due", "connection.rotation_due"]);
    const payloads = events.map((e) => (e.payload.case === "rotationDue" ? e.payload.value : undefined));
    expect(payloads.map((p) => p?.reason).sort()).toEqual([RotationDueReason.AGE, RotationDueReason.EXPIRY]);
    for (const p of payloads) {
      expect(p).toMatchObject({ connectionId: id, slug: "old-token", provider: Provider.CLOUDFLARE, credentialVersion: 1 });
      expect(p?.sealTime).toBeDefined();
      expect(p?.expireTime).toBeDefined();
    }
    expect(events[0]!.actor).toBe("rotation-scheduler");
    const notices = await h.registry.db.selectFrom("rotation_notices").selectAll().where("connection_id", "=", id).execute();
    expect(notices).toHaveLength(2);

    // ListConnections filters on it.
    const due = await user.listConnections({ rotationDue: true, pageSize: 100 });
    expect(due.connections.map((c) => c.id)).toContain(id);
    expect(due.connections.every((c) => c.rotationDueReasons.length > 0)).toBe(true);
    const all = await user.listConnections({ pageSize: 100 });
    expect(all.connections.length).toBeGreaterThan(due.connections.length);

    // Rotated: version 2 is young and has no expiry yet, so nothing is due and nothing is sent.
    const current = (await user.getConnection({ connection: id })).connection!;
    await user.updateConnection({
      connection: id,
      etag: current.etag,
      spec: cloudflareSpec("new"),
      updateMask: create(FieldMaskSchema, { paths: ["spec.cloudflare.api_token"] }),
    });
    await h.registry.rotationDue.runOnce();
    await drain();
    expect(rotationEvents(id)).toHaveLength(2);
    expect((await user.listConnections({ rotationDue: true, pageSize: 100 })).connections.map((c) => c.id)).not.toContain(id);

    // Version 2 ages past the threshold in its turn: one event for it.
    await age(id, 100);
    await replica.registry.rotationDue.runOnce();
    await h.registry.rotationDue.runOnce();
    await drain();
    const later = rotationEvents(id);
    expect(later).toHaveLength(3);
    expect(later[2]!.payload.value).toMatchObject({ credentialVersion: 2, reason: RotationDueReason.AGE });
  });

  it("pages the rotation_due filter with tokens bound to it", async () => {
    for (const n of [1, 2, 3]) {
      const { connection } = await user.createConnection({ name: `paged-${n}`, spec: civoSpec(`paged${n}`) });
      await age(connection!.id, 120);
    }
    const first = await user.listConnections({ rotationDue: true, pageSize: 2 });
    expect(first.connections).toHaveLength(2);
    expect(first.nextPageToken).not.toBe("");
    const rest = await user.listConnections({ rotationDue: true, pageSize: 100, pageToken: first.nextPageToken });
    const seen = [...first.connections, ...rest.connections].map((c) => c.name);
    expect(seen).toEqual(expect.arrayContaining(["paged-1", "paged-2", "paged-3"]));
    expect(new Set(seen).size).toBe(seen.length);
    await expect(user.listConnections({ pageSize: 100, pageToken: first.nextPageToken })).rejects.toThrow();
  });
});

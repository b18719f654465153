import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { randomUUID } from "node:crypto";
import type { Kysely } from "kysely";
import { createDatabase, migrateToLatest } from "@planton/db";
import { silentLogger } from "@planton/logging";
import { createTestDatabase, type TestDatabase } from "@planton/testing";
import { migrations } from "../migrations/index.js";
import { creationChecks, insertConnectionWithEvent, recordStatusIfVersion } from "../src/connection-store.js";
import type { RegistryDatabase } from "../src/schema.js";

// The writes that carry their outbox event in the same statement (data-
// modifying CTEs): the event exists exactly when the change does.

let database: TestDatabase;
let db: Kysely<RegistryDatabase>;
let destroy: () => Promise<void>;

beforeAll(async () => {
  database = await createTestDatabase(inject("databaseUrl"), "store_events");
  await migrateToLatest({ url: database.url, schema: "registry", migrations, logger: silentLogger });
  const handle = createDatabase<RegistryDatabase>({ url: database.url, schema: "registry", logger: silentLogger, maxConnections: 2 });
  db = handle.db;
  destroy = () => handle.destroy();
});
afterAll(async () => {
  await destroy?.();
  await database?.drop();
});

const now = new Date("2026-12-07T12:00:00Z");
function connectionRow(org: string, id: string, name: string, accountKey: string | null, createdAt = now) {
  return {
    id,
    org_id: org,
    name,
    slug: name,
    provider: 1,
    auth_mode: 1,
    public_spec: "{}",
    details: "{}",
    runner_id: null,
    account_key: accountKey,
    credential_version: 1,
    credential_sealed_at: now,
    status: 1,
    last_verification: null,
    etag: randomUUID(),
    created_at: createdAt,
    updated_at: createdAt,
  };
}
function event(subject: string, key: string) {
  return { id: randomUUID(), subject, ordering_key: key, payload: Uint8Array.of(1, 2, 3, 0, 255), traceparent: null, tracestate: null };
}
const eventsOf = async (key: string) =>
  (await db.selectFrom("outbox").select(["id", "subject", "payload"]).where("ordering_key", "=", key).orderBy("seq").execute()).map((e) => ({
    ...e,
    payload: [...e.payload],
  }));

describe("connection writes with their event in one statement", () => {
  it("a create stores the row and its event together, and a refused create stores neither", async () => {
    const created = event("connect.connection.created", "awsconn_a");
    const row = await insertConnectionWithEvent(db, connectionRow("org-1", "awsconn_a", "alpha", "aws:111"), created);
    expect(row).toMatchObject({ id: "awsconn_a", org_id: "org-1", name: "alpha", credential_version: 1 });
    expect(await eventsOf("awsconn_a")).toEqual([{ id: created.id, subject: "connect.connection.created", payload: [1, 2, 3, 0, 255] }]);

    // The same name again: the unique violation rolls back the event too.
    const refused = event("connect.connection.created", "awsconn_b");
    await expect(insertConnectionWithEvent(db, connectionRow("org-1", "awsconn_b", "alpha", null), refused)).rejects.toMatchObject({ code: "23505" });
    expect(await eventsOf("awsconn_b")).toEqual([]);
  });

  it("a status for the current version is stored with its event; one for another version stores neither", async () => {
    await insertConnectionWithEvent(db, connectionRow("org-2", "awsconn_v", "victor", null), event("connect.connection.created", "awsconn_v"));
    const stale = event("connect.connection.verified", "awsconn_v");
    expect(await recordStatusIfVersion(db, "org-2", "awsconn_v", 2, { status: 2, updated_at: new Date() }, stale)).toBeUndefined();
    expect((await eventsOf("awsconn_v")).map((e) => e.subject)).toEqual(["connect.connection.created"]);

    const current = event("connect.connection.verified", "awsconn_v");
    const updated = await recordStatusIfVersion(db, "org-2", "awsconn_v", 1, { status: 2, updated_at: new Date() }, current);
    expect(updated).toMatchObject({ id: "awsconn_v", status: 2 });
    expect((await eventsOf("awsconn_v")).map((e) => e.id)).toEqual([expect.any(String), current.id]);
    // Another organization's id never matches.
    expect(
      await recordStatusIfVersion(db, "org-3", "awsconn_v", 1, { status: 3, updated_at: new Date() }, event("connect.connection.verified", "x")),
    ).toBeUndefined();
  });

  it("creation checks tell a taken name or slug and list the oldest five others on the account", async () => {
    for (let i = 0; i < 7; i++) {
      await insertConnectionWithEvent(
        db,
        connectionRow("org-4", `awsconn_k${i}`, `k${i}`, "aws:222", new Date(now.getTime() + i * 1000)),
        event("connect.connection.created", `awsconn_k${i}`),
      );
    }
    expect(await creationChecks(db, "org-4", "new", "new", "aws:222")).toEqual({ taken: false, sameAccount: ["k0", "k1", "k2", "k3", "k4"] });
    expect(await creationChecks(db, "org-4", "k3", "other", null)).toEqual({ taken: true, sameAccount: [] });
    expect(await creationChecks(db, "org-4", "other", "k6", "aws:333")).toEqual({ taken: true, sameAccount: [] });
    expect(await creationChecks(db, "org-5", "k3", "k3", "aws:222"), "another organization's names and accounts are not seen").toEqual({
      taken: false,
      sameAccount: [],
    });
  });
});

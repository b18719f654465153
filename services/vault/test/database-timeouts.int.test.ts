import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "kysely";
import pg from "pg";
import { Code, ConnectError, createClient, type Client } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { createTokenVerifier, signDevToken } from "@planton/auth";
import { createDatabase, isDatabaseUnavailable } from "@planton/db";
import { VaultService } from "@planton/proto/planton/connect/v1/vault_pb";
import { startServer, type RunningServer } from "@planton/server";
import { captureLogs } from "@planton/testing";
import { startVault, type VaultHarness } from "./support/vault-harness.js";

// A statement that outlives DATABASE_STATEMENT_TIMEOUT_MS is cancelled by
// PostgreSQL and answered UNAVAILABLE, and the vault recovers by itself.
// Bounds are "timeout + 2 s": they catch an unbounded wait, not slowness.

const secret = "test-secret-for-the-database-timeouts-0123456789";
const STATEMENT_TIMEOUT_MS = 300;
const SLACK_MS = 2_000;
const logs = captureLogs();
let h: VaultHarness;
let server: RunningServer;
let client: Client<typeof VaultService>;
let headers: { authorization: string };

beforeAll(async () => {
  h = await startVault({ logger: logs.logger, env: { DATABASE_STATEMENT_TIMEOUT_MS: String(STATEMENT_TIMEOUT_MS) } });
  server = await startServer({
    host: "127.0.0.1",
    port: 0,
    grpcPort: 0,
    services: [h.registration],
    verifier: createTokenVerifier({ kind: "hs256", secret }),
    mapError: h.mapError,
    logger: logs.logger,
  });
  client = createClient(VaultService, createGrpcTransport({ baseUrl: `http://${server.grpcAddress}` }));
  headers = { authorization: `Bearer ${await signDevToken(secret, { subject: "svc-registry", orgId: "platform", scopes: ["internal"] })}` };
});

afterAll(async () => {
  await server?.shutdown(1_000);
  await h?.dispose();
});

const payload = (text: string) => new TextEncoder().encode(text);

describe("PostgreSQL statement timeout", () => {
  it("applies the configured limits to every vault connection", async () => {
    const { rows } = await sql<{ statement_timeout: string }>`show statement_timeout`.execute(h.db);
    expect(rows[0]?.statement_timeout).toBe(`${STATEMENT_TIMEOUT_MS}ms`);
    const idle = await sql<{ idle_in_transaction_session_timeout: string }>`show idle_in_transaction_session_timeout`.execute(h.db);
    expect(idle.rows[0]?.idle_in_transaction_session_timeout).toBe("30s");
  });

  it("answers UNAVAILABLE when a seal waits on a lock past the timeout, writes nothing, then recovers", async () => {
    await client.sealCredential({ orgId: "org-lock", connectionId: "awsconn_lock", payload: payload("v1") }, { headers });
    // Another session holds the connection's version counter row.
    const holder = new pg.Client({ connectionString: h.database.url });
    await holder.connect();
    try {
      await holder.query("begin");
      await holder.query("select * from vault.credentials where org_id = 'org-lock' for update");
      const start = performance.now();
      const error = await client
        .sealCredential({ orgId: "org-lock", connectionId: "awsconn_lock", payload: payload("v2") }, { headers })
        .catch((e: unknown) => ConnectError.from(e));
      const ms = performance.now() - start;
      expect(error).toBeInstanceOf(ConnectError);
      expect((error as ConnectError).code).toBe(Code.Unavailable);
      expect((error as ConnectError).rawMessage).toContain("database unavailable");
      expect(ms).toBeLessThan(STATEMENT_TIMEOUT_MS + SLACK_MS);
    } finally {
      await holder.query("rollback").catch(() => undefined);
      await holder.end();
    }
    const next = await client.sealCredential({ orgId: "org-lock", connectionId: "awsconn_lock", payload: payload("v2") }, { headers });
    expect(next.version).toBe(2);
    const versions = await h.db.selectFrom("credential_versions").select("version").where("org_id", "=", "org-lock").orderBy("version").execute();
    expect(versions.map((v) => v.version)).toEqual([1, 2]);
    const log = logs.records().find((r) => r.procedure === "/planton.connect.v1.VaultService/SealCredential" && r.code === "Unavailable");
    expect(log).toBeDefined();
  });

  it("classifies a cancelled slow statement as a database outage (isDatabaseUnavailable)", async () => {
    const database = createDatabase<unknown>({
      url: h.database.url,
      schema: "public",
      logger: logs.logger,
      timeouts: { connectTimeoutMs: 5_000, statementTimeoutMs: 200, idleInTransactionTimeoutMs: 30_000 },
    });
    try {
      const start = performance.now();
      const error = await sql`select pg_sleep(10)`.execute(database.db).catch((e: unknown) => e);
      expect(performance.now() - start).toBeLessThan(200 + SLACK_MS);
      expect((error as { code?: string }).code).toBe("57014");
      expect(isDatabaseUnavailable(error)).toBe(true);
      // The connection is still good for the next statement.
      const { rows } = await sql<{ one: number }>`select 1 as one`.execute(database.db);
      expect(rows).toEqual([{ one: 1 }]);
    } finally {
      await database.destroy();
    }
  });
});

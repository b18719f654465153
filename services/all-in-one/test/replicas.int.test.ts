import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { signDevToken } from "@planton/auth";
import { ConnectionStatus } from "@planton/proto/planton/connect/v1/provider_pb";
import { startFakeSts, type FakeSts } from "../../verifier/test/support/fake-sts.js";
import { consumerBacklog, errorLines, query, readStream, vaultDestroys } from "./support/cluster-records.js";
import { CLUSTER_JWT_SECRET, PLATFORM_AWS, startReplicaCluster, type ReplicaCluster, type ReplicatedService } from "./support/replica-cluster.js";
import { RetryingClient } from "./support/retrying-client.js";
import { inlineWorker, newLedger, resolverWorker, trustWorker, type SeenResolve, type WorkloadClients } from "./support/replica-workload.js";

// Several replicas of each service against one database and one JetStream,
// while one replica of each is stopped and started again every few seconds,
// half the time gracefully (SIGTERM), half the time as a crash (SIGKILL).
// What must hold is read afterwards from the database, the stream and the
// vault's log, not from timings.

const REPLICAS = 3;
const CHURN_MS = Number(process.env["REPLICA_TEST_CHURN_MS"] ?? 60_000);
const CHURN_EVERY_MS = 5_000;
const SETTLE_MS = 30_000;

let cluster: ReplicaCluster;
let sts: FakeSts;
let civo: Server;

beforeAll(async () => {
  sts = await startFakeSts();
  sts.addKey(PLATFORM_AWS.accessKeyId, PLATFORM_AWS.secretAccessKey, { account: PLATFORM_AWS.account, arn: PLATFORM_AWS.arn });
  // Civo's GET /v2/regions: the workload's tokens (civogood...) are accepted.
  civo = createServer((req, res) => {
    const ok = /^Bearer civogood/.test(req.headers.authorization ?? "");
    res.writeHead(ok ? 200 : 401, { "content-type": "application/json" });
    res.end(ok ? JSON.stringify([{ code: "LON1", name: "London 1", default: true }]) : JSON.stringify({ code: "database_account_not_found", reason: "no" }));
  });
  await new Promise<void>((resolve) => civo.listen(0, "127.0.0.1", resolve));
  cluster = await startReplicaCluster({
    baseDatabaseUrl: inject("databaseUrl"),
    replicas: REPLICAS,
    env: {
      common: { LOG_LEVEL: "info", SHUTDOWN_GRACE_MS: "3000" },
      vault: {},
      registry: {
        OUTBOX_POLL_MS: "100",
        AWS_TRUST_PRINCIPAL_ARN: PLATFORM_AWS.arn,
        // Shared by the replicas: any of them checks a callback token another issued.
        AWS_TRUST_CALLBACK_KEY: "replica-test-callback-key-0123456789-abcdef",
      },
      authz: { VERSION_RETENTION_MS: "500", RETENTION_INTERVAL_MS: "500", CONSUMER_ACK_WAIT_MS: "3000" },
      verifier: {
        CIVO_API_URL: `http://127.0.0.1:${(civo.address() as AddressInfo).port}`,
        AWS_STS_URL: sts.url,
        // The trust-policy review after a verification: a closed local port, never the internet.
        AWS_IAM_URL: "http://127.0.0.1:9",
        AWS_ACCESS_KEY_ID: PLATFORM_AWS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: PLATFORM_AWS.secretAccessKey,
        AWS_REGION: "us-west-2",
        CHECK_TIMEOUT_MS: "3000",
        CONSUMER_ACK_WAIT_MS: "3000",
      },
    },
  });
}, 120_000);

afterAll(async () => {
  await cluster?.close();
  await sts?.close();
  await new Promise((resolve) => civo?.close(resolve));
}, 60_000);

describe("three replicas of registry, authz and verifier", () => {
  it("lose, duplicate and reorder nothing while replicas are stopped and killed", { timeout: CHURN_MS + SETTLE_MS + 60_000 }, async () => {
    const token = await signDevToken(CLUSTER_JWT_SECRET, {
      subject: "replica-test",
      orgId: "org-replicas",
      scopes: ["connections:read", "connections:write", "environments:admin", "credentials:resolve"],
    });
    const clients: WorkloadClients = {
      registry: new RetryingClient(cluster.grpc.registry, token),
      authz: new RetryingClient(cluster.grpc.authz, token),
      registryHttpUrl: `http://127.0.0.1:${cluster.registryHttp}`,
      addRole: (role) => sts.addRole(role),
    };
    const ledger = newLedger();
    const stable: SeenResolve[] = [];
    const started = Date.now();
    const stopAt = started + CHURN_MS;

    // Each service loses one replica every CHURN_EVERY_MS (round robin over its
    // replicas, SIGKILL and SIGTERM in turn); the restart runs in the background.
    const restarts: string[] = [];
    const churnOf = async (service: ReplicatedService, offset: number) => {
      const restarting: Promise<void>[] = [];
      // Staggered, so the three services do not restart at the same moment.
      await new Promise((r) => setTimeout(r, (offset * CHURN_EVERY_MS) / 3));
      for (let tick = 0; Date.now() + CHURN_EVERY_MS < stopAt; tick++) {
        await new Promise((r) => setTimeout(r, CHURN_EVERY_MS));
        const index = (tick + offset) % REPLICAS;
        await restarting[index];
        const signal = tick % 2 === 0 ? "SIGKILL" : "SIGTERM";
        restarting[index] = cluster.restart(service, index, signal).then(() => void restarts.push(`${service}-${index} ${signal}`));
      }
      await Promise.all(restarting);
    };
    const churn = Promise.all([churnOf("registry", 0), churnOf("authz", 1), churnOf("verifier", 2)]);
    await Promise.all([
      churn,
      ...[0, 1, 2].map((w) => inlineWorker(w, clients, ledger, stopAt, stable)),
      trustWorker(0, clients, ledger, stopAt),
      ...[0, 1].map(() => resolverWorker(clients, ledger, stopAt, stable)),
    ]);
    const churnSeconds = (Date.now() - started) / 1000;

    // Settle: the outbox drained, both consumers caught up, every current version verified, retention done.
    const db = cluster.database.url;
    const settleStarted = Date.now();
    let pendingWork: Record<string, number> = {};
    for (;;) {
      pendingWork = {
        outbox: Number((await query<{ n: string }>(db, "select count(*) n from registry.outbox where published_at is null"))[0]!.n),
        authz: await consumerBacklog(cluster.natsUrl, "authz"),
        verifier: await consumerBacklog(cluster.natsUrl, "verifier"),
        unverified: Number(
          (
            await query<{ n: string }>(db, "select count(*) n from registry.connections where status = $1 and credential_version > 0", [
              ConnectionStatus.PENDING_VERIFICATION,
            ])
          )[0]!.n,
        ),
        retained: Number(
          (
            await query<{ n: string }>(
              db,
              `select count(*) n from authz.retired_versions r where not exists (select 1 from authz.deployment_pins p
                 where p.org_id = r.org_id and p.connection_id = r.connection_id and p.credential_version = r.version and p.expires_at > now())`,
            )
          )[0]!.n,
        ),
      };
      if (Object.values(pendingWork).every((n) => n === 0) || Date.now() - settleStarted > SETTLE_MS) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    const settleSeconds = (Date.now() - settleStarted) / 1000;
    clients.registry.close();
    clients.authz.close();

    const stream = await readStream(cluster.natsUrl);
    const outbox = await query<{ id: string; seq: string; ordering_key: string }>(db, "select id, seq, ordering_key from registry.outbox order by seq");
    const connections = await query<{ id: string; credential_version: number; status: number; last_verification: { credentialVersion?: number } | null }>(
      db,
      "select id, credential_version, status, last_verification from registry.connections",
    );
    const audit = await query<{ id: string; request_id: string; decision: number; deployment_id: string; credential_version: number; kind: string }>(
      db,
      "select id, request_id, decision, deployment_id, credential_version, kind from authz.audit_events",
    );
    const pins = await query<{ deployment_id: string; connection_id: string; credential_version: number }>(
      db,
      "select deployment_id, connection_id, credential_version from authz.deployment_pins where expires_at > now()",
    );
    const versions = await query<{ connection_id: string; version: number; destroyed: boolean }>(
      db,
      "select connection_id, version, destroyed_at is not null destroyed from vault.credential_versions",
    );
    const destroys = await vaultDestroys(cluster.logDir);

    const report = {
      churnSeconds,
      settleSeconds,
      restarts: restarts.length,
      ...ledger.counts,
      unavailableRetries: clients.registry.tally.unavailableRetries + clients.authz.tally.unavailableRetries,
      calls: clients.registry.tally.calls + clients.authz.tally.calls,
      events: stream.length,
      verified: stream.filter((r) => r.kind === "connection.verified").length,
      destroyed: destroys.length,
      pendingWork,
    };
    console.log(`replica test: ${JSON.stringify(report)}`);
    const errors = await errorLines(cluster.logDir, [
      "vault",
      "registry-0",
      "registry-1",
      "registry-2",
      "authz-0",
      "authz-1",
      "authz-2",
      "verifier-0",
      "verifier-1",
      "verifier-2",
    ]);
    if (errors.length > 0) console.log(`error log lines (${errors.length}):\n${errors.slice(0, 30).join("\n")}`);

    // The work was real: every kind of operation happened, under churn.
    expect(restarts.length).toBeGreaterThanOrEqual(3 * (Math.floor(CHURN_MS / CHURN_EVERY_MS) - 2));
    expect(ledger.counts.creates).toBeGreaterThan(0);
    expect(ledger.counts.rotations).toBeGreaterThan(0);
    expect(ledger.counts.trustCompletions).toBeGreaterThan(0);
    expect(ledger.counts.resolves).toBeGreaterThan(0);

    // Clients that retry on UNAVAILABLE saw no other failure.
    expect(ledger.failures).toEqual([]);
    expect(pendingWork, "settled").toEqual({ outbox: 0, authz: 0, verifier: 0, unverified: 0, retained: 0 });

    // Every event published exactly once: the stream holds each outbox row once, and nothing else.
    const msgIds = stream.map((r) => r.msgId);
    expect(new Set(msgIds).size, "no event twice in the stream").toBe(msgIds.length);
    expect(stream.every((r) => r.msgId === r.eventId)).toBe(true);
    expect([...msgIds].sort()).toEqual(outbox.map((o) => o.id).sort());
    // ... and in order per connection: the stream's order of each ordering key is the outbox's.
    const outboxSeq = new Map(outbox.map((o) => [o.id, BigInt(o.seq)]));
    const byKey = new Map<string, string[]>();
    for (const r of stream) byKey.set(r.orderingKey, [...(byKey.get(r.orderingKey) ?? []), r.eventId]);
    for (const [key, ids] of byKey) {
      const sorted = [...ids].sort((a, b) => (outboxSeq.get(a)! < outboxSeq.get(b)! ? -1 : 1));
      expect(ids, `order of ${key}`).toEqual(sorted);
    }

    // Every verification recorded once per credential version, and each current version verified.
    const verifiedCount = new Map<string, number>();
    for (const r of stream.filter((s) => s.kind === "connection.verified")) {
      const key = `${r.connectionId}/${r.version}`;
      verifiedCount.set(key, (verifiedCount.get(key) ?? 0) + 1);
    }
    expect(
      [...verifiedCount].filter(([, n]) => n > 1),
      "versions verified more than once",
    ).toEqual([]);
    for (const c of connections.filter((c) => ledger.connections.has(c.id) && c.status !== ConnectionStatus.AWAITING_TRUST_SETUP)) {
      expect(c.status, `${c.id} v${c.credential_version}`).toBe(ConnectionStatus.VERIFIED);
      expect(c.last_verification?.credentialVersion).toBe(c.credential_version);
      expect(verifiedCount.get(`${c.id}/${c.credential_version}`), `${c.id} v${c.credential_version} verified once`).toBe(1);
    }

    // Each destroy done once; every version neither current nor pinned is destroyed; none that is.
    expect(
      destroys.filter((d, i) => destroys.indexOf(d) !== i),
      "versions destroyed twice",
    ).toEqual([]);
    const current = new Set(connections.map((c) => `${c.id}/${c.credential_version}`));
    const pinned = new Set(pins.map((p) => `${p.connection_id}/${p.credential_version}`));
    // Versions that were ever current (an event announced them). A version sealed by a registry
    // replica that died before committing the change that would have used it is never
    // announced: nothing can open it through the API, and nothing destroys it yet (reported below).
    const announced = new Set(
      stream.filter((r) => ["connection.created", "connection.rotated", "aws_trust.completed"].includes(r.kind)).map((r) => `${r.connectionId}/${r.version}`),
    );
    for (const v of versions.filter((v) => announced.has(`${v.connection_id}/${v.version}`) || v.destroyed)) {
      const key = `${v.connection_id}/${v.version}`;
      expect(v.destroyed, `${key} (current ${current.has(key)}, pinned ${pinned.has(key)})`).toBe(!current.has(key) && !pinned.has(key));
    }
    const unannounced = versions.filter((v) => !v.destroyed && !announced.has(`${v.connection_id}/${v.version}`));
    console.log(`sealed versions never made current and not destroyed (a registry died mid-write): ${unannounced.length}`);
    expect(new Set(destroys)).toEqual(new Set(versions.filter((v) => v.destroyed).map((v) => `${v.connection_id}/${v.version}`)));

    // No pin or audit record lost: each resolve the client saw is audited as ALLOWED with its version,
    // and each deployment not released is pinned to the version it got.
    const auditByRequest = new Map(audit.filter((a) => a.kind === "credentials.resolve").map((a) => [a.request_id, a]));
    for (const seen of ledger.resolves) {
      const record = auditByRequest.get(seen.requestId);
      expect(record, `audit of ${seen.deploymentId} (${seen.requestId})`).toMatchObject({
        decision: 1,
        deployment_id: seen.deploymentId,
        credential_version: seen.version,
      });
    }
    const pinOf = new Map(pins.map((p) => [p.deployment_id, p]));
    for (const seen of ledger.resolves.filter((s) => !ledger.released.has(s.deploymentId))) {
      expect(pinOf.get(seen.deploymentId), `pin of ${seen.deploymentId}`).toMatchObject({ connection_id: seen.connectionId, credential_version: seen.version });
    }
    // Every registry change is in the audit log once (its id is the event id).
    const auditIds = new Set(audit.map((a) => a.id));
    expect(stream.filter((r) => r.kind !== "connection.reverify" && !auditIds.has(r.eventId)).map((r) => `${r.kind} ${r.eventId}`)).toEqual([]);
  });
});

/**
 * Event-to-verified latency: the time from CreateConnection returning to the
 * verifier's result being recorded on the connection, over 200 connections
 * created 8 at a time. The registry publishes through its outbox relay to
 * JetStream (NATS_URL, default the machine's 127.0.0.1:4222) and the
 * verifier consumes with its durable consumer and runs the real Civo check
 * against a local HTTP server that answers as Civo's GET /v2/regions does.
 * Then the same for 200 AWS cross-account trust setups: from CompleteSetup
 * (the stack's callback) returning to the result of the real trust check
 * (AssumeRole with the external id, GetCallerIdentity, AssumeRole without)
 * against a local STS imitation.
 *
 *   npm run build && node bench/dist/verify-latency.js
 */
import { createServer } from "node:http";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { create } from "@bufbuild/protobuf";
import { connect } from "nats";
import { resolveDatabase } from "@planton/db";
import { connectJetStream, startDurableConsumer } from "@planton/events";
import { silentLogger } from "@planton/logging";
import { ConnectionSpecSchema } from "@planton/proto/planton/connect/v1/connection_spec_pb";
import { buildRegistry, createLocalVaultClient, loadRegistryConfig } from "@planton/registry";
import { createTestDatabase } from "@planton/testing";
import { buildVault, loadVaultConfig } from "@planton/vault";
import { buildVerifier, checkAwsTrust, loadVerifierConfig, providerChecks, inProcessPorts } from "@planton/verifier";
import { CompleteSetupRequestSchema, StartSetupRequestSchema } from "@planton/proto/planton/connect/v1/aws_trust_service_pb";
import { startStsImitation } from "./sts-imitation.js";
import { row, runConcurrently, summarize } from "./stats.js";

const N = Number(process.env["BENCH_N"] ?? 200);
const CONCURRENCY = 8;
const TOKEN = "civo-bench-token-0123456789abcdef";

async function main(): Promise<void> {
  const natsUrl = process.env["NATS_URL"] ?? "nats://127.0.0.1:4222";
  const civo = createServer((req, res) => {
    const ok = req.headers.authorization === `Bearer ${TOKEN}` && req.url?.startsWith("/v2/regions");
    res.writeHead(ok ? 200 : 401, { "content-type": "application/json" });
    res.end(
      ok
        ? JSON.stringify([{ code: "LON1", name: "London 1", type: "civostack", default: true }])
        : JSON.stringify({ code: "authentication_invalid_key", reason: "invalid key" }),
    );
  });
  await new Promise<void>((resolve) => civo.listen(0, "127.0.0.1", resolve));
  const civoPort = (civo.address() as { port: number }).port;
  const sts = await startStsImitation();
  const dataDir = await mkdtemp(join(tmpdir(), "verify-bench-"));
  const location = await resolveDatabase({ databaseUrl: process.env["DATABASE_URL"], dataDir, logger: silentLogger });
  const database = await createTestDatabase(location.url, "bench_verify");
  const publisher = await connectJetStream({ url: natsUrl, logger: silentLogger });
  await publisher.ready();
  const vault = await buildVault({ config: loadVaultConfig({ DATA_DIR: dataDir }), databaseUrl: database.url, logger: silentLogger });
  const registry = await buildRegistry({
    // StartSetup refuses while AWS_TRUST_PRINCIPAL_ARN is unset or a placeholder.
    config: loadRegistryConfig(
      { DATA_DIR: dataDir, OUTBOX_POLL_MS: "100", AWS_TRUST_PRINCIPAL_ARN: "arn:aws:iam::999999999999:role/planton-runner" },
      { requireVaultUrl: false },
    ),
    databaseUrl: database.url,
    logger: silentLogger,
    vault: createLocalVaultClient(vault.vault),
    publisher,
  });
  const recorded = new Map<string, number>();
  const ports = inProcessPorts(registry, vault.vault);
  const verifier = buildVerifier({
    config: loadVerifierConfig({ DATA_DIR: dataDir, CIVO_API_URL: `http://127.0.0.1:${civoPort}`, AWS_STS_URL: sts.url }, { requireUrls: false }),
    logger: silentLogger,
    registry: {
      ...ports.registry,
      recordVerification: async (orgId, connectionId, verification) => {
        await ports.registry.recordVerification(orgId, connectionId, verification);
        recorded.set(connectionId, performance.now());
      },
    },
    vault: ports.vault,
    checks: providerChecks,
    trustCheck: checkAwsTrust,
    platformAwsCredentials: async () => ({ accessKeyId: "AKIABENCHPLATFORM001", secretAccessKey: "benchPlatformSecret000000000000000000000" }),
  });
  const durable = `verifier_bench_${Date.now()}`;
  const consumer = await startDurableConsumer({
    url: natsUrl,
    logger: silentLogger,
    stream: "CONNECT",
    durable,
    filterSubject: "connect.>",
    startAt: "new",
    handle: (data, _subject, deliveryCount) => verifier.handle(data, deliveryCount),
  });
  const createdAt = new Map<string, number>();
  const caller = { orgId: "org-bench", subject: "bench" };
  try {
    const started = performance.now();
    await runConcurrently(N, CONCURRENCY, async (i) => {
      const { connection } = await registry.connections.create(
        caller,
        `bench-${i}-prod-civo`,
        create(ConnectionSpecSchema, { provider: { case: "civo", value: { apiToken: TOKEN, defaultRegion: "LON1" } } }),
      );
      createdAt.set(connection.id, performance.now());
    });
    const deadline = Date.now() + 120_000;
    while (recorded.size < N && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    const total = (performance.now() - started) / 1000;
    const latencies = [...createdAt].flatMap(([id, t]) => (recorded.has(id) ? [recorded.get(id)! - t] : []));
    console.log(
      `event-to-verified latency: ${N} Civo connections created ${CONCURRENCY} at a time, outbox -> JetStream -> durable consumer -> check -> RecordVerification`,
    );
    console.log(row("  create returned -> result recorded", summarize(latencies)));
    console.log(`  verified ${latencies.length}/${N} in ${total.toFixed(1)} s (${(latencies.length / total).toFixed(0)} connections/s end to end)`);

    const completedAt = new Map<string, number>();
    const trustStarted = performance.now();
    await runConcurrently(N, CONCURRENCY, async (i) => {
      const setup = await registry.trust.start(caller, create(StartSetupRequestSchema, { name: `bench-${i}-prod-aws`, accountId: "123456789012" }));
      const params = new URLSearchParams(setup.quickCreateUrl.slice(setup.quickCreateUrl.indexOf("quickcreate?") + "quickcreate?".length));
      await registry.trust.complete(
        create(CompleteSetupRequestSchema, {
          setupId: setup.setupId,
          token: params.get("param_CallbackToken")!,
          roleArn: `arn:aws:iam::123456789012:role/bench-${i}-TrustRole`,
          accountId: "123456789012",
          stackId: `arn:aws:cloudformation:us-west-2:123456789012:stack/${setup.setup!.stackName}/5b6c7d8e-1234-11ef-9a1b-0a1b2c3d4e5f`,
        }),
      );
      completedAt.set(setup.connection!.id, performance.now());
    });
    const trustDeadline = Date.now() + 120_000;
    while ([...completedAt.keys()].some((id) => !recorded.has(id)) && Date.now() < trustDeadline) await new Promise((resolve) => setTimeout(resolve, 20));
    const trustTotal = (performance.now() - trustStarted) / 1000;
    const trustLatencies = [...completedAt].flatMap(([id, t]) => (recorded.has(id) ? [recorded.get(id)! - t] : []));
    console.log(
      `trust-to-verified latency: ${N} AWS trust setups completed ${CONCURRENCY} at a time, aws_trust.completed -> JetStream -> AssumeRole x2 + GetCallerIdentity -> RecordVerification`,
    );
    console.log(row("  callback returned -> result recorded", summarize(trustLatencies)));
    console.log(`  verified ${trustLatencies.length}/${N} in ${trustTotal.toFixed(1)} s, setups included`);
  } finally {
    await consumer.stop();
    const nc = await connect({ servers: natsUrl });
    await (await nc.jetstreamManager()).consumers.delete("CONNECT", durable).catch(() => false);
    await nc.close();
    await registry.close();
    await vault.close();
    await publisher.close();
    await database.drop();
    await location.release();
    civo.close();
    sts.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

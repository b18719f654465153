/**
 * Registry create and get throughput: concurrent CreateConnection calls
 * (validation, vault seal with a fresh data key, row + outbox event in one
 * transaction) and GetConnection calls (by id and by slug) through the
 * native gRPC listener, as a platform service calls them. Vault in-process
 * (local key provider), in-process event bus, PostgreSQL from DATABASE_URL
 * or embedded.
 *
 *   npm run build && node bench/dist/registry-throughput.js
 */
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { createTokenVerifier, signDevToken } from "@planton/auth";
import { resolveDatabase } from "@planton/db";
import { createInProcessBus } from "@planton/events";
import { silentLogger } from "@planton/logging";
import { ConnectionService } from "@planton/proto/planton/connect/v1/connection_service_pb";
import { buildRegistry, createLocalVaultClient, loadRegistryConfig } from "@planton/registry";
import { startServer } from "@planton/server";
import { createTestDatabase } from "@planton/testing";
import { buildVault, loadVaultConfig } from "@planton/vault";
import { row, runConcurrently } from "./stats.js";

const N = Number(process.env["BENCH_N"] ?? 2000);
const CONCURRENCY = Number(process.env["BENCH_CONCURRENCY"] ?? 16);
const secret = "bench-secret-0123456789-0123456789-abcdef";

async function main(): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), "registry-bench-"));
  const location = await resolveDatabase({ databaseUrl: process.env["DATABASE_URL"], dataDir, logger: silentLogger });
  const database = await createTestDatabase(location.url, "bench_registry");
  const bus = createInProcessBus(silentLogger);
  const vault = await buildVault({ config: loadVaultConfig({ DATA_DIR: dataDir }), databaseUrl: database.url, logger: silentLogger });
  const registry = await buildRegistry({
    config: loadRegistryConfig({ DATA_DIR: dataDir }, { requireVaultUrl: false }),
    databaseUrl: database.url,
    logger: silentLogger,
    vault: createLocalVaultClient(vault.vault),
    publisher: bus,
  });
  const server = await startServer({
    host: "127.0.0.1",
    port: 0,
    grpcPort: 0,
    services: registry.registrations,
    verifier: createTokenVerifier({ kind: "hs256", secret }),
    mapError: (error) => registry.mapError(error) ?? vault.mapError(error),
    logger: silentLogger,
  });
  const token = await signDevToken(secret, { subject: "bench", orgId: "org-bench", scopes: ["connections:read", "connections:write"] });
  const client = createClient(ConnectionService, createGrpcTransport({ baseUrl: `http://${server.grpcAddress}` }));
  const headers = { authorization: `Bearer ${token}` };
  try {
    const created: { id: string; slug: string }[] = [];
    const createOne = async (i: number) => {
      const { connection } = await client.createConnection(
        {
          name: `bench-team-${i}-prod-aws`,
          spec: {
            provider: {
              case: "aws",
              value: {
                accountId: String(100000000000 + i),
                auth: { case: "inlineKeys", value: { accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY" } },
              },
            },
          },
        },
        { headers },
      );
      created.push({ id: connection!.id, slug: connection!.slug });
    };
    const creates = await runConcurrently(N, CONCURRENCY, createOne);
    const gets = await runConcurrently(N * 2, CONCURRENCY, async (i) => {
      const target = created[i % created.length]!;
      await client.getConnection({ connection: i % 2 === 0 ? target.id : target.slug }, { headers });
    });
    console.log(`registry throughput, ${CONCURRENCY} concurrent calls through the native gRPC listener, PostgreSQL ${location.embedded ? "embedded" : "DATABASE_URL"}`);
    console.log(`CreateConnection (AWS inline keys): ${creates.rps.toFixed(0)} req/s`);
    console.log(row("  latency", creates.latency));
    console.log(`GetConnection (by id and by slug):  ${gets.rps.toFixed(0)} req/s`);
    console.log(row("  latency", gets.latency));
  } finally {
    await server.shutdown(1000);
    await registry.close();
    await vault.close();
    await bus.close();
    await database.drop();
    await location.release();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

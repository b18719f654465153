/**
 * How long readiness takes to flip both ways (issue 11): a vault whose
 * PostgreSQL sits behind a TCP proxy that is cut and restored, default probe
 * timing (READINESS_INTERVAL_MS, READINESS_TIMEOUT_MS), the VaultService
 * status read with grpc.health.v1.Health/Check every 20 ms. Five rounds;
 * prints each; asserts nothing.
 *
 *   npm run build && node bench/dist/readiness-flip.js      (DATABASE_URL or embedded PostgreSQL)
 */
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as grpc from "@grpc/grpc-js";
import { createTokenVerifier } from "@planton/auth";
import { createPostgresProbe, resolveDatabase } from "@planton/db";
import { silentLogger } from "@planton/logging";
import { Health, HealthCheckResponse_ServingStatus as ServingStatus } from "@planton/proto/grpc/health/v1/health_pb";
import { DEFAULT_READINESS_TIMING, startServer } from "@planton/server";
import { createTestDatabase, grpcUnary, startTcpProxy } from "@planton/testing";
import { buildVault, loadVaultConfig } from "@planton/vault";

const ROUNDS = 5;

async function main(): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), "readiness-bench-"));
  const location = await resolveDatabase({ databaseUrl: process.env["DATABASE_URL"], dataDir, logger: silentLogger });
  const database = await createTestDatabase(location.url, "bench");
  const target = new URL(database.url);
  const proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
  const proxied = new URL(database.url);
  proxied.hostname = "127.0.0.1";
  proxied.port = String(proxy.port);
  const vault = await buildVault({ config: loadVaultConfig({ DATA_DIR: dataDir }), databaseUrl: proxied.toString(), logger: silentLogger });
  const service = vault.registration.service.typeName;
  const probe = createPostgresProbe({ url: proxied.toString(), services: [service] });
  const server = await startServer({
    host: "127.0.0.1",
    port: 0,
    grpcPort: 0,
    services: [vault.registration],
    verifier: createTokenVerifier({ kind: "hs256", secret: "bench-secret-0123456789-0123456789-abcdef" }),
    mapError: vault.mapError,
    logger: silentLogger,
    readiness: { ...DEFAULT_READINESS_TIMING, probes: [probe] },
  });
  const client = new grpc.Client(server.grpcAddress, grpc.credentials.createInsecure());
  const status = async () => (await grpcUnary(client, Health.method.check, { service })).response?.status;
  /** Milliseconds until Check reports `wanted`. */
  const until = async (wanted: ServingStatus) => {
    const started = performance.now();
    while ((await status()) !== wanted) await new Promise((resolve) => setTimeout(resolve, 20));
    return Math.round(performance.now() - started);
  };
  console.log(
    `readiness of ${service}, PostgreSQL cut and restored (interval ${DEFAULT_READINESS_TIMING.intervalMs} ms, probe timeout ${DEFAULT_READINESS_TIMING.timeoutMs} ms)`,
  );
  try {
    await until(ServingStatus.SERVING);
    for (let round = 1; round <= ROUNDS; round++) {
      proxy.cut();
      const down = await until(ServingStatus.NOT_SERVING);
      proxy.restore();
      const up = await until(ServingStatus.SERVING);
      console.log(`  round ${round}: NOT_SERVING ${down} ms after the cut, SERVING ${up} ms after the restore`);
    }
  } finally {
    client.close();
    await server.shutdown(1_000);
    await probe.close();
    await vault.close();
    await proxy.close();
    await database.drop();
    await location.release();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

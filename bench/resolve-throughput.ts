/**
 * ResolveCredentials throughput and latency on a pinned deployment (the hot
 * path: pin lookup, registry lookup, vault open with a cached data key, audit
 * insert) beside a bare grpc.health.v1.Health/Check on the same server, both
 * through the native gRPC listener, 16 calls in flight. Vault, registry and
 * authz in one process as `npm start` runs them.
 *
 *   npm run build && node bench/dist/resolve-throughput.js
 */
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { createTokenVerifier, signDevToken } from "@planton/auth";
import { buildAuthz, loadAuthzConfig } from "@planton/authz";
import { resolveDatabase } from "@planton/db";
import { createInProcessBus } from "@planton/events";
import { silentLogger } from "@planton/logging";
import { Health } from "@planton/proto/grpc/health/v1/health_pb";
import { AuthorizationScope, EnvironmentAuthorizationService } from "@planton/proto/planton/connect/v1/authz_service_pb";
import { ConnectionService } from "@planton/proto/planton/connect/v1/connection_service_pb";
import { Provider } from "@planton/proto/planton/connect/v1/provider_pb";
import { buildRegistry, createLocalVaultClient, loadRegistryConfig } from "@planton/registry";
import { startServer } from "@planton/server";
import { createTestDatabase } from "@planton/testing";
import { buildVault, loadVaultConfig } from "@planton/vault";
import { row, runConcurrently } from "./stats.js";

const N = Number(process.env["BENCH_N"] ?? 5000);
const CONCURRENCY = Number(process.env["BENCH_CONCURRENCY"] ?? 16);
const secret = "bench-secret-0123456789-0123456789-abcdef";

async function main(): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), "resolve-bench-"));
  const location = await resolveDatabase({ databaseUrl: process.env["DATABASE_URL"], dataDir, logger: silentLogger });
  const database = await createTestDatabase(location.url, "bench_resolve");
  const bus = createInProcessBus(silentLogger);
  const vault = await buildVault({ config: loadVaultConfig({ DATA_DIR: dataDir }), databaseUrl: database.url, logger: silentLogger });
  const registry = await buildRegistry({
    config: loadRegistryConfig({ DATA_DIR: dataDir }, { requireVaultUrl: false }),
    databaseUrl: database.url,
    logger: silentLogger,
    vault: createLocalVaultClient(vault.vault),
    publisher: bus,
  });
  const authz = await buildAuthz({
    config: loadAuthzConfig({ DATA_DIR: dataDir }, { requireUrls: false }),
    databaseUrl: database.url,
    logger: silentLogger,
    registry: { lookup: (orgId, reference) => registry.connections.lookup(orgId, reference) },
    vault: {
      open: (orgId, connectionId, version) => vault.vault.open({ orgId, connectionId, version }),
      destroy: async (orgId, connectionId, version) => {
        await vault.vault.destroy(orgId, connectionId, version);
      },
    },
  });
  const server = await startServer({
    host: "127.0.0.1",
    port: 0,
    grpcPort: 0,
    services: [vault.registration, ...registry.registrations, authz.registration],
    verifier: createTokenVerifier({ kind: "hs256", secret }),
    mapError: (error) => registry.mapError(error) ?? authz.mapError(error) ?? vault.mapError(error),
    logger: silentLogger,
  });
  const token = await signDevToken(secret, {
    subject: "bench",
    orgId: "org-bench",
    scopes: ["connections:read", "connections:write", "environments:admin", "credentials:resolve"],
  });
  const headers = { authorization: `Bearer ${token}` };
  const transport = createGrpcTransport({ baseUrl: `http://${server.grpcAddress}` });
  const connections = createClient(ConnectionService, transport);
  const authzClient = createClient(EnvironmentAuthorizationService, transport);
  const health = createClient(Health, transport);
  try {
    const { connection } = await connections.createConnection(
      { name: "bench-prod-civo", spec: { provider: { case: "civo", value: { apiToken: "civo-bench-token-0123456789abcdef", defaultRegion: "LON1" } } } },
      { headers },
    );
    await authzClient.authorizeConnection({ connection: connection!.slug, scope: AuthorizationScope.ORGANIZATION }, { headers });
    // 64 deployments, each pinned by its first resolve; the measured calls are the repeat resolves.
    const deployments = Array.from({ length: 64 }, (_, i) => `deploy-${i}`);
    for (const deploymentId of deployments) {
      await authzClient.resolveCredentials({ deploymentId, environment: "prod", provider: Provider.CIVO, connection: connection!.slug }, { headers });
    }
    const resolve = await runConcurrently(N, CONCURRENCY, (i) =>
      authzClient.resolveCredentials({ deploymentId: deployments[i % deployments.length]!, environment: "prod", provider: Provider.CIVO, connection: connection!.slug }, { headers }),
    );
    const check = await runConcurrently(N, CONCURRENCY, () => health.check({ service: "" }));
    console.log(`ResolveCredentials vs Health/Check, ${CONCURRENCY} in flight, native gRPC listener, client in the same process, PostgreSQL ${location.embedded ? "embedded" : "DATABASE_URL"}`);
    console.log(`ResolveCredentials (pinned, inline civo): ${resolve.rps.toFixed(0)} req/s`);
    console.log(row("  latency", resolve.latency));
    console.log(`Health/Check (same server):             ${check.rps.toFixed(0)} req/s`);
    console.log(row("  latency", check.latency));
  } finally {
    await server.shutdown(1000);
    await authz.close();
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

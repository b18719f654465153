/**
 * ResolveCredentials throughput and latency on a pinned deployment (the hot
 * path: pin lookup, registry lookup, vault open with a cached data key, audit
 * insert) beside a bare grpc.health.v1.Health/Check on the same server, both
 * through the native gRPC listener, 16 calls in flight. Vault, registry and
 * authz in one process as `npm start` runs them.
 *
 *   npm run build && node bench/dist/resolve-throughput.js
 */
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { Health } from "@planton/proto/grpc/health/v1/health_pb";
import { AuthorizationScope, EnvironmentAuthorizationService } from "@planton/proto/planton/connect/v1/authz_service_pb";
import { ConnectionService } from "@planton/proto/planton/connect/v1/connection_service_pb";
import { Provider } from "@planton/proto/planton/connect/v1/provider_pb";
import { startBenchPlatform } from "./platform.js";
import { row, runConcurrently } from "./stats.js";

const N = Number(process.env["BENCH_N"] ?? 5000);
const CONCURRENCY = Number(process.env["BENCH_CONCURRENCY"] ?? 16);

async function main(): Promise<void> {
  const platform = await startBenchPlatform("resolve", { authz: true });
  const { server, location } = platform;
  const token = await platform.token();
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
      authzClient.resolveCredentials(
        { deploymentId: deployments[i % deployments.length]!, environment: "prod", provider: Provider.CIVO, connection: connection!.slug },
        { headers },
      ),
    );
    const check = await runConcurrently(N, CONCURRENCY, () => health.check({ service: "" }));
    console.log(
      `ResolveCredentials vs Health/Check, ${CONCURRENCY} in flight, native gRPC listener, client in the same process, PostgreSQL ${location.embedded ? "embedded" : "DATABASE_URL"}`,
    );
    console.log(`ResolveCredentials (pinned, inline civo): ${resolve.rps.toFixed(0)} req/s`);
    console.log(row("  latency", resolve.latency));
    console.log(`Health/Check (same server):             ${check.rps.toFixed(0)} req/s`);
    console.log(row("  latency", check.latency));
  } finally {
    await platform.dispose();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

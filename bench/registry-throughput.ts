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
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { ConnectionService } from "@planton/proto/planton/connect/v1/connection_service_pb";
import { startBenchPlatform } from "./platform.js";
import { row, runConcurrently } from "./stats.js";

const N = Number(process.env["BENCH_N"] ?? 2000);
const CONCURRENCY = Number(process.env["BENCH_CONCURRENCY"] ?? 16);

async function main(): Promise<void> {
  const platform = await startBenchPlatform("registry", { authz: false });
  const { server, location } = platform;
  const token = await platform.token();
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
    console.log(
      `registry throughput, ${CONCURRENCY} concurrent calls through the native gRPC listener, PostgreSQL ${location.embedded ? "embedded" : "DATABASE_URL"}`,
    );
    console.log(`CreateConnection (AWS inline keys): ${creates.rps.toFixed(0)} req/s`);
    console.log(row("  latency", creates.latency));
    console.log(`GetConnection (by id and by slug):  ${gets.rps.toFixed(0)} req/s`);
    console.log(row("  latency", gets.latency));
  } finally {
    await platform.dispose();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

/**
 * Seal and open latency of the vault, median and p99, with a cached and an
 * uncached data key, through the native gRPC listener (a grpc-js client, as
 * platform services call it) and in-process (crypto + PostgreSQL only).
 *
 * Key providers: the real AWS SDK against the local KMS imitation (each
 * uncached open is a real signed HTTP round trip to "KMS" on loopback, so real
 * KMS adds its network latency on top) and the local master-key provider.
 *
 *   npm run build && node bench/dist/vault-latency.js      (DATABASE_URL or embedded PostgreSQL)
 */
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { DescMessage, DescMethodUnary, MessageInitShape, MessageShape } from "@bufbuild/protobuf";
import * as grpc from "@grpc/grpc-js";
import { createTokenVerifier, signDevToken } from "@planton/auth";
import { resolveDatabase } from "@planton/db";
import { silentLogger } from "@planton/logging";
import { VaultService } from "@planton/proto/planton/connect/v1/vault_pb";
import { startServer } from "@planton/server";
import { bearerMetadata, createTestDatabase, fakeKmsCredentials, grpcUnary, startFakeKms } from "@planton/testing";
import { buildVault, createAwsKmsKeyProvider, loadVaultConfig } from "@planton/vault";
import { measure, row } from "./stats.js";

const N = Number(process.env["BENCH_N"] ?? 2000);
const WARMUP = 200;
const secret = "bench-secret-0123456789-0123456789-abcdef";

async function main(): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), "vault-bench-"));
  const location = await resolveDatabase({ databaseUrl: process.env["DATABASE_URL"], dataDir, logger: silentLogger });
  const database = await createTestDatabase(location.url, "bench");
  const kms = await startFakeKms({ region: "us-west-2" });
  const kmsKey = kms.createKey();
  const token = await signDevToken(secret, { subject: "bench", orgId: "platform", scopes: ["internal"] });
  const payload = new Uint8Array(600).fill(7); // about the size of a GCP service-account key

  console.log(`vault seal/open latency, sequential calls, payload ${payload.length} bytes, PostgreSQL ${location.embedded ? "embedded" : "DATABASE_URL"}`);
  try {
    for (const provider of ["aws-kms (SDK -> local KMS imitation)", "local master key"]) {
      for (const cacheEntries of [1000, 0]) {
        const keys = provider.startsWith("aws")
          ? createAwsKmsKeyProvider({ keyId: kmsKey.keyId, region: kms.region, endpoint: kms.url, credentials: fakeKmsCredentials })
          : undefined;
        const config = loadVaultConfig({ DATA_DIR: dataDir, DATABASE_URL: database.url, DATA_KEY_CACHE_MAX_ENTRIES: String(cacheEntries) });
        const vault = await buildVault({ config, databaseUrl: database.url, logger: silentLogger, ...(keys ? { keys } : {}) });
        const server = await startServer({
          host: "127.0.0.1",
          port: 0,
          grpcPort: 0,
          services: [vault.registration],
          verifier: createTokenVerifier({ kind: "hs256", secret }),
          mapError: vault.mapError,
          logger: silentLogger,
        });
        const client = new grpc.Client(server.grpcAddress, grpc.credentials.createInsecure());
        const metadata = bearerMetadata(token);
        const cached = cacheEntries > 0 ? "cached data key" : "uncached data key";
        const connectionId = `bench_${provider.slice(0, 3)}_${cacheEntries}`;
        try {
          const seal = await measure(N, WARMUP, () =>
            call(client, VaultService.method.sealCredential, { orgId: "org-bench", connectionId, payload }, metadata),
          );
          const { version } = await vault.vault.seal("org-bench", connectionId, payload);
          const open = await measure(N, WARMUP, () =>
            call(client, VaultService.method.openCredential, { orgId: "org-bench", connectionId, version }, metadata),
          );
          const openInProcess = await measure(N, WARMUP, () => vault.vault.open({ orgId: "org-bench", connectionId, version }));
          if (cacheEntries > 0) console.log(row(`[${provider}] seal via grpc-js`, seal));
          console.log(row(`[${provider}] open via grpc-js, ${cached}`, open));
          console.log(row(`[${provider}] open in-process, ${cached}`, openInProcess));
        } finally {
          client.close();
          await server.shutdown(1000);
          await vault.close();
        }
      }
    }
  } finally {
    await kms.close();
    await database.drop();
    await location.release();
  }
}

/** One call through the stock grpc-js client; rejects on a gRPC error so a broken run cannot report numbers. */
async function call<I extends DescMessage, O extends DescMessage>(
  client: grpc.Client,
  method: DescMethodUnary<I, O>,
  request: MessageInitShape<I>,
  metadata: grpc.Metadata,
): Promise<MessageShape<O>> {
  const outcome = await grpcUnary(client, method, request, metadata);
  if (outcome.error !== undefined || outcome.response === undefined) throw outcome.error ?? new Error("no response");
  return outcome.response;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

/**
 * How long a seal takes to fail when KMS accepts TCP and never answers
 * (issue 11): the vault with its default bounds (KMS_CALL_TIMEOUT_MS), over
 * native gRPC, without and with a caller deadline. Prints each attempt's code
 * and time; asserts nothing.
 *
 *   npm run build && node bench/dist/silent-kms.js      (DATABASE_URL or embedded PostgreSQL)
 */
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as grpc from "@grpc/grpc-js";
import { createTokenVerifier, signDevToken } from "@planton/auth";
import { resolveDatabase } from "@planton/db";
import { silentLogger } from "@planton/logging";
import { VaultService } from "@planton/proto/planton/connect/v1/vault_pb";
import { startServer } from "@planton/server";
import { bearerMetadata, createTestDatabase, grpcUnary, startSilentEndpoint } from "@planton/testing";
import { buildVault, loadVaultConfig } from "@planton/vault";

const secret = "bench-secret-0123456789-0123456789-abcdef";

async function main(): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), "silent-kms-bench-"));
  const location = await resolveDatabase({ databaseUrl: process.env["DATABASE_URL"], dataDir, logger: silentLogger });
  const database = await createTestDatabase(location.url, "bench");
  const silent = await startSilentEndpoint();
  // The standard AWS chain reads these; the silent endpoint never checks them.
  process.env["AWS_ACCESS_KEY_ID"] = "AKIABENCHSILENT00000";
  process.env["AWS_SECRET_ACCESS_KEY"] = "bench-not-a-secret";
  // A high circuit threshold, so every attempt reaches the silent endpoint.
  const config = loadVaultConfig({
    DATA_DIR: dataDir,
    KEY_PROVIDER: "aws-kms",
    KMS_KEY_ID: "alias/silent",
    AWS_REGION: "us-east-1",
    KMS_ENDPOINT: silent.url,
    KMS_CIRCUIT_FAILURES: "100",
  });
  const vault = await buildVault({ config, databaseUrl: database.url, logger: silentLogger });
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
  const token = await signDevToken(secret, { subject: "bench", orgId: "platform", scopes: ["internal"] });
  const kms = config.keyProvider.kind === "aws-kms" ? config.keyProvider : undefined;
  console.log(
    `SealCredential against a KMS that accepts TCP and never answers (KMS_CALL_TIMEOUT_MS ${kms?.callTimeoutMs}, KMS_REQUEST_TIMEOUT_MS ${kms?.requestTimeoutMs}, ${kms?.maxAttempts} attempts)`,
  );
  try {
    for (const [label, deadlineMs] of [
      ["no caller deadline", undefined],
      ["no caller deadline", undefined],
      ["caller deadline 2000 ms", 2_000],
    ] as const) {
      const metadata = bearerMetadata(token);
      const started = performance.now();
      const outcome = await grpcUnary(
        client,
        VaultService.method.sealCredential,
        { orgId: "org-bench", connectionId: "awsconn_bench", payload: new TextEncoder().encode("x") },
        metadata,
        deadlineMs === undefined ? {} : { deadline: Date.now() + deadlineMs },
      );
      const ms = Math.round(performance.now() - started);
      const code = outcome.error === undefined ? "OK" : grpc.status[outcome.error.code];
      console.log(`  ${label.padEnd(26)} ${String(code).padEnd(18)} after ${ms} ms`);
    }
  } finally {
    client.close();
    await server.shutdown(1_000);
    await vault.close();
    await silent.close();
    await database.drop();
    await location.release();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

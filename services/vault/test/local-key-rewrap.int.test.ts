import { execFile } from "node:child_process";
import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Code, ConnectError, createClient, type Client } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { createTokenVerifier, signDevToken } from "@planton/auth";
import { BadRequestSchema } from "@planton/proto/google/rpc/error_details_pb";
import { VaultService } from "@planton/proto/planton/connect/v1/vault_pb";
import { startServer, type RunningServer } from "@planton/server";
import { captureLogs } from "@planton/testing";
import { startVault, type VaultHarness } from "./support/vault-harness.js";

// RewrapDataKeys with the local key provider: a target key must exist; the
// vault's `create-local-key` command is the one way to make it.

const run = promisify(execFile);
const mainJs = fileURLToPath(new URL("../dist/src/main.js", import.meta.url));
const secret = "test-secret-for-the-local-key-rewrap-0123456789";
const logs = captureLogs();
let h: VaultHarness;
let server: RunningServer;
let client: Client<typeof VaultService>;
let headers: { authorization: string };

beforeAll(async () => {
  h = await startVault({ logger: logs.logger });
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
  headers = { authorization: `Bearer ${await signDevToken(secret, { subject: "svc-ops", orgId: "platform", scopes: ["internal"] })}` };
});

afterAll(async () => {
  await server?.shutdown(1_000);
  await h?.dispose();
});

const keyDir = () => join(h.dataDir, "vault", "keys");

/** Runs the compiled vault main with this vault's data folder. */
function vaultMain(...args: string[]) {
  return run(process.execPath, [mainJs, ...args], {
    env: { PATH: process.env.PATH, DATA_DIR: h.dataDir, LOG_LEVEL: "info" },
    timeout: 20_000,
  });
}

describe("RewrapDataKeys with the local key provider", () => {
  it("refuses an unknown target key as INVALID_ARGUMENT on target_key_id, creating no key and moving nothing", async () => {
    const { version } = await client.sealCredential({ orgId: "org-l", connectionId: "awsconn_l", payload: new TextEncoder().encode("local") }, { headers });
    const error = await client.rewrapDataKeys({ targetKeyId: "master-2-typo" }, { headers }).catch((e: unknown) => ConnectError.from(e));
    expect(error).toBeInstanceOf(ConnectError);
    expect((error as ConnectError).code).toBe(Code.InvalidArgument);
    const [detail] = (error as ConnectError).findDetails(BadRequestSchema);
    expect(detail?.fieldViolations.map((v) => [v.field, v.reason])).toEqual([["target_key_id", "UNKNOWN_KEY"]]);
    expect(detail?.fieldViolations[0]?.description).toContain("create-local-key");
    expect(await readdir(keyDir())).toEqual(["master-1.key"]);
    const rows = await h.db.selectFrom("credential_versions").select("key_id").execute();
    expect(rows).toEqual([{ key_id: "master-1" }]);
    const opened = await client.openCredential({ orgId: "org-l", connectionId: "awsconn_l", version }, { headers });
    expect(new TextDecoder().decode(opened.payload)).toBe("local");
  });

  it("moves data keys to a key made with `create-local-key <id>`", async () => {
    const created = await vaultMain("create-local-key", "master-2");
    expect(created.stdout).toContain("local master key created");
    expect((await stat(join(keyDir(), "master-2.key"))).mode & 0o777).toBe(0o600);
    // Running it again changes nothing and says so.
    const again = await vaultMain("create-local-key", "master-2");
    expect(again.stdout).toContain("already exists");
    expect((await readdir(keyDir())).sort()).toEqual(["master-1.key", "master-2.key"]);

    const result = await client.rewrapDataKeys({ targetKeyId: "master-2" }, { headers });
    expect(result).toMatchObject({ targetKeyId: "master-2", remaining: 0 });
    expect(result.rewrapped).toBeGreaterThanOrEqual(1);
    h.cache.clear();
    const opened = await client.openCredential({ orgId: "org-l", connectionId: "awsconn_l", version: 1 }, { headers });
    expect(new TextDecoder().decode(opened.payload)).toBe("local");
  });

  it("create-local-key refuses a malformed id and a missing one, creating nothing", async () => {
    for (const args of [["create-local-key", "../escape"], ["create-local-key"]]) {
      const failed = await vaultMain(...args).then(
        () => undefined,
        (e: unknown) => e as { code: number; stderr: string },
      );
      expect(failed?.code).toBe(1);
    }
    expect((await readdir(keyDir())).sort()).toEqual(["master-1.key", "master-2.key"]);
  });
});

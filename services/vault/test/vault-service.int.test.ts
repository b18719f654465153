import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DescMessage, DescMethodUnary, MessageInitShape } from "@bufbuild/protobuf";
import { Code, ConnectError, createClient, type Client } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport } from "@connectrpc/connect-node";
import * as grpc from "@grpc/grpc-js";
import { createTokenVerifier, signDevToken } from "@planton/auth";
import { BadRequestSchema } from "@planton/proto/google/rpc/error_details_pb";
import { VaultService } from "@planton/proto/planton/connect/v1/vault_pb";
import { startServer, type RunningServer } from "@planton/server";
import { bearerMetadata, captureLogs, createTestDatabase, grpcUnary, startTcpProxy, type TcpProxy } from "@planton/testing";
import { inject } from "vitest";
import { loadVaultConfig } from "../src/config.js";
import { createAwsKmsKeyProvider } from "../src/keys/aws-kms-key-provider.js";
import { buildVault } from "../src/vault-components.js";
import { fakeKmsCredentials, startFakeKms, type FakeKms } from "@planton/testing";
import { startVault, type VaultHarness } from "./support/vault-harness.js";

const secret = "test-secret-for-the-vault-service-0123456789";
const logs = captureLogs();
let fake: FakeKms;
let key1: { keyId: string; arn: string };
let key2: { keyId: string; arn: string };
let h: VaultHarness;
let server: RunningServer;
let internalToken: string;

const payload = (s: string) => new TextEncoder().encode(s);

async function serve(harness: VaultHarness): Promise<RunningServer> {
  return startServer({
    host: "127.0.0.1",
    port: 0,
    grpcPort: 0,
    services: [harness.registration],
    verifier: createTokenVerifier({ kind: "hs256", secret }),
    mapError: harness.mapError,
    logger: logs.logger,
  });
}

beforeAll(async () => {
  fake = await startFakeKms({ region: "us-west-2" });
  key1 = fake.createKey();
  key2 = fake.createKey();
  h = await startVault({
    logger: logs.logger,
    // Outage tests here must see every failure reach KMS; the circuit breaker
    // has its own tests (kms-timeouts.int.test.ts).
    env: { KMS_CIRCUIT_FAILURES: "1000" },
    // The real SDK path, retries included, against the local KMS imitation.
    keys: createAwsKmsKeyProvider({ keyId: key1.keyId, region: fake.region, endpoint: fake.url, credentials: fakeKmsCredentials, maxAttempts: 2 }),
  });
  server = await serve(h);
  internalToken = await signDevToken(secret, { subject: "svc-registry", orgId: "platform", scopes: ["internal"] });
});

afterAll(async () => {
  await server?.shutdown(1000);
  await h?.dispose();
  await fake?.close();
});

const auth = (token: string) => ({ headers: { authorization: `Bearer ${token}` } });

function connectClient(): Client<typeof VaultService> {
  return createClient(VaultService, createConnectTransport({ baseUrl: server.url, httpVersion: "1.1" }));
}

/** A stock @grpc/grpc-js client (a gRPC implementation we did not write) for one call. */
async function viaGrpcJs<I extends DescMessage, O extends DescMessage>(
  address: string,
  method: DescMethodUnary<I, O>,
  request: MessageInitShape<I>,
  token: string | undefined,
) {
  const client = new grpc.Client(address, grpc.credentials.createInsecure());
  try {
    return await grpcUnary(client, method, request, bearerMetadata(token));
  } finally {
    client.close();
  }
}

describe("VaultService over @grpc/grpc-js", () => {
  it("seals and opens through a stock grpc-js client on the native gRPC port", async () => {
    const sealed = await viaGrpcJs(
      server.grpcAddress,
      VaultService.method.sealCredential,
      { orgId: "org-wire", connectionId: "awsconn_w", payload: payload("wire secret") },
      internalToken,
    );
    expect(sealed.error).toBeUndefined();
    expect(sealed.response?.version).toBe(1);
    expect(sealed.response?.keyId).toBe(key1.arn);
    const opened = await viaGrpcJs(
      server.grpcAddress,
      VaultService.method.openCredential,
      { orgId: "org-wire", connectionId: "awsconn_w", version: 1 },
      internalToken,
    );
    expect(new TextDecoder().decode(opened.response?.payload)).toBe("wire secret");
  });

  it("refuses calls without a token or without the internal scope, on both listeners", async () => {
    const userToken = await signDevToken(secret, {
      subject: "user-1",
      orgId: "org-wire",
      scopes: ["connections:read", "connections:write", "credentials:resolve"],
    });
    const request = { orgId: "org-wire", connectionId: "awsconn_w", version: 1 };
    for (const address of [server.grpcAddress, server.url.replace("http://", "")]) {
      const none = await viaGrpcJs(address, VaultService.method.openCredential, request, undefined);
      expect(none.error?.code).toBe(grpc.status.UNAUTHENTICATED);
      const user = await viaGrpcJs(address, VaultService.method.openCredential, request, userToken);
      expect(user.error?.code).toBe(grpc.status.PERMISSION_DENIED);
      expect(user.error?.details).toContain("internal");
      const bad = await viaGrpcJs(address, VaultService.method.openCredential, request, `${internalToken}x`);
      expect(bad.error?.code).toBe(grpc.status.UNAUTHENTICATED);
    }
    await expect(connectClient().openCredential(request)).rejects.toMatchObject({ code: Code.Unauthenticated });
    await expect(connectClient().openCredential(request, auth(userToken))).rejects.toMatchObject({ code: Code.PermissionDenied });
  });
});

describe("VaultService errors", () => {
  it("lists every bad field at once as google.rpc.BadRequest, on both listeners", async () => {
    for (const transport of [
      createConnectTransport({ baseUrl: server.url, httpVersion: "1.1" }),
      createGrpcTransport({ baseUrl: `http://${server.grpcAddress}` }),
    ]) {
      const error = await createClient(VaultService, transport)
        .sealCredential({ orgId: "", connectionId: "bad id with spaces", payload: new Uint8Array(70 * 1024) }, auth(internalToken))
        .then(
          () => undefined,
          (e: unknown) => ConnectError.from(e),
        );
      expect(error?.code).toBe(Code.InvalidArgument);
      const violations = error?.findDetails(BadRequestSchema)[0]?.fieldViolations.map((v) => [v.field, v.reason]);
      expect(violations).toEqual([
        ["org_id", "REQUIRED"],
        ["connection_id", "PATTERN"],
        ["payload", "MAX_SIZE"],
      ]);
    }
  });

  it("answers NOT_FOUND for missing and destroyed versions and DATA_LOSS for tampered ones", async () => {
    const client = connectClient();
    const { version } = await client.sealCredential({ orgId: "org-e", connectionId: "gcpconn_e", payload: payload("x") }, auth(internalToken));
    await expect(client.openCredential({ orgId: "org-e", connectionId: "gcpconn_e", version: version + 5 }, auth(internalToken))).rejects.toMatchObject({
      code: Code.NotFound,
    });
    await h.db
      .updateTable("credential_versions")
      .set({ tag: new Uint8Array(16) })
      .where("org_id", "=", "org-e")
      .execute();
    h.cache.clear();
    await expect(client.openCredential({ orgId: "org-e", connectionId: "gcpconn_e", version }, auth(internalToken))).rejects.toMatchObject({
      code: Code.DataLoss,
    });
    const destroyed = await client.destroyCredential({ orgId: "org-e", connectionId: "gcpconn_e", version: 0 }, auth(internalToken));
    expect(destroyed.destroyedVersions).toEqual([version]);
    const gone = await client
      .openCredential({ orgId: "org-e", connectionId: "gcpconn_e", version }, auth(internalToken))
      .catch((e: unknown) => ConnectError.from(e));
    expect(gone).toMatchObject({ code: Code.NotFound });
    expect((gone as ConnectError).rawMessage).toContain("destroyed");
  });

  it("answers UNAVAILABLE while KMS is down and recovers when it is back", async () => {
    const client = connectClient();
    const { version } = await client.sealCredential({ orgId: "org-k", connectionId: "awsconn_k", payload: payload("kms") }, auth(internalToken));
    h.cache.clear();
    for (const kind of ["unavailable-503", "internal", "throttle"] as const) {
      fake.failAll(kind);
      try {
        await expect(client.sealCredential({ orgId: "org-k", connectionId: "awsconn_k", payload: payload("kms") }, auth(internalToken))).rejects.toMatchObject({
          code: Code.Unavailable,
        });
        await expect(client.openCredential({ orgId: "org-k", connectionId: "awsconn_k", version }, auth(internalToken))).rejects.toMatchObject({
          code: Code.Unavailable,
        });
      } finally {
        fake.failAll(null);
      }
    }
    const opened = await client.openCredential({ orgId: "org-k", connectionId: "awsconn_k", version }, auth(internalToken));
    expect(new TextDecoder().decode(opened.payload)).toBe("kms");
  });

  it("answers UNAVAILABLE when KMS cannot be reached at all", async () => {
    const unreachable = await startVault({
      logger: logs.logger,
      keys: createAwsKmsKeyProvider({
        keyId: key1.keyId,
        region: "us-west-2",
        endpoint: "http://127.0.0.1:1",
        credentials: fakeKmsCredentials,
        maxAttempts: 1,
      }),
    });
    const own = await serve(unreachable);
    try {
      const client = createClient(VaultService, createGrpcTransport({ baseUrl: `http://${own.grpcAddress}` }));
      await expect(client.sealCredential({ orgId: "org-k", connectionId: "awsconn_u", payload: payload("x") }, auth(internalToken))).rejects.toMatchObject({
        code: Code.Unavailable,
      });
    } finally {
      await own.shutdown(1000);
      await unreachable.dispose();
    }
  });

  it("answers UNAVAILABLE while PostgreSQL is unreachable and recovers by itself", async () => {
    const database = await createTestDatabase(inject("databaseUrl"), "vault_outage");
    const target = new URL(database.url);
    const proxy: TcpProxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
    const viaProxy = new URL(database.url);
    viaProxy.hostname = "127.0.0.1";
    viaProxy.port = String(proxy.port);
    const vaultComponents = await buildVault({
      config: loadVaultConfig({ DATA_DIR: h.dataDir, DATABASE_URL: viaProxy.toString() }),
      databaseUrl: viaProxy.toString(),
      logger: logs.logger,
    });
    const own2 = await startServer({
      host: "127.0.0.1",
      port: 0,
      grpcPort: 0,
      services: [vaultComponents.registration],
      verifier: createTokenVerifier({ kind: "hs256", secret }),
      mapError: vaultComponents.mapError,
      logger: logs.logger,
    });
    try {
      const client = createClient(VaultService, createGrpcTransport({ baseUrl: `http://${own2.grpcAddress}` }));
      const { version } = await client.sealCredential({ orgId: "org-db", connectionId: "doconn_db", payload: payload("db") }, auth(internalToken));
      proxy.cut();
      await expect(client.openCredential({ orgId: "org-db", connectionId: "doconn_db", version }, auth(internalToken))).rejects.toMatchObject({
        code: Code.Unavailable,
      });
      await expect(client.sealCredential({ orgId: "org-db", connectionId: "doconn_db", payload: payload("db") }, auth(internalToken))).rejects.toMatchObject({
        code: Code.Unavailable,
      });
      proxy.restore();
      const opened = await client.openCredential({ orgId: "org-db", connectionId: "doconn_db", version }, auth(internalToken));
      expect(new TextDecoder().decode(opened.payload)).toBe("db");
    } finally {
      await own2.shutdown(1000);
      await vaultComponents.close();
      await proxy.close();
      await database.drop();
    }
  });
});

describe("RewrapDataKeys", () => {
  it("moves every data key to another KMS key with ReEncrypt only, keeping payloads readable", async () => {
    const client = connectClient();
    const sealed: { connectionId: string; version: number; text: string }[] = [];
    for (let i = 0; i < 5; i++) {
      const connectionId = `azconn_rw${i % 2}`;
      const { version } = await client.sealCredential({ orgId: "org-rw", connectionId, payload: payload(`rw-${i}`) }, auth(internalToken));
      sealed.push({ connectionId, version, text: `rw-${i}` });
    }
    const start = fake.requests.length;
    const result = await client.rewrapDataKeys({ targetKeyId: key2.keyId, batchSize: 2 }, auth(internalToken));
    const during = fake.requests.slice(start).map((r) => r.target);
    expect(result.targetKeyId).toBe(key2.arn);
    expect(result.remaining).toBe(0);
    expect(result.rewrapped).toBeGreaterThanOrEqual(sealed.length);
    expect(during).not.toContain("TrentService.Decrypt");
    expect(during).not.toContain("TrentService.GenerateDataKey");
    expect(during).toContain("TrentService.ReEncrypt");
    const keyIds = await h.db.selectFrom("credential_versions").select("key_id").where("destroyed_at", "is", null).execute();
    expect(new Set(keyIds.map((r) => r.key_id))).toEqual(new Set([key2.arn]));
    h.cache.clear();
    for (const s of sealed) {
      const opened = await client.openCredential({ orgId: "org-rw", connectionId: s.connectionId, version: s.version }, auth(internalToken));
      expect(new TextDecoder().decode(opened.payload)).toBe(s.text);
    }
  });

  it("refuses a missing target key id", async () => {
    await expect(connectClient().rewrapDataKeys({ targetKeyId: "" }, auth(internalToken))).rejects.toMatchObject({ code: Code.InvalidArgument });
  });

  it("refuses a KMS key that does not exist as INVALID_ARGUMENT on target_key_id, moving nothing", async () => {
    const before = await h.db.selectFrom("credential_versions").select(["org_id", "connection_id", "version", "key_id"]).execute();
    const error = await connectClient()
      .rewrapDataKeys({ targetKeyId: "alias/no-such-key" }, auth(internalToken))
      .catch((e: unknown) => ConnectError.from(e));
    expect(error).toMatchObject({ code: Code.InvalidArgument });
    const [detail] = (error as ConnectError).findDetails(BadRequestSchema);
    expect(detail?.fieldViolations.map((v) => v.field)).toEqual(["target_key_id"]);
    const after = await h.db.selectFrom("credential_versions").select(["org_id", "connection_id", "version", "key_id"]).execute();
    expect(after).toEqual(before);
  });
});

describe("data-key cache on the read path", () => {
  it("serves repeated opens of one version from one KMS Decrypt", async () => {
    const client = connectClient();
    const { version } = await client.sealCredential({ orgId: "org-c", connectionId: "cfconn_c", payload: payload("cached") }, auth(internalToken));
    h.cache.clear();
    const start = fake.requests.length;
    await Promise.all(Array.from({ length: 10 }, () => client.openCredential({ orgId: "org-c", connectionId: "cfconn_c", version }, auth(internalToken))));
    await client.openCredential({ orgId: "org-c", connectionId: "cfconn_c", version }, auth(internalToken));
    const decrypts = fake.requests.slice(start).filter((r) => r.target === "TrentService.Decrypt");
    expect(decrypts).toHaveLength(1);
    expect(decrypts[0]?.encryptionContext).toEqual({ org_id: "org-c", connection_id: "cfconn_c" });
  });
});

import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { Code, ConnectError, createClient, type Client } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { createTokenVerifier, signDevToken } from "@planton/auth";
import { VaultService } from "@planton/proto/planton/connect/v1/vault_pb";
import { startServer, type RunningServer } from "@planton/server";
import { captureLogs, fakeKmsCredentials, startFakeKms, startSilentEndpoint, type FakeKms, type SilentEndpoint } from "@planton/testing";
import { createAwsKmsKeyProvider } from "../src/keys/aws-kms-key-provider.js";
import { startVault, type VaultHarness } from "./support/vault-harness.js";

// Fault tests: a KMS endpoint that accepts TCP and never answers. Every bound
// below is "ends before the timeout plus 2 s of slack", so a regression to the
// old behaviour (minutes of waiting) fails, while a slow machine does not.

const secret = "test-secret-for-the-kms-timeout-tests-0123456789";
const SLACK_MS = 2_000;
const CALL_TIMEOUT_MS = 1_500;
const logs = captureLogs();
let fake: FakeKms;
let silent: SilentEndpoint;
let keyId: string;
let internalToken: string;
const started: { vault: VaultHarness; server: RunningServer }[] = [];

beforeAll(async () => {
  fake = await startFakeKms({ region: "eu-central-1" });
  keyId = fake.createKey().keyId;
  silent = await startSilentEndpoint();
  internalToken = await signDevToken(secret, { subject: "svc-registry", orgId: "platform", scopes: ["internal"] });
});

afterAll(async () => {
  for (const { vault, server } of started) {
    await server.shutdown(1_000);
    await vault.dispose();
  }
  await silent?.close();
  await fake?.close();
});

/** A vault (behind a real server) whose KMS is the silent endpoint. */
async function silentKmsVault(env: Record<string, string>) {
  const vault = await startVault({
    logger: logs.logger,
    env,
    keys: createAwsKmsKeyProvider({
      keyId,
      region: fake.region,
      endpoint: silent.url,
      credentials: fakeKmsCredentials,
      maxAttempts: 3,
      requestTimeoutMs: 1_000,
      callTimeoutMs: CALL_TIMEOUT_MS,
    }),
  });
  const server = await startServer({
    host: "127.0.0.1",
    port: 0,
    grpcPort: 0,
    services: [vault.registration],
    verifier: createTokenVerifier({ kind: "hs256", secret }),
    mapError: vault.mapError,
    logger: logs.logger,
  });
  started.push({ vault, server });
  const client: Client<typeof VaultService> = createClient(VaultService, createGrpcTransport({ baseUrl: `http://${server.grpcAddress}` }));
  return { vault, client };
}

const headers = () => ({ authorization: `Bearer ${internalToken}` });
const payload = new TextEncoder().encode("sealed while KMS is silent");

/** Runs a call and returns its error and how long it took. */
async function timed(call: () => Promise<unknown>): Promise<{ error: ConnectError; ms: number }> {
  const start = performance.now();
  try {
    await call();
  } catch (error) {
    return { error: ConnectError.from(error), ms: performance.now() - start };
  }
  throw new Error("expected the call to fail");
}

describe("a KMS that accepts TCP and never answers", () => {
  it("makes SealCredential UNAVAILABLE, naming KMS, within the KMS call timeout; nothing is stored", async () => {
    const { vault, client } = await silentKmsVault({ KMS_CIRCUIT_FAILURES: "100" });
    const acceptedBefore = silent.accepted;
    const { error, ms } = await timed(() => client.sealCredential({ orgId: "org-silent", connectionId: "awsconn_s", payload }, { headers: headers() }));
    expect(error.code).toBe(Code.Unavailable);
    expect(error.rawMessage).toContain("KMS");
    expect(error.rawMessage).toContain(`did not answer within ${CALL_TIMEOUT_MS} ms`);
    expect(error.rawMessage).not.toContain("sealed while");
    expect(ms).toBeLessThan(CALL_TIMEOUT_MS + SLACK_MS);
    // It really waited on KMS (and retried within the budget), rather than
    // failing for some other reason.
    expect(silent.accepted - acceptedBefore).toBeGreaterThanOrEqual(1);
    // The vault let go of its sockets to KMS.
    await vi.waitFor(() => expect(silent.open).toBe(0), { timeout: SLACK_MS });
    expect(await vault.db.selectFrom("credential_versions").selectAll().execute()).toEqual([]);
    // Logged as a dependency outage, never as INTERNAL.
    const sealLogs = logs.records().filter((r) => r.procedure === "/planton.connect.v1.VaultService/SealCredential");
    expect(sealLogs.map((r) => r.code)).toEqual(["Unavailable"]);
  });

  it("ends with the caller's shorter deadline (DEADLINE_EXCEEDED) and releases the KMS socket", async () => {
    const { vault, client } = await silentKmsVault({ KMS_CIRCUIT_FAILURES: "100" });
    const { error, ms } = await timed(() =>
      client.sealCredential({ orgId: "org-silent", connectionId: "awsconn_d", payload }, { headers: headers(), timeoutMs: 300 }),
    );
    expect(error.code).toBe(Code.DeadlineExceeded);
    expect(ms).toBeLessThan(300 + SLACK_MS);
    // Server side, the deadline reached the KMS call: its socket is closed
    // well before the KMS call timeout would have closed it.
    const deadlineAt = performance.now();
    await vi.waitFor(() => expect(silent.open).toBe(0), { timeout: SLACK_MS });
    expect(performance.now() - deadlineAt).toBeLessThan(CALL_TIMEOUT_MS);

    // In process (the all-in-one registry calls the vault directly), the
    // caller's own abort reason comes back unchanged.
    const reason = new ConnectError("the operation timed out", Code.DeadlineExceeded);
    const controller = new AbortController();
    setTimeout(() => controller.abort(reason), 200);
    const start = performance.now();
    await expect(vault.vault.seal("org-silent", "awsconn_d", payload, controller.signal)).rejects.toBe(reason);
    expect(performance.now() - start).toBeLessThan(200 + SLACK_MS);
    // A deadline the caller set is the caller's, not a KMS outage.
    expect(vault.kmsAvailable()).toBe(true);
  });

  it("opens the circuit after KMS_CIRCUIT_FAILURES timeouts, fails fast while open, and closes once KMS answers", async () => {
    const { vault, client } = await silentKmsVault({ KMS_CIRCUIT_FAILURES: "2", KMS_CIRCUIT_COOLDOWN_MS: "1000" });
    const seal = (connectionId: string) => client.sealCredential({ orgId: "org-circuit", connectionId, payload }, { headers: headers() });
    for (let i = 0; i < 2; i++) {
      expect(vault.kmsAvailable()).toBe(true);
      expect((await timed(() => seal("awsconn_c"))).error.code).toBe(Code.Unavailable);
    }
    expect(vault.kmsAvailable()).toBe(false);

    // Open: UNAVAILABLE at once, and KMS is not even contacted.
    const accepted = silent.accepted;
    const fast = await timed(() => seal("awsconn_c"));
    expect(fast.error.code).toBe(Code.Unavailable);
    expect(fast.error.rawMessage).toContain("circuit is open");
    expect(fast.ms).toBeLessThan(CALL_TIMEOUT_MS);
    expect(silent.accepted).toBe(accepted);

    // KMS comes back: after the cool-down one trial goes through and closes it.
    silent.forwardTo({ host: "127.0.0.1", port: Number(new URL(fake.url).port) });
    await vi.waitFor(() => expect(vault.kmsAvailable()).toBe(true), { timeout: 1_000 + SLACK_MS });
    const sealed = await seal("awsconn_c");
    expect(sealed.version).toBe(1);
    expect(vault.kmsAvailable()).toBe(true);
    const opened = await client.openCredential({ orgId: "org-circuit", connectionId: "awsconn_c", version: 1 }, { headers: headers() });
    expect(new TextDecoder().decode(opened.payload)).toBe("sealed while KMS is silent");
    silent.forwardTo(null);
    const text = logs.text();
    expect(text).toContain("KMS circuit opened");
    expect(text).toContain("KMS circuit closed");
  });
});

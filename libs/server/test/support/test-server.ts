import { randomBytes } from "node:crypto";
import { afterAll, beforeAll } from "vitest";
import * as net from "node:net";
import { createTokenVerifier, signDevToken } from "@planton/auth";
import { VaultService } from "@planton/proto/planton/connect/v1/vault_pb";
import { registerService, startServer, type RunningServer } from "@planton/server";
import { captureLogs, type LogCapture } from "@planton/testing";
import { createFakeVault, mapError, type FakeVault } from "./fake-vault.js";
import { CALLERS, type Caller } from "./transports.js";

export const ALLOWED_ORIGIN = "https://app.example.com";

/** A started server with the fake vault behind both listeners. */
export interface TestServer {
  readonly server: RunningServer;
  readonly vault: FakeVault;
  readonly logs: LogCapture;
  readonly secret: string;
  /** A token for `svc-test@org-test` with the given scopes (default: internal). */
  token(scopes?: readonly string[], subject?: string, orgId?: string): Promise<string>;
  /** `{ authorization: "Bearer ..." }` for {@link token}. */
  auth(scopes?: readonly string[], subject?: string, orgId?: string): Promise<Record<string, string>>;
}

export async function startTestServer(): Promise<TestServer> {
  const secret = randomBytes(32).toString("base64url");
  const vault = createFakeVault();
  const logs = captureLogs();
  const server = await startServer({
    host: "127.0.0.1",
    port: 0,
    grpcPort: 0,
    services: [registerService(VaultService, vault.impl, { default: { scopes: ["internal"] } })],
    verifier: createTokenVerifier({ kind: "hs256", secret }),
    mapError,
    logger: logs.logger,
    corsOrigins: [ALLOWED_ORIGIN],
  });
  const token = (scopes: readonly string[] = ["internal"], subject = "svc-test", orgId = "org-test") => signDevToken(secret, { subject, orgId, scopes });
  return {
    server,
    vault,
    logs,
    secret,
    token,
    auth: async (scopes, subject, orgId) => ({ authorization: `Bearer ${await token(scopes, subject, orgId)}` }),
  };
}

/** Resolves with the error code of a fresh TCP connection attempt, or "connected". */
export function tryConnect(port: number, host = "127.0.0.1"): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host });
    socket.once("connect", () => {
      socket.destroy();
      resolve("connected");
    });
    socket.once("error", (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
  });
}

let counter = 0;
/** A connection id unique within the test process, so probes never collide. */
export function uniqueId(prefix: string): string {
  counter++;
  return `${prefix}-${counter}-${randomBytes(3).toString("hex")}`;
}

/** The shared server of a test file and one caller per transport. */
export interface ServerAndCallers {
  readonly t: TestServer;
  readonly callers: Caller[];
}

/**
 * useServerAndCallers starts a {@link TestServer} and every caller in
 * {@link CALLERS} before the file's tests and stops them afterwards. Read the
 * fields inside tests (they are set in beforeAll).
 */
export function useServerAndCallers(): ServerAndCallers {
  const state = {} as { t: TestServer; callers: Caller[] };
  beforeAll(async () => {
    state.t = await startTestServer();
    state.callers = CALLERS.map((factory) => factory.create(state.t.server));
  });
  afterAll(async () => {
    for (const caller of state.callers ?? []) caller.close();
    await state.t?.server.shutdown(1_000);
  });
  return state;
}

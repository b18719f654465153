import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inject } from "vitest";
import { createClient, type Client } from "@connectrpc/connect";
import { createTokenVerifier, signDevToken } from "@planton/auth";
import type { EventPublisher } from "@planton/events";
import type { Logger } from "@planton/logging";
import { ConnectionService } from "@planton/proto/planton/connect/v1/connection_service_pb";
import { RunnerService } from "@planton/proto/planton/connect/v1/runner_service_pb";
import { AwsTrustService } from "@planton/proto/planton/connect/v1/aws_trust_service_pb";
import { createConnectTransport } from "@connectrpc/connect-node";
import { startServer, type RunningServer } from "@planton/server";
import { createTestDatabase, userTransport, type TestDatabase } from "@planton/testing";
import { buildVault, loadVaultConfig, type VaultComponents } from "@planton/vault";
import { loadRegistryConfig } from "../../src/config.js";
import { buildRegistry, type RegistryComponents } from "../../src/registry-components.js";
import { createLocalVaultClient } from "../../src/vault-client.js";

export const SECRET = "registry-test-secret-0123456789-abcdefgh";

/** The registry and the vault on one server, as `npm start` runs them, on a fresh database. */
export interface RegistryHarness {
  readonly registry: RegistryComponents;
  readonly vault: VaultComponents;
  readonly server: RunningServer;
  readonly database: TestDatabase;
  /** Clients acting as a user of `orgId` with read and write scopes. */
  clients(
    orgId: string,
    scopes?: string[],
  ): Promise<{ connections: Client<typeof ConnectionService>; runners: Client<typeof RunnerService>; trust: Client<typeof AwsTrustService> }>;
  /** AwsTrustService without a bearer token, as the CloudFormation custom resource calls it. */
  anonymousTrust(): Client<typeof AwsTrustService>;
  dispose(): Promise<void>;
}

/** startRegistry builds vault and registry with the real migrations, the local key provider and `publisher`. */
export async function startRegistry(options: {
  logger: Logger;
  publisher: EventPublisher;
  databaseUrl?: string;
  /** Extra registry environment (e.g. AWS_TRUST_*). */
  env?: Record<string, string>;
}): Promise<RegistryHarness> {
  const database = await createTestDatabase(inject("databaseUrl"), "registry");
  const url = options.databaseUrl ?? database.url;
  const dataDir = await mkdtemp(join(tmpdir(), "registry-test-"));
  const vault = await buildVault({ config: loadVaultConfig({ DATA_DIR: dataDir }), databaseUrl: url, logger: options.logger });
  const registry = await buildRegistry({
    config: loadRegistryConfig({ DATA_DIR: dataDir, OUTBOX_POLL_MS: "50", ...options.env }, { requireVaultUrl: false }),
    databaseUrl: url,
    logger: options.logger,
    vault: createLocalVaultClient(vault.vault),
    publisher: options.publisher,
  });
  const server = await startServer({
    host: "127.0.0.1",
    port: 0,
    grpcPort: 0,
    services: registry.registrations,
    httpRoutes: registry.httpRoutes,
    verifier: createTokenVerifier({ kind: "hs256", secret: SECRET }),
    mapError: (error) => registry.mapError(error) ?? vault.mapError(error),
    logger: options.logger,
  });
  return {
    registry,
    vault,
    server,
    database,
    async clients(orgId, scopes = ["connections:read", "connections:write"]) {
      const token = await signDevToken(SECRET, { subject: `user@${orgId}`, orgId, scopes });
      const transport = userTransport(server.url, token);
      return {
        connections: createClient(ConnectionService, transport),
        runners: createClient(RunnerService, transport),
        trust: createClient(AwsTrustService, transport),
      };
    },
    anonymousTrust() {
      return createClient(AwsTrustService, createConnectTransport({ baseUrl: server.url, httpVersion: "1.1" }));
    },
    async dispose() {
      await server.shutdown(1000);
      await registry.close();
      await vault.close();
      await database.drop();
    },
  };
}

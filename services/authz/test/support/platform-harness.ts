import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inject } from "vitest";
import { createClient, type Client } from "@connectrpc/connect";
import { createTokenVerifier, signDevToken } from "@planton/auth";
import { createInProcessBus, type EventEnvelope, type InProcessBus } from "@planton/events";
import type { Logger } from "@planton/logging";
import type { Registry } from "prom-client";
import { EnvironmentAuthorizationService } from "@planton/proto/planton/connect/v1/authz_service_pb";
import { ConnectionService } from "@planton/proto/planton/connect/v1/connection_service_pb";
import { buildRegistry, createLocalVaultClient, loadRegistryConfig, type RegistryComponents } from "@planton/registry";
import { startServer, type RunningServer } from "@planton/server";
import { createTestDatabase, userTransport, type TestDatabase } from "@planton/testing";
import { buildVault, loadVaultConfig, type VaultComponents } from "@planton/vault";
import { buildAuthz, type AuthzComponents } from "../../src/authz-components.js";
import { CONSUMED_SUBJECTS } from "../../src/connection-events.js";
import { loadAuthzConfig } from "../../src/config.js";

export const SECRET = "authz-test-secret-0123456789-abcdefghijk";

/** Vault, registry and authz on one server and one fresh database, wired as `npm start` wires them. */
export interface PlatformHarness {
  readonly vault: VaultComponents;
  readonly registry: RegistryComponents;
  readonly authz: AuthzComponents;
  readonly server: RunningServer;
  readonly bus: InProcessBus;
  readonly events: EventEnvelope[];
  readonly database: TestDatabase;
  clients(orgId: string, scopes?: string[]): Promise<{ connections: Client<typeof ConnectionService>; authz: Client<typeof EnvironmentAuthorizationService> }>;
  dispose(): Promise<void>;
}

const ALL_SCOPES = ["connections:read", "connections:write", "environments:admin", "credentials:resolve"];

/**
 * startPlatform builds the three services; `env` overrides authz settings
 * (e.g. VERSION_RETENTION_MS); `metrics` is the registry authz reports in.
 */
export async function startPlatform(options: { logger: Logger; env?: Record<string, string>; metrics?: Registry }): Promise<PlatformHarness> {
  const database = await createTestDatabase(inject("databaseUrl"), "authz");
  const dataDir = await mkdtemp(join(tmpdir(), "authz-test-"));
  const bus = createInProcessBus(options.logger, { retryBaseMs: 10 });
  const events: EventEnvelope[] = [];
  bus.subscribe("connect.>", async (event) => {
    events.push(event);
  });
  const vault = await buildVault({ config: loadVaultConfig({ DATA_DIR: dataDir }), databaseUrl: database.url, logger: options.logger });
  let authz: AuthzComponents | undefined;
  const registry = await buildRegistry({
    // A real-looking principal: StartSetup refuses while AWS_TRUST_PRINCIPAL_ARN is unset or a placeholder.
    config: loadRegistryConfig(
      { DATA_DIR: dataDir, OUTBOX_POLL_MS: "20", AWS_TRUST_PRINCIPAL_ARN: "arn:aws:iam::999999999999:role/planton-runner" },
      { requireVaultUrl: false },
    ),
    databaseUrl: database.url,
    logger: options.logger,
    vault: createLocalVaultClient(vault.vault),
    publisher: bus,
    countPins: (orgId, connectionId) => authz!.countPins(orgId, connectionId),
  });
  authz = await buildAuthz({
    config: loadAuthzConfig({ DATA_DIR: dataDir, RETENTION_INTERVAL_MS: "3600000", ...options.env }, { requireUrls: false }),
    databaseUrl: database.url,
    logger: options.logger,
    registry: { lookup: (orgId, reference) => registry.connections.lookup(orgId, reference) },
    vault: {
      open: (orgId, connectionId, version) => vault.vault.open({ orgId, connectionId, version }),
      destroy: async (orgId, connectionId, version) => {
        await vault.vault.destroy(orgId, connectionId, version);
      },
    },
    ...(options.metrics ? { metrics: options.metrics } : {}),
  });
  const built = authz;
  for (const subject of CONSUMED_SUBJECTS) bus.subscribe(subject, (event) => built.onConnectionEvent(event.data));
  const server = await startServer({
    host: "127.0.0.1",
    port: 0,
    grpcPort: 0,
    services: [vault.registration, ...registry.registrations, built.registration],
    verifier: createTokenVerifier({ kind: "hs256", secret: SECRET }),
    mapError: (error) => registry.mapError(error) ?? built.mapError(error) ?? vault.mapError(error),
    logger: options.logger,
  });
  return {
    vault,
    registry,
    authz: built,
    server,
    bus,
    events,
    database,
    async clients(orgId, scopes = ALL_SCOPES) {
      const token = await signDevToken(SECRET, { subject: `deployer@${orgId}`, orgId, scopes });
      const transport = userTransport(server.url, token);
      return { connections: createClient(ConnectionService, transport), authz: createClient(EnvironmentAuthorizationService, transport) };
    },
    async dispose() {
      await server.shutdown(1000);
      await registry.close();
      await built.close();
      await vault.close();
      await bus.close();
      await database.drop();
    },
  };
}

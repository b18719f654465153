import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTokenVerifier, signDevToken } from "@planton/auth";
import { buildAuthz, loadAuthzConfig, type AuthzComponents } from "@planton/authz";
import { resolveDatabase, type DatabaseLocation } from "@planton/db";
import { createInProcessBus } from "@planton/events";
import { silentLogger } from "@planton/logging";
import { buildRegistry, createLocalVaultClient, loadRegistryConfig, type RegistryComponents } from "@planton/registry";
import { startServer, type RunningServer } from "@planton/server";
import { createTestDatabase } from "@planton/testing";
import { buildVault, loadVaultConfig, type VaultComponents } from "@planton/vault";

const SECRET = "bench-secret-0123456789-0123456789-abcdef";

/** Vault, registry and (optionally) authz in one process on a fresh database, as `npm start` runs them. */
export interface BenchPlatform {
  readonly location: DatabaseLocation;
  readonly vault: VaultComponents;
  readonly registry: RegistryComponents;
  readonly authz: AuthzComponents | undefined;
  readonly server: RunningServer;
  /** A dev token of org-bench with every user scope. */
  token(): Promise<string>;
  dispose(): Promise<void>;
}

/** startBenchPlatform builds the services on `DATABASE_URL` (or the embedded PostgreSQL) and serves them. */
export async function startBenchPlatform(name: string, options: { authz: boolean }): Promise<BenchPlatform> {
  const dataDir = await mkdtemp(join(tmpdir(), `${name}-bench-`));
  const location = await resolveDatabase({ databaseUrl: process.env["DATABASE_URL"], dataDir, logger: silentLogger });
  const database = await createTestDatabase(location.url, `bench_${name}`);
  const bus = createInProcessBus(silentLogger);
  const vault = await buildVault({ config: loadVaultConfig({ DATA_DIR: dataDir }), databaseUrl: database.url, logger: silentLogger });
  const registry = await buildRegistry({
    config: loadRegistryConfig({ DATA_DIR: dataDir }, { requireVaultUrl: false }),
    databaseUrl: database.url,
    logger: silentLogger,
    vault: createLocalVaultClient(vault.vault),
    publisher: bus,
  });
  const authz = options.authz
    ? await buildAuthz({
        config: loadAuthzConfig({ DATA_DIR: dataDir }, { requireUrls: false }),
        databaseUrl: database.url,
        logger: silentLogger,
        registry: { lookup: (orgId, reference) => registry.connections.lookup(orgId, reference) },
        vault: {
          open: (orgId, connectionId, version) => vault.vault.open({ orgId, connectionId, version }),
          destroy: async (orgId, connectionId, version) => {
            await vault.vault.destroy(orgId, connectionId, version);
          },
        },
      })
    : undefined;
  const server = await startServer({
    host: "127.0.0.1",
    port: 0,
    grpcPort: 0,
    services: [vault.registration, ...registry.registrations, ...(authz ? [authz.registration] : [])],
    verifier: createTokenVerifier({ kind: "hs256", secret: SECRET }),
    mapError: (error) => registry.mapError(error) ?? authz?.mapError(error) ?? vault.mapError(error),
    logger: silentLogger,
  });
  return {
    location,
    vault,
    registry,
    authz,
    server,
    token: () =>
      signDevToken(SECRET, {
        subject: "bench",
        orgId: "org-bench",
        scopes: ["connections:read", "connections:write", "environments:admin", "credentials:resolve"],
      }),
    async dispose() {
      await server.shutdown(1000);
      await authz?.close();
      await registry.close();
      await vault.close();
      await bus.close();
      await database.drop();
      await location.release();
    },
  };
}

import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inject } from "vitest";
import { createTestDatabase, type TestDatabase } from "@planton/testing";
import type { Logger } from "@planton/logging";
import { loadVaultConfig } from "../../src/config.js";
import type { KeyProvider } from "../../src/keys/key-provider.js";
import { buildVault, type VaultComponents } from "../../src/vault-components.js";

/** A vault on a fresh database of the machine's PostgreSQL, with real migrations. */
export interface VaultHarness extends VaultComponents {
  readonly database: TestDatabase;
  readonly dataDir: string;
  dispose(): Promise<void>;
}

/**
 * startVault builds the vault exactly as main.ts does, on a database made for
 * the calling test file. Without `keys` it uses the local key provider in a
 * temp folder.
 */
export async function startVault(options: { logger: Logger; keys?: KeyProvider; env?: Record<string, string> }): Promise<VaultHarness> {
  const database = await createTestDatabase(inject("databaseUrl"), "vault");
  const dataDir = await mkdtemp(join(tmpdir(), "vault-test-"));
  const config = loadVaultConfig({ DATA_DIR: dataDir, DATABASE_URL: database.url, ...options.env });
  const components = await buildVault({
    config,
    databaseUrl: database.url,
    logger: options.logger,
    ...(options.keys ? { keys: options.keys } : {}),
  });
  return {
    ...components,
    database,
    dataDir,
    async dispose() {
      await components.close();
      await database.drop();
    },
  };
}

import type { Logger } from "@planton/logging";
import { startEmbeddedPostgres } from "./embedded-postgres.js";

/** Where a process's database lives, and how to let go of it at exit. */
export interface DatabaseLocation {
  readonly url: string;
  readonly embedded: boolean;
  /** Stops the embedded server (no-op for an outside server). */
  release(): Promise<void>;
}

/**
 * resolveDatabase returns `databaseUrl` when it is set and otherwise starts the
 * embedded PostgreSQL in `dataDir`, so a user without a server can still run
 * the system.
 */
export async function resolveDatabase(options: { databaseUrl: string | undefined; dataDir: string; logger: Logger }): Promise<DatabaseLocation> {
  if (options.databaseUrl !== undefined) {
    return { url: options.databaseUrl, embedded: false, release: async () => undefined };
  }
  const embedded = await startEmbeddedPostgres({ dataDir: options.dataDir, logger: options.logger });
  options.logger.info({ data_dir: embedded.dataDir }, "embedded PostgreSQL started");
  return { url: embedded.url, embedded: true, release: () => embedded.stop() };
}

/**
 * The vault's composition root: the only place that reads the environment
 * and builds the logger, database, key provider and server.
 */
import { ConfigError, createEnvReader } from "@planton/config";
import { createLogger, scrubText } from "@planton/logging";
import { createPostgresProbe, resolveDatabase } from "@planton/db";
import { onShutdownSignal, readReadinessTiming, setupAuth, startServer } from "@planton/server";
import { loadVaultConfig } from "./config.js";
import { buildVault } from "./vault-components.js";

async function main(command: string | undefined): Promise<void> {
  const config = loadVaultConfig(process.env);
  const readinessTiming = readReadinessTiming(createEnvReader(process.env));
  const logger = createLogger({ level: config.service.logLevel });
  const database = await resolveDatabase({ databaseUrl: config.service.databaseUrl, dataDir: config.service.dataDir, logger });
  // buildVault migrates the schema to the latest version first.
  const vault = await buildVault({ config, databaseUrl: database.url, logger });
  if (command === "migrate") {
    // `main.js migrate`: run the migrations (e.g. from a deploy job) and exit.
    await vault.close();
    await database.release();
    return;
  }
  if (command !== undefined) throw new Error(`unknown command "${command}" (expected no command or "migrate")`);
  const auth = await setupAuth(config.service.auth, config.service.dataDir);
  const postgres = createPostgresProbe({ url: database.url, services: [vault.registration.service.typeName] });
  const server = await startServer({
    host: config.service.host,
    port: config.service.port,
    grpcPort: config.service.grpcPort,
    services: [vault.registration],
    verifier: auth.verifier,
    mapError: vault.mapError,
    logger,
    corsOrigins: config.service.corsOrigins,
    readiness: { ...readinessTiming, probes: [postgres] },
  });
  logger.info({ url: server.url, grpc: server.grpcAddress }, "vault listening");
  onShutdownSignal(async (signal) => {
    logger.info({ signal }, "shutting down");
    await server.shutdown(config.service.shutdownGraceMs);
    await postgres.close();
    await vault.close();
    await database.release();
    logger.info({}, "stopped");
  });
}

main(process.argv[2]).catch((error: unknown) => {
  // Config errors name the variable and never echo its value.
  console.error(error instanceof ConfigError ? error.message : scrubText(`vault failed to start: ${error instanceof Error ? error.message : String(error)}`));
  process.exit(1);
});

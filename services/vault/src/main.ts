/**
 * The vault's composition root: the only place that reads the environment
 * and builds the logger, database, key provider and server.
 */
import { createEnvReader } from "@planton/config";
import { createLogger } from "@planton/logging";
import { startTracing } from "@planton/tracing";
import { createPostgresProbe, resolveDatabase } from "@planton/db";
import {
  flagProbe,
  readReadinessTiming,
  setupAuth,
  runService,
  startServer,
  createMetricsRegistry,
  startMetricsServer,
  type StartedService,
} from "@planton/server";
import { loadVaultConfig } from "./config.js";
import { createLocalKey } from "./keys/local-key-provider.js";
import { buildVault } from "./vault-components.js";

async function main(command: string | undefined, args: string[]): Promise<StartedService | undefined> {
  const config = loadVaultConfig(process.env);
  const readinessTiming = readReadinessTiming(createEnvReader(process.env));
  const logger = createLogger({ level: config.service.logLevel });
  // First: every call and event after this carries a trace context (exported when OTEL_EXPORTER_OTLP_ENDPOINT is set).
  const tracing = startTracing({ settings: config.service.tracing, serviceName: "vault", logger });
  if (command === "create-local-key") {
    // `main.js create-local-key <id>`: the one way to add a local master key
    // (e.g. before RewrapDataKeys to it); needs no database.
    const keyId = args[0];
    if (config.keyProvider.kind !== "local") throw new Error("create-local-key needs KEY_PROVIDER=local (KMS keys are created in AWS)");
    if (keyId === undefined || args.length !== 1) throw new Error("usage: main.js create-local-key <key id>");
    const created = await createLocalKey(config.keyProvider.keyDir, keyId);
    logger.info(
      { key_id: keyId, key_dir: config.keyProvider.keyDir, created },
      created ? "local master key created" : "local master key already exists; left unchanged",
    );
    return;
  }
  // One registry for the whole process; only a serving process has metrics.
  const metrics = command === undefined ? createMetricsRegistry() : undefined;
  const database = await resolveDatabase({ databaseUrl: config.service.databaseUrl, dataDir: config.service.dataDir, logger });
  // buildVault migrates the schema to the latest version first.
  const vault = await buildVault({ config, databaseUrl: database.url, logger, ...(metrics ? { metrics } : {}) });
  if (command === "migrate") {
    // `main.js migrate`: run the migrations (e.g. from a deploy job) and exit.
    await vault.close();
    await database.release();
    return;
  }
  if (command !== undefined || metrics === undefined)
    throw new Error(`unknown command "${command}" (expected no command, "migrate" or "create-local-key <id>")`);
  const auth = await setupAuth(config.service.auth, config.service.dataDir);
  const postgres = createPostgresProbe({ url: database.url, services: [vault.registration.service.typeName] });
  // Prometheus scrapes its own port, never the public listeners.
  const metricsServer = await startMetricsServer({ host: config.service.host, port: config.service.metricsPort, registry: metrics, logger });
  const server = await startServer({
    host: config.service.host,
    port: config.service.port,
    grpcPort: config.service.grpcPort,
    services: [vault.registration],
    verifier: auth.verifier,
    mapError: vault.mapError,
    logger,
    corsOrigins: config.service.corsOrigins,
    limits: config.service.listenerLimits,
    // KMS: NOT_SERVING while the vault's KMS circuit is open (local keys never open it).
    readiness: { ...readinessTiming, probes: [postgres, flagProbe("kms", [vault.registration.service.typeName], () => vault.kmsAvailable())] },
    metrics,
  });
  logger.info({ url: server.url, grpc: server.grpcAddress, metrics: `${metricsServer.url}/metrics` }, "vault listening");
  return {
    logger,
    async stop() {
      await server.shutdown(config.service.shutdownGraceMs);
      await postgres.close();
      await vault.close();
      await database.release();
      await metricsServer.close();
      logger.info({}, "stopped");
      await tracing.shutdown();
    },
  };
}

runService("vault", () => main(process.argv[2], process.argv.slice(3)));

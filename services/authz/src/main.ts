/**
 * authz's composition root: reads the environment once and builds the
 * logger, database, registry and vault clients, the event consumer and the
 * server.
 */
import { createEnvReader } from "@planton/config";
import { createPostgresProbe, resolveDatabase } from "@planton/db";
import { createNatsProbe } from "@planton/events";
import { createLogger } from "@planton/logging";
import { startTracing } from "@planton/tracing";
import { readReadinessTiming, setupAuth, runService, startServer, createMetricsRegistry, startMetricsServer, type StartedService } from "@planton/server";
import { createServiceTokenSource } from "@planton/auth";
import { buildAuthz } from "./authz-components.js";
import { loadAuthzConfig } from "./config.js";
import { startConnectionEventConsumer } from "./event-consumer.js";
import { createRpcRegistryLookup, createRpcVault } from "./rpc-clients.js";

async function main(command: string | undefined): Promise<StartedService | undefined> {
  const config = loadAuthzConfig(process.env, { requireUrls: command !== "migrate" });
  const readinessTiming = readReadinessTiming(createEnvReader(process.env));
  const logger = createLogger({ level: config.service.logLevel });
  // First: every call and event after this carries a trace context (exported when OTEL_EXPORTER_OTLP_ENDPOINT is set).
  const tracing = startTracing({ settings: config.service.tracing, serviceName: "authz", logger });
  // One registry for the whole process; only a serving process has metrics.
  const metrics = command === undefined ? createMetricsRegistry() : undefined;
  const database = await resolveDatabase({ databaseUrl: config.service.databaseUrl, dataDir: config.service.dataDir, logger });
  const auth = await setupAuth(config.service.auth, config.service.dataDir);
  const tokens = createServiceTokenSource({ subject: "svc-authz", tokenFile: config.serviceTokenFile, token: config.serviceToken, devSecret: auth.devSecret });
  const authz = await buildAuthz({
    config,
    databaseUrl: database.url,
    logger,
    registry: createRpcRegistryLookup(config.registryUrl ?? "http://127.0.0.1:9090", tokens),
    vault: createRpcVault(config.vaultUrl ?? "http://127.0.0.1:9090", tokens),
    ...(metrics ? { metrics } : {}),
  });
  if (command === "migrate") {
    await authz.close();
    await database.release();
    return;
  }
  if (command !== undefined || metrics === undefined) throw new Error(`unknown command "${command}" (expected no command or "migrate")`);
  const consumer =
    config.service.natsUrl !== undefined
      ? await startConnectionEventConsumer({
          url: config.service.natsUrl,
          logger,
          handle: (data) => authz.onConnectionEvent(data),
          metrics,
          ackWaitMs: config.consumer.ackWaitMs,
        })
      : undefined;
  // authz needs PostgreSQL for everything, and NATS (when configured) to see rotations and deletions.
  const services = [authz.registration.service.typeName];
  const probes = [
    createPostgresProbe({ url: database.url, services }),
    ...(config.service.natsUrl !== undefined ? [createNatsProbe({ url: config.service.natsUrl, services })] : []),
  ];
  if (consumer === undefined) logger.warn({}, "NATS_URL is not set: rotations and deletions in the registry are not seen");
  // Prometheus scrapes its own port, never the public listeners.
  const metricsServer = await startMetricsServer({ host: config.service.host, port: config.service.metricsPort, registry: metrics, logger });
  const server = await startServer({
    host: config.service.host,
    port: config.service.port,
    grpcPort: config.service.grpcPort,
    services: [authz.registration],
    verifier: auth.verifier,
    mapError: authz.mapError,
    logger,
    corsOrigins: config.service.corsOrigins,
    limits: config.service.listenerLimits,
    readiness: { ...readinessTiming, probes },
    metrics,
  });
  logger.info({ url: server.url, grpc: server.grpcAddress, metrics: `${metricsServer.url}/metrics` }, "authz listening");
  return {
    logger,
    async stop() {
      await server.shutdown(config.service.shutdownGraceMs);
      await consumer?.stop();
      for (const probe of probes) await probe.close();
      await authz.close();
      await database.release();
      await metricsServer.close();
      await tracing.shutdown();
    },
  };
}

runService("authz", () => main(process.argv[2]));

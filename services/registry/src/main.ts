/**
 * The registry's composition root: reads the environment once and builds the
 * logger, database, vault client, event publisher and server.
 */
import { createEnvReader } from "@planton/config";
import { createPostgresProbe, resolveDatabase } from "@planton/db";
import { connectJetStream, createInProcessBus, type EventPublisher } from "@planton/events";
import { createLogger } from "@planton/logging";
import { startTracing } from "@planton/tracing";
import { readReadinessTiming, setupAuth, runService, startServer, createMetricsRegistry, startMetricsServer, type StartedService } from "@planton/server";
import { loadRegistryConfig } from "./config.js";
import { buildRegistry } from "./registry-components.js";
import { createServiceTokenSource } from "@planton/auth";
import { createRpcPinCounter, createRpcVaultClient } from "./vault-client.js";
import { loadPublishConfig, publishTemplate } from "./trust/publish-template.js";

async function main(command: string | undefined): Promise<StartedService | undefined> {
  if (command === "publish-template") {
    // Needs only S3 access: no database, vault or events.
    const result = await publishTemplate(loadPublishConfig(process.env));
    process.stdout.write(`${result.alreadyPublished ? "already published" : "published"}: ${result.url}\nset AWS_TRUST_TEMPLATE_URL=${result.url}\n`);
    return;
  }
  const config = loadRegistryConfig(process.env, { requireVaultUrl: command !== "migrate" });
  const readinessTiming = readReadinessTiming(createEnvReader(process.env));
  const logger = createLogger({ level: config.service.logLevel });
  // First: every call and event after this carries a trace context (exported when OTEL_EXPORTER_OTLP_ENDPOINT is set).
  const tracing = startTracing({ settings: config.service.tracing, serviceName: "registry", logger });
  // One registry for the whole process; only a serving process has metrics.
  const metrics = command === undefined ? createMetricsRegistry() : undefined;
  const database = await resolveDatabase({ databaseUrl: config.service.databaseUrl, dataDir: config.service.dataDir, logger });
  const auth = await setupAuth(config.service.auth, config.service.dataDir);
  const tokens = createServiceTokenSource({
    subject: "svc-registry",
    tokenFile: config.serviceTokenFile,
    token: config.serviceToken,
    devSecret: auth.devSecret,
  });
  const publisher: EventPublisher =
    config.service.natsUrl !== undefined ? await connectJetStream({ url: config.service.natsUrl, logger }) : createInProcessBus(logger);
  const registry = await buildRegistry({
    config,
    databaseUrl: database.url,
    logger,
    vault: createRpcVaultClient({ baseUrl: config.vaultUrl ?? "http://127.0.0.1:9090", tokens }),
    publisher,
    ...(metrics ? { metrics } : {}),
    ...(config.authzUrl !== undefined ? { countPins: createRpcPinCounter({ baseUrl: config.authzUrl, tokens }) } : {}),
  });
  // Said at start, for the operator; StartSetup refuses with the same list meanwhile.
  for (const issue of config.trust.platformIssues)
    logger.warn({ setting: issue.setting }, `AWS cross-account trust is refused until this is fixed: ${issue.setting} ${issue.description}`);
  if (config.authzUrl === undefined) logger.warn({}, "AUTHZ_URL is not set: DeleteConnection cannot check for pinned deployments");
  if (command === "migrate") {
    await registry.close();
    await publisher.close();
    await database.release();
    return;
  }
  if (command !== undefined || metrics === undefined) throw new Error(`unknown command "${command}" (expected no command, "migrate" or "publish-template")`);
  // Every registry service reads and writes PostgreSQL: none is ready without it.
  const postgres = createPostgresProbe({ url: database.url, services: registry.registrations.map((r) => r.service.typeName) });
  // Prometheus scrapes its own port, never the public listeners.
  const metricsServer = await startMetricsServer({ host: config.service.host, port: config.service.metricsPort, registry: metrics, logger });
  const server = await startServer({
    host: config.service.host,
    port: config.service.port,
    grpcPort: config.service.grpcPort,
    services: registry.registrations,
    httpRoutes: registry.httpRoutes,
    verifier: auth.verifier,
    mapError: registry.mapError,
    logger,
    corsOrigins: config.service.corsOrigins,
    limits: config.service.listenerLimits,
    readiness: { ...readinessTiming, probes: [postgres] },
    metrics,
  });
  logger.info({ url: server.url, grpc: server.grpcAddress, metrics: `${metricsServer.url}/metrics` }, "registry listening");
  return {
    logger,
    async stop() {
      await server.shutdown(config.service.shutdownGraceMs);
      await postgres.close();
      await registry.close();
      await publisher.close();
      await database.release();
      await metricsServer.close();
      await tracing.shutdown();
    },
  };
}

runService("registry", () => main(process.argv[2]));

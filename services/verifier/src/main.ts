/**
 * The verifier's composition root: reads the environment once and builds
 * the logger, the registry and vault clients, the provider checks, the
 * durable JetStream consumer and the health server.
 */
import { createServiceTokenSource } from "@planton/auth";
import { ConfigError, createEnvReader } from "@planton/config";
import { createNatsProbe } from "@planton/events";
import { createLogger } from "@planton/logging";
import { startTracing } from "@planton/tracing";
import { readReadinessTiming, setupAuth, runService, startServer, createMetricsRegistry, startMetricsServer, type StartedService } from "@planton/server";
import { providerChecks } from "./checks/all-checks.js";
import { VERIFIER_HEALTH_NAME } from "./health-name.js";
import { checkAwsTrust } from "./checks/aws-trust-check.js";
import { createPlatformAwsCredentials, findPlatformAwsIdentityProblem } from "./platform-credentials.js";
import { loadVerifierConfig } from "./config.js";
import { createRpcRegistry, createRpcVault } from "./rpc-clients.js";
import { startVerifierConsumer } from "./event-consumer.js";
import { buildVerifier } from "./verifier-components.js";
import { VERIFIER_MAX_DELIVER } from "./verify-event.js";

async function main(): Promise<StartedService> {
  const config = loadVerifierConfig(process.env, { requireUrls: true });
  const readinessTiming = readReadinessTiming(createEnvReader(process.env));
  const logger = createLogger({ level: config.service.logLevel });
  // First: every call and event after this carries a trace context (exported when OTEL_EXPORTER_OTLP_ENDPOINT is set).
  const tracing = startTracing({ settings: config.service.tracing, serviceName: "verifier", logger });
  if (config.service.natsUrl === undefined) throw new ConfigError("NATS_URL", "is required: the verifier consumes connection events from JetStream");
  const auth = await setupAuth(config.service.auth, config.service.dataDir);
  const tokens = createServiceTokenSource({
    subject: "svc-verifier",
    tokenFile: config.serviceTokenFile,
    token: config.serviceToken,
    devSecret: auth.devSecret,
  });
  const platformAwsCredentials = createPlatformAwsCredentials();
  // Said at start, for the operator; trust checks meanwhile stay pending, never the user's failure.
  void findPlatformAwsIdentityProblem(platformAwsCredentials).then((problem) => {
    if (problem !== undefined) logger.warn({}, `AWS cross-account trust cannot be verified: ${problem}`);
  });
  // One registry for the whole process.
  const metrics = createMetricsRegistry();
  const verifier = buildVerifier({
    config,
    logger,
    registry: createRpcRegistry(config.registryUrl!, tokens),
    vault: createRpcVault(config.vaultUrl!, tokens),
    checks: providerChecks,
    trustCheck: checkAwsTrust,
    platformAwsCredentials,
    deliveryLimit: VERIFIER_MAX_DELIVER,
    metrics,
  });
  const consumer = await startVerifierConsumer({ url: config.service.natsUrl, logger, verifier, metrics, ackWaitMs: config.consumer.ackWaitMs });
  // No database: the verifier is ready while NATS, where its work comes from, answers.
  const nats = createNatsProbe({ url: config.service.natsUrl, services: [VERIFIER_HEALTH_NAME] });
  // No public API: health (and reflection) only, for probes.
  // Prometheus scrapes its own port, never the public listeners.
  const metricsServer = await startMetricsServer({ host: config.service.host, port: config.service.metricsPort, registry: metrics, logger });
  const server = await startServer({
    host: config.service.host,
    port: config.service.port,
    grpcPort: config.service.grpcPort,
    services: [],
    verifier: auth.verifier,
    mapError: () => undefined,
    logger,
    limits: config.service.listenerLimits,
    readiness: { ...readinessTiming, probes: [nats] },
    metrics,
  });
  logger.info({ url: server.url, grpc: server.grpcAddress, metrics: `${metricsServer.url}/metrics` }, "verifier running");
  return {
    logger,
    async stop() {
      await server.shutdown(config.service.shutdownGraceMs);
      await consumer.stop();
      await nats.close();
      await metricsServer.close();
      await tracing.shutdown();
    },
  };
}

runService("verifier", () => main());

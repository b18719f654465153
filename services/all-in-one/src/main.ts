/**
 * The embedded default (`npm start`): every service in one process on one
 * pair of ports, with no outside servers: an embedded PostgreSQL (unless
 * DATABASE_URL is set), the local key provider (unless KMS_KEY_ID is set) and
 * a generated development secret (unless AUTH_* is set). Prints the endpoints
 * and a development token for a person (never the `internal` scope: the
 * services here call each other in-process and need no service token).
 */
import { ConfigError, createEnvReader, type EnvReader } from "@planton/config";
import { signDevToken, USER_SCOPES } from "@planton/auth";
import { createPostgresProbe, resolveDatabase } from "@planton/db";
import { createLogger } from "@planton/logging";
import { startTracing } from "@planton/tracing";
import { fileURLToPath } from "node:url";
import {
  createMetricsRegistry,
  createStaticFiles,
  flagProbe,
  readReadinessTiming,
  setupAuth,
  runService,
  startMetricsServer,
  startServer,
  type StartedService,
  type ReadinessProbe,
} from "@planton/server";
import { connectJetStream, createInProcessBus, createNatsProbe, type EventPublisher } from "@planton/events";
import { buildAuthz, CONSUMED_SUBJECTS, loadAuthzConfig, startConnectionEventConsumer, type AuthzComponents } from "@planton/authz";
import { buildRegistry, createLocalVaultClient, loadRegistryConfig, type PlatformIssue, type RegistryConfig } from "@planton/registry";
import { buildVault, loadVaultConfig } from "@planton/vault";
import {
  buildVerifier,
  checkAwsTrust,
  createPlatformAwsCredentials,
  findPlatformAwsIdentityProblem,
  loadVerifierConfig,
  inProcessPorts,
  PLATFORM_AWS_IDENTITY_SETTING,
  providerChecks,
  startVerifierConsumer,
  subscribeInProcess,
  VERIFIER_HEALTH_NAME,
  VERIFIER_MAX_DELIVER,
} from "@planton/verifier";

async function main(): Promise<StartedService> {
  const vaultConfig = loadVaultConfig(process.env);
  const config = vaultConfig.service;
  const readinessTiming = readReadinessTiming(createEnvReader(process.env));
  const logger = createLogger({ level: config.logLevel, base: { process: "all-in-one" } });
  // First: every call and event after this carries a trace context (exported when OTEL_EXPORTER_OTLP_ENDPOINT is set).
  const tracing = startTracing({ settings: config.tracing, serviceName: "planton-connect", logger });
  // One process, one registry, one metrics port: every service's metrics go into it.
  const metrics = createMetricsRegistry();
  const database = await resolveDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, logger });
  const vault = await buildVault({ config: vaultConfig, databaseUrl: database.url, logger, metrics });
  // Events go to JetStream when NATS_URL is set, else to the in-process bus
  // that the services in this process subscribe to.
  const bus = config.natsUrl === undefined ? createInProcessBus(logger) : undefined;
  const publisher: EventPublisher = bus ?? (await connectJetStream({ url: config.natsUrl!, logger }));
  // The verifier in this process assumes customer roles with this identity;
  // without one, AWS trust setups are refused up front (never the user's failure).
  const platformAwsCredentials = createPlatformAwsCredentials();
  const registryConfig = withPlatformIdentity(
    loadRegistryConfig(process.env, { requireVaultUrl: false }),
    await findPlatformAwsIdentityProblem(platformAwsCredentials),
  );
  // authz is built after the registry but the registry asks it about pins: late-bound.
  let authz: AuthzComponents | undefined;
  const registry = await buildRegistry({
    config: registryConfig,
    databaseUrl: database.url,
    logger,
    // In one process the registry calls the vault directly, not over the network.
    vault: createLocalVaultClient(vault.vault),
    publisher,
    countPins: (orgId, connectionId) => authz?.countPins(orgId, connectionId) ?? Promise.resolve(0),
    metrics,
  });
  const authzConfig = loadAuthzConfig(process.env, { requireUrls: false });
  authz = await buildAuthz({
    config: authzConfig,
    databaseUrl: database.url,
    logger,
    registry: { lookup: (orgId, reference) => registry.connections.lookup(orgId, reference) },
    vault: {
      open: (orgId, connectionId, version) => vault.vault.open({ orgId, connectionId, version }),
      destroy: async (orgId, connectionId, version) => {
        await vault.vault.destroy(orgId, connectionId, version);
      },
    },
    metrics,
    // One AWS identity per process: authz mints sessions as the verifier assumes roles.
    platformAwsCredentials,
  });
  const authzComponents = authz;
  // Registry events reach authz and the verifier (below) through the in-process bus.
  for (const subject of CONSUMED_SUBJECTS) bus?.subscribe(subject, (event) => authzComponents.onConnectionEvent(event.data));
  // The verifier proves new and rotated credentials against the providers.
  const verifier = buildVerifier({
    config: loadVerifierConfig(process.env, { requireUrls: false }),
    logger,
    ...inProcessPorts(registry, vault.vault),
    checks: providerChecks,
    trustCheck: checkAwsTrust,
    platformAwsCredentials,
    ...(config.natsUrl !== undefined ? { deliveryLimit: VERIFIER_MAX_DELIVER } : {}),
    metrics,
  });
  // Without NATS the in-process bus feeds authz and the verifier; with NATS
  // they read the CONNECT stream through their durable consumers, exactly as
  // when they are deployed alone.
  const stopVerifier = bus ? subscribeInProcess(bus, verifier, logger) : () => undefined;
  const consumers =
    config.natsUrl === undefined
      ? []
      : [
          await startConnectionEventConsumer({
            url: config.natsUrl,
            logger,
            handle: (data) => authzComponents.onConnectionEvent(data),
            metrics,
            ackWaitMs: authzConfig.consumer.ackWaitMs,
          }),
          await startVerifierConsumer({ url: config.natsUrl, logger, verifier, metrics, ackWaitMs: authzConfig.consumer.ackWaitMs }),
        ];
  const auth = await setupAuth(config.auth, config.dataDir);
  const services = [vault.registration, ...registry.registrations, authz.registration];
  // One process, every service's dependencies: PostgreSQL behind all of
  // them; NATS, when used, behind the consumers (authz and the verifier).
  const probes: (ReadinessProbe & { close(): Promise<void> })[] = [
    createPostgresProbe({ url: database.url, services: services.map((s) => s.service.typeName) }),
    ...(config.natsUrl !== undefined ? [createNatsProbe({ url: config.natsUrl, services: [authz.registration.service.typeName, VERIFIER_HEALTH_NAME] })] : []),
  ];
  // The vault's KMS, while its circuit is open (never with local keys).
  const kms = flagProbe("kms", [vault.registration.service.typeName], () => vault.kmsAvailable());
  // Prometheus scrapes its own port, never the public listeners.
  const metricsServer = await startMetricsServer({ host: config.host, port: config.metricsPort, registry: metrics, logger });
  // The web console, built by `npm run build` into web/dist, on the same
  // origin as the API (no CORS). CONSOLE_DIR points elsewhere; absent files: no console.
  const env = createEnvReader(process.env);
  const oidc = readConsoleOidc(env);
  const consoleFiles = createStaticFiles({
    root: env.string("CONSOLE_DIR") ?? fileURLToPath(new URL("../../../../web/dist/", import.meta.url)),
    // The page fetches the issuer's discovery document and token endpoint itself.
    connectOrigins: [...env.list("CONSOLE_CONNECT_ORIGINS"), ...(oidc !== undefined ? [new URL(oidc["oidcIssuer"]!).origin] : [])],
    ...(oidc !== undefined ? { config: oidc } : {}),
  });
  const server = await startServer({
    host: config.host,
    port: config.port,
    grpcPort: config.grpcPort,
    services,
    httpRoutes: registry.httpRoutes,
    ...(consoleFiles !== undefined ? { staticFiles: consoleFiles.handle } : {}),
    verifier: auth.verifier,
    mapError: (error) => registry.mapError(error) ?? authz?.mapError(error) ?? vault.mapError(error),
    logger,
    corsOrigins: config.corsOrigins,
    limits: config.listenerLimits,
    readiness: { ...readinessTiming, probes: [...probes, kms] },
    metrics,
  });
  const token =
    auth.devSecret === undefined
      ? undefined
      : await signDevToken(auth.devSecret, {
          subject: "dev-user",
          orgId: "dev-org",
          // A person's scopes. `internal` (the vault, any organization's
          // credentials) is for platform services, and nothing in this
          // process needs it: its services call each other directly.
          scopes: USER_SCOPES,
          expiresIn: "7d",
        });
  printBanner({
    url: server.url,
    grpc: server.grpcAddress,
    metrics: `${metricsServer.url}/metrics`,
    embeddedDatabase: database.embedded,
    token,
    trustIssues: registryConfig.trust.platformIssues,
    console: consoleFiles !== undefined,
  });

  return {
    logger,
    async stop() {
      await server.shutdown(config.shutdownGraceMs);
      stopVerifier();
      for (const consumer of consumers) await consumer.stop();
      for (const probe of probes) await probe.close();
      await registry.relay.drain(2_000);
      await registry.close();
      await authzComponents.close();
      await publisher.close();
      await vault.close();
      await database.release();
      await metricsServer.close();
      await tracing.shutdown();
    },
  };
}

/**
 * The console's OIDC sign-in (Authorization Code + PKCE) from CONSOLE_OIDC_*:
 * both the issuer and the client id, or neither.
 */
function readConsoleOidc(env: EnvReader): Record<string, string> | undefined {
  const issuer = env.url("CONSOLE_OIDC_ISSUER", ["https:", "http:"]);
  const clientId = env.string("CONSOLE_OIDC_CLIENT_ID");
  if (issuer === undefined && clientId === undefined) return undefined;
  if (issuer === undefined || clientId === undefined)
    throw new ConfigError(
      issuer === undefined ? "CONSOLE_OIDC_ISSUER" : "CONSOLE_OIDC_CLIENT_ID",
      "must be set together with the other CONSOLE_OIDC_ setting (both or neither)",
    );
  const resource = env.string("CONSOLE_OIDC_RESOURCE");
  return {
    oidcIssuer: issuer.toString().replace(/\/$/, ""),
    oidcClientId: clientId,
    oidcScope: env.string("CONSOLE_OIDC_SCOPE", "openid"),
    ...(resource !== undefined ? { oidcResource: resource } : {}),
  };
}

/** The registry's config with the verifier's missing AWS identity (if any) added to what StartSetup refuses for. */
function withPlatformIdentity(config: RegistryConfig, problem: string | undefined): RegistryConfig {
  if (problem === undefined) return config;
  const issue: PlatformIssue = { setting: PLATFORM_AWS_IDENTITY_SETTING, description: problem };
  return { ...config, trust: { ...config.trust, platformIssues: [...config.trust.platformIssues, issue] } };
}

function printBanner(info: {
  url: string;
  grpc: string;
  metrics: string;
  embeddedDatabase: boolean;
  token: string | undefined;
  trustIssues: readonly PlatformIssue[];
  console: boolean;
}): void {
  // The banner goes to stderr as plain text for the person at the terminal;
  // the JSON logs stay on stdout. The token is printed on purpose: it is the
  // development token the user asked the process to mint.
  const lines = [
    "",
    "planton connect is running",
    `  web console               ${info.console ? `${info.url}/` : "not built (npm run build)"}`,
    `  Connect / gRPC-Web / gRPC  ${info.url}`,
    `  native gRPC               ${info.grpc}`,
    `  Prometheus metrics        ${info.metrics}`,
    `  database                  ${info.embeddedDatabase ? "embedded PostgreSQL" : "DATABASE_URL"}`,
    "  services                  ConnectionService, RunnerService, AwsTrustService, EnvironmentAuthorizationService, VaultService (planton.connect.v1), verifier, health, reflection",
  ];
  if (info.trustIssues.length > 0) {
    // Said here, to the operator, rather than to a user four minutes into `planton connect aws`.
    lines.push("", "warning: AWS cross-account trust (planton connect aws, StartSetup) is refused until the operator sets:");
    for (const issue of info.trustIssues) lines.push(`  ${issue.setting}: ${issue.description}`);
  }
  if (info.token !== undefined) {
    lines.push("", `development token (org dev-org, user dev-user, 7 days; scopes ${USER_SCOPES.join(" ")}):`, info.token, "");
    lines.push(`  grpcurl -plaintext -H "authorization: Bearer $TOKEN" ${info.grpc} list`);
    // The fragment never reaches a server; the page moves the token to the
    // tab's sessionStorage and removes it from the address bar at once.
    if (info.console) lines.push("", "development sign-in link (opens the console signed in as dev-user):", `  ${info.url}/#token=${info.token}`);
  }
  process.stderr.write(`${lines.join("\n")}\n\n`);
}

runService("planton connect", () => main());

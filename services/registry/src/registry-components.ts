import type { Kysely } from "kysely";
import { createDatabase, migrateToLatest } from "@planton/db";
import { startOutboxRelay, type EventPublisher, type OutboxRelay } from "@planton/events";
import type { Logger } from "@planton/logging";
import type { HttpRoute, MetricsRegistry, ServiceRegistration } from "@planton/server";
import { startPeriodicPass, type PeriodicPass } from "@planton/db";
import { migrations } from "../migrations/index.js";
import type { RegistryConfig } from "./config.js";
import { createConnectionRoutes } from "./connection-routes.js";
import { createConnections, type Connections } from "./connections/connections.js";
import { mapRegistryError } from "./errors.js";
import { startReverificationScheduler, type ReverificationScheduler } from "./reverification-scheduler.js";
import { startRotationDueScheduler, type RotationDueScheduler } from "./rotation/rotation-due-scheduler.js";
import { createRunnerRoutes } from "./runner-routes.js";
import { createRunners, type Runners } from "./runners.js";
import { findRunner } from "./runner-store.js";
import type { RegistryDatabase } from "./schema.js";
import type { VaultClient } from "./vault-client.js";
import { createAwsTrust, type AwsTrust } from "./trust/aws-trust.js";
import { createAwsTrustRoutes } from "./trust/aws-trust-routes.js";
import { loadCallbackKey } from "./trust/callback-key.js";
import { createSetupTokens } from "./trust/setup-tokens.js";
import { templateRoutes } from "./trust/template-routes.js";

/** The registry's PostgreSQL schema. */
export const REGISTRY_SCHEMA = "registry";
// pg advisory lock key of the registry's outbox relay ("REG1"): one publisher at a time across replicas.
const OUTBOX_LOCK_ID = 0x52454731;

/** A built registry: what a server mounts, plus handles for tests and shutdown. */
export interface RegistryComponents {
  readonly registrations: ServiceRegistration[];
  /** Plain HTTP routes for the PORT listener (the trust template). */
  readonly httpRoutes: HttpRoute[];
  readonly mapError: typeof mapRegistryError;
  readonly connections: Connections;
  readonly runners: Runners;
  readonly relay: OutboxRelay;
  readonly reverification: ReverificationScheduler;
  /** Publishes connection.rotation_due once per credential version and threshold. */
  readonly rotationDue: RotationDueScheduler;
  readonly trust: AwsTrust;
  /** Sweep that expires AWS trust setups whose link ran out. */
  readonly trustExpiry: PeriodicPass;
  readonly db: Kysely<RegistryDatabase>;
  close(): Promise<void>;
}

/**
 * buildRegistry wires the registry: database (migrated), connection and
 * runner use cases, routes, and the outbox relay that publishes events to
 * `publisher` (JetStream, or the in-process bus in the embedded default).
 */
export async function buildRegistry(options: {
  config: RegistryConfig;
  databaseUrl: string;
  logger: Logger;
  vault: VaultClient;
  publisher: EventPublisher;
  /** Counts deployments pinned to a connection (authz); DeleteConnection refuses while any are. */
  countPins?: (orgId: string, connectionId: string, signal?: AbortSignal) => Promise<number>;
  /** The process's metrics registry: the outbox (backlog, age, publish latency) and the pool are reported in it. */
  metrics?: MetricsRegistry;
}): Promise<RegistryComponents> {
  const logger = options.logger.child({ service: "registry" });
  // Read before anything is started, so a bad key file leaks no connection.
  const callbackKey = await loadCallbackKey(options.config.trust, options.config.service.dataDir);
  const database = createDatabase<RegistryDatabase>({
    url: options.databaseUrl,
    schema: REGISTRY_SCHEMA,
    logger,
    timeouts: options.config.database,
    ...(options.metrics ? { metrics: options.metrics } : {}),
  });
  try {
    const applied = await migrateToLatest({ url: options.databaseUrl, schema: REGISTRY_SCHEMA, migrations, logger });
    if (applied.length > 0) logger.info({ migrations: applied }, "registry schema migrated");
  } catch (error) {
    await database.destroy();
    throw error;
  }
  const relay = startOutboxRelay({
    db: database.db,
    publisher: options.publisher,
    logger,
    lockId: OUTBOX_LOCK_ID,
    pollIntervalMs: options.config.outboxPollMs,
    ...(options.metrics ? { metrics: { registry: options.metrics, outbox: REGISTRY_SCHEMA } } : {}),
  });
  const onCommit = () => relay.kick();
  const runners = createRunners({ db: database.db, onCommit });
  const connections = createConnections({
    db: database.db,
    vault: options.vault,
    logger,
    runnerKind: async (orgId, runnerId) => (await findRunner(database.db, orgId, runnerId))?.identity_kind,
    onCommit,
    reverifyIntervalMs: options.config.reverifyIntervalMs,
    rotation: options.config.rotation,
    ...(options.countPins ? { countPins: options.countPins } : {}),
  });
  const trust = createAwsTrust({
    db: database.db,
    vault: options.vault,
    logger: logger.child({ component: "aws-trust" }),
    tokens: createSetupTokens(callbackKey),
    config: options.config.trust,
    rotation: options.config.rotation,
    onCommit,
  });
  if (!options.config.trust.principalConfigured) {
    logger.warn({}, "AWS_TRUST_PRINCIPAL_ARN is not set: AWS trust setups name a placeholder principal and cannot work against real AWS");
  }
  const trustExpiry = startPeriodicPass({
    pass: () => trust.expirePass(),
    intervalMs: Math.min(60_000, options.config.trust.setupTtlMs),
    logger: logger.child({ component: "aws-trust-expiry" }),
    what: "AWS trust setup expiry",
  });
  const rotationDue = startRotationDueScheduler({
    db: database.db,
    logger: logger.child({ component: "rotation-due" }),
    policy: options.config.rotation,
    tickMs: options.config.rotation.tickMs,
    onCommit,
  });
  const reverification = startReverificationScheduler({
    db: database.db,
    logger: logger.child({ component: "reverification" }),
    intervalMs: options.config.reverifyIntervalMs,
    tickMs: options.config.reverifyTickMs,
    onCommit,
  });
  return {
    registrations: [createConnectionRoutes(connections), createRunnerRoutes(runners), createAwsTrustRoutes(trust, options.config.trust.templateUrl)],
    httpRoutes: templateRoutes(),
    mapError: mapRegistryError,
    connections,
    runners,
    relay,
    db: database.db,
    reverification,
    rotationDue,
    trust,
    trustExpiry,
    async close() {
      await trustExpiry.stop();
      await reverification.stop();
      await rotationDue.stop();
      await relay.stop();
      await database.destroy();
    },
  };
}

import type { Kysely } from "kysely";
import { createDatabase, migrateToLatest } from "@planton/db";
import type { Logger } from "@planton/logging";
import type { ServiceRegistration } from "@planton/server";
import { migrations } from "../migrations/index.js";
import { createAuditLog, type AuditLog } from "./audit-log.js";
import { withAuditMetrics } from "./audit-metrics.js";
import type { Registry } from "prom-client";
import { createAuthorizations, type Authorizations } from "./authorizations/authorizations.js";
import type { AuthzConfig } from "./config.js";
import { applyConnectionEvent } from "./connection-events.js";
import { mapAuthzError } from "./errors.js";
import type { CredentialOpener, RegistryLookup } from "./ports.js";
import { createConnectionCache } from "./resolve/connection-cache.js";
import { createPinReader } from "./resolve/pin-reader.js";
import { createResolver, type Resolver } from "./resolve/resolver.js";
import { createAwsSessionIssuer } from "./sessions/aws-session-issuer.js";
import { createPlatformAwsCredentials, type PlatformAwsCredentials } from "./sessions/platform-credentials.js";
import { createSessionMetrics } from "./sessions/session-metrics.js";
import { startRetentionJob, type RetentionJob, type VersionDestroyer } from "./retention-job.js";
import { createAuthzRoutes } from "./routes.js";
import type { AuthzDatabase } from "./schema.js";

/** authz's PostgreSQL schema. */
export const AUTHZ_SCHEMA = "authz";

/** A built authz service. */
export interface AuthzComponents {
  readonly registration: ServiceRegistration;
  readonly mapError: typeof mapAuthzError;
  readonly authorizations: Authorizations;
  readonly resolver: Resolver;
  readonly audit: AuditLog;
  readonly retention: RetentionJob;
  readonly db: Kysely<AuthzDatabase>;
  /**
   * Applies a registry event: one audit record per change (keyed by the
   * event id), and the effects of rotations and deletions; idempotent.
   */
  onConnectionEvent(data: Uint8Array): Promise<void>;
  /** How many live pins hold a connection (the registry refuses deletes while any do). */
  countPins(orgId: string, connectionId: string): Promise<number>;
  close(): Promise<void>;
}

/** buildAuthz wires authz: database (migrated), authorizations, resolver, audit, retention job, routes. */
export async function buildAuthz(options: {
  config: AuthzConfig;
  databaseUrl: string;
  logger: Logger;
  registry: RegistryLookup;
  vault: CredentialOpener & VersionDestroyer;
  /** The process's metrics registry: resolve decisions, audit write latency, session mints and the pool are reported in it. */
  metrics?: Registry;
  /** The platform's own AWS identity, for session credentials; default: the standard AWS chain. */
  platformAwsCredentials?: PlatformAwsCredentials;
}): Promise<AuthzComponents> {
  const logger = options.logger.child({ service: "authz" });
  const database = createDatabase<AuthzDatabase>({
    url: options.databaseUrl,
    schema: AUTHZ_SCHEMA,
    logger,
    timeouts: options.config.database,
    ...(options.metrics ? { metrics: options.metrics } : {}),
  });
  try {
    const applied = await migrateToLatest({ url: options.databaseUrl, schema: AUTHZ_SCHEMA, migrations, logger });
    if (applied.length > 0) logger.info({ migrations: applied }, "authz schema migrated");
  } catch (error) {
    await database.destroy();
    throw error;
  }
  const db = database.db;
  const auditLog = createAuditLog(db, options.config.auditBatching);
  const audit = options.metrics ? withAuditMetrics(auditLog, options.metrics) : auditLog;
  const connections = createConnectionCache(options.registry, { ttlMs: options.config.connectionCacheTtlMs, maxEntries: 10_000 });
  const authorizations = createAuthorizations({ db, registry: options.registry, audit });
  const resolver = createResolver({
    db,
    registry: options.registry,
    connections,
    pins: createPinReader(db),
    vault: options.vault,
    authorizations,
    audit,
    sessions: createAwsSessionIssuer({
      ...options.config.sts,
      credentials: options.platformAwsCredentials ?? createPlatformAwsCredentials(),
      logger: logger.child({ component: "aws-sessions" }),
      ...(options.metrics ? { metrics: createSessionMetrics(options.metrics) } : {}),
    }),
    pinTtlMs: options.config.pinTtlMs,
    logger,
  });
  const retention = startRetentionJob({
    db,
    vault: options.vault,
    logger: logger.child({ component: "retention" }),
    retentionMs: options.config.retentionMs,
    intervalMs: options.config.retentionIntervalMs,
  });
  const countPins = async (orgId: string, connectionId: string) => {
    const row = await db
      .selectFrom("deployment_pins")
      .select((eb) => eb.fn.countAll<string>().as("n"))
      .where("org_id", "=", orgId)
      .where("connection_id", "=", connectionId)
      .where("expires_at", ">", new Date())
      .executeTakeFirstOrThrow();
    return Number(row.n);
  };
  return {
    registration: createAuthzRoutes({ authorizations, resolver, audit, countPins }),
    mapError: mapAuthzError,
    authorizations,
    resolver,
    audit,
    retention,
    db,
    async onConnectionEvent(data) {
      const about = await applyConnectionEvent(db, audit, data, logger);
      if (about !== undefined) connections.invalidate(about.orgId, about.connectionId);
    },
    countPins,
    async close() {
      await retention.stop();
      await database.destroy();
    },
  };
}

import { Kysely, PostgresDialect } from "kysely";
import pg from "pg";
import type { Logger } from "@planton/logging";
import type { Registry } from "prom-client";
import { registerPoolMetrics, type PoolCounts } from "./pool-metrics.js";
import { CLIENT_QUERY_TIMEOUT_MARGIN_MS, DEFAULT_DATABASE_TIMEOUTS, type DatabaseTimeouts } from "./database-timeouts.js";

/** Options of {@link createDatabase}. */
export interface DatabaseOptions {
  /** `postgres://` connection URL. */
  url: string;
  /** The service's own schema; every query is qualified with it. */
  schema: string;
  /** Pool size. */
  maxConnections?: number;
  /** Connect, statement and idle-in-transaction limits; default {@link DEFAULT_DATABASE_TIMEOUTS}. */
  timeouts?: DatabaseTimeouts;
  logger: Logger;
  /** The process's metrics registry: the pool's counts are reported in it under `schema` (see {@link registerPoolMetrics}). */
  metrics?: Registry;
}

/** A service's database handle. */
export interface Database<DB> {
  /** Kysely bound to the service's schema. */
  readonly db: Kysely<DB>;
  /** Connections open, idle, and callers waiting, now. */
  poolCounts(): PoolCounts;
  /** Closes every connection. */
  destroy(): Promise<void>;
}

/**
 * createDatabase opens a pg pool and a Kysely instance whose queries all run
 * in `schema` (the WithSchema plugin), so a service cannot touch another
 * service's tables by accident. Connections are opened lazily: an unreachable
 * server fails queries (see {@link isDatabaseUnavailable}), not startup, and
 * the pool reconnects by itself when the server returns. Every connection
 * carries the {@link DatabaseTimeouts}, so no statement, connection attempt
 * or abandoned transaction waits without a bound.
 */
export function createDatabase<DB>(options: DatabaseOptions): Database<DB> {
  const timeouts = options.timeouts ?? DEFAULT_DATABASE_TIMEOUTS;
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.maxConnections ?? 10,
    connectionTimeoutMillis: timeouts.connectTimeoutMs,
    // Server side: the statement is cancelled and the connection stays usable.
    // Client side, a little later: for a server or network that went silent.
    // 0 means no limit (migrations only).
    ...(timeouts.statementTimeoutMs > 0
      ? { statement_timeout: timeouts.statementTimeoutMs, query_timeout: timeouts.statementTimeoutMs + CLIENT_QUERY_TIMEOUT_MARGIN_MS }
      : {}),
    idle_in_transaction_session_timeout: timeouts.idleInTransactionTimeoutMs,
    idleTimeoutMillis: 30_000,
    application_name: `planton-${options.schema}`,
  });
  // An idle client's connection dying (server restart, network) is reported
  // here; without a listener Node would crash the process.
  pool.on("error", (error) => options.logger.warn({ error }, "idle database connection lost"));
  // A checked-out client (e.g. between the statements of a transaction) has
  // no pool listener; its connection dying must fail the work in progress,
  // not crash the process with an unhandled 'error' event.
  pool.on("connect", (client) => {
    client.on("error", (error) => options.logger.warn({ error }, "database connection lost"));
  });
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) }).withSchema(options.schema);
  const poolCounts = (): PoolCounts => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount });
  const unregister = options.metrics ? registerPoolMetrics(options.metrics, options.schema, poolCounts) : undefined;
  return {
    db,
    poolCounts,
    destroy: () => {
      unregister?.();
      return db.destroy();
    },
  };
}

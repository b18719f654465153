/**
 * Time limits on every conversation with PostgreSQL (README, Timeouts). Each
 * one turns a stuck server, network or lock into an error that
 * {@link isDatabaseUnavailable} classifies as UNAVAILABLE, instead of a
 * request that waits forever.
 */
export interface DatabaseTimeouts {
  /** Opening a connection, TCP and authentication included (`DATABASE_CONNECT_TIMEOUT_MS`). */
  readonly connectTimeoutMs: number;
  /**
   * One SQL statement, lock waits included, enforced by the server
   * (`statement_timeout`, SQLSTATE 57014) and, a little later, by the client
   * in case the server or the network is gone (`DATABASE_STATEMENT_TIMEOUT_MS`).
   */
  readonly statementTimeoutMs: number;
  /**
   * A transaction left open and idle; the server ends the session, releasing
   * its locks (`idle_in_transaction_session_timeout`,
   * `DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS`).
   */
  readonly idleInTransactionTimeoutMs: number;
}

/** The limits used when a service does not configure its own. */
export const DEFAULT_DATABASE_TIMEOUTS: DatabaseTimeouts = Object.freeze({
  connectTimeoutMs: 5_000,
  statementTimeoutMs: 10_000,
  idleInTransactionTimeoutMs: 30_000,
});

/**
 * How much later than the server's statement timeout the client gives up on
 * its own: the server's error is the better one (the connection stays
 * usable), so it must get the chance to arrive first.
 */
export const CLIENT_QUERY_TIMEOUT_MARGIN_MS = 2_000;

/** The one `EnvReader` method {@link readDatabaseTimeouts} needs (`@planton/config`). */
export interface IntEnvReader {
  int(name: string, fallback: number, range: { min: number; max: number }): number;
}

/**
 * readDatabaseTimeouts parses the `DATABASE_*_TIMEOUT_MS` settings, for a
 * service's `config.ts`; unset ones take {@link DEFAULT_DATABASE_TIMEOUTS}.
 * Throws the reader's `ConfigError` naming a bad variable.
 */
export function readDatabaseTimeouts(env: IntEnvReader): DatabaseTimeouts {
  return Object.freeze({
    connectTimeoutMs: env.int("DATABASE_CONNECT_TIMEOUT_MS", DEFAULT_DATABASE_TIMEOUTS.connectTimeoutMs, { min: 100, max: 120_000 }),
    statementTimeoutMs: env.int("DATABASE_STATEMENT_TIMEOUT_MS", DEFAULT_DATABASE_TIMEOUTS.statementTimeoutMs, { min: 100, max: 3_600_000 }),
    idleInTransactionTimeoutMs: env.int("DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS", DEFAULT_DATABASE_TIMEOUTS.idleInTransactionTimeoutMs, {
      min: 1_000,
      max: 3_600_000,
    }),
  });
}

import pg from "pg";

// A connection attempt that outlives its check is given up after this long.
const CONNECT_TIMEOUT_MS = 5_000;

/** A readiness probe of PostgreSQL (the shape of `ReadinessProbe` in @planton/server), plus its close. */
export interface PostgresProbe {
  readonly name: "postgresql";
  readonly services: readonly string[];
  /** Resolves true once `SELECT 1` answered; rejects when PostgreSQL cannot be reached. */
  check(signal: AbortSignal): Promise<boolean>;
  /** Closes the probe's connection. */
  close(): Promise<void>;
}

/**
 * createPostgresProbe checks PostgreSQL with `SELECT 1` over a connection of
 * its own, not one of the service's pool: a pool busy with real work must not
 * make a healthy service look unready (and be taken out of rotation under
 * load), and a probe must never wait for, or hold, a connection that requests
 * need. The connection is kept between checks and dropped on any failure or
 * abort (a hung query is cut at the socket), so the next check reconnects.
 */
export function createPostgresProbe(options: { url: string; services: readonly string[]; applicationName?: string }): PostgresProbe {
  let client: pg.Client | undefined;
  let connected: Promise<pg.Client> | undefined;

  const drop = (which: pg.Client) => {
    if (client === which) {
      client = undefined;
      connected = undefined;
    }
    // end() destroys the socket when a query is in flight, so it cannot hang.
    void which.end().catch(() => undefined);
  };

  const open = (timeoutMs: number): Promise<pg.Client> => {
    const fresh = new pg.Client({
      connectionString: options.url,
      connectionTimeoutMillis: timeoutMs,
      application_name: options.applicationName ?? "planton-readiness",
    });
    // A dead idle connection is reported here; without a listener Node would crash.
    fresh.on("error", () => drop(fresh));
    client = fresh;
    connected = fresh.connect().then(
      () => fresh,
      (error: unknown) => {
        drop(fresh);
        throw error;
      },
    );
    return connected;
  };

  return {
    name: "postgresql",
    services: options.services,
    async check(signal) {
      // The connect timeout bounds a fresh connection; the signal bounds the whole check.
      const current = await untilAborted(connected ?? open(CONNECT_TIMEOUT_MS), signal);
      const onAbort = () => drop(current);
      signal.addEventListener("abort", onAbort, { once: true });
      try {
        await current.query("SELECT 1");
        return true;
      } catch (error) {
        drop(current);
        throw error;
      } finally {
        signal.removeEventListener("abort", onAbort);
      }
    },
    async close() {
      const current = client;
      client = undefined;
      connected = undefined;
      await current?.end().catch(() => undefined);
    },
  };
}

/** `promise`, or a rejection as soon as `signal` aborts (the work behind `promise` goes on). */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(new Error("aborted"));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new Error("no connection within the probe timeout"));
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

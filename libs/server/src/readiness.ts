import type { EnvReader } from "@planton/config";
import type { Logger } from "@planton/logging";
import { ServingStatus, type HealthStatus } from "./health-service.js";

/**
 * ReadinessProbe is one dependency a service cannot work without
 * (PostgreSQL, NATS, KMS). While `check` fails, every health service name in
 * `services` reports NOT_SERVING; the server as a whole ("", liveness) is not
 * affected: a process waiting for its database is alive, only not ready.
 */
export interface ReadinessProbe {
  /** The dependency, for logs and `/readyz`: `postgresql`, `nats`, `kms`. */
  readonly name: string;
  /** Health service names (e.g. `planton.connect.v1.ConnectionService`) that need the dependency. */
  readonly services: readonly string[];
  /**
   * Resolves true when the dependency answers. False or a rejection means
   * unreachable. Must give up promptly once `signal` aborts (the probe
   * timeout): a check that ignores it is still reported as failed at the
   * timeout, but the work it left running is the probe's to clean up.
   */
  check(signal: AbortSignal): Promise<boolean>;
}

/**
 * flagProbe makes a probe of a dependency whose state the process already
 * tracks, e.g. a circuit breaker: `isUp()` is read at every check.
 */
export function flagProbe(name: string, services: readonly string[], isUp: () => boolean): ReadinessProbe {
  return { name, services, check: async () => isUp() };
}

/** Timing of the probes: settings READINESS_INTERVAL_MS and READINESS_TIMEOUT_MS. */
export interface ReadinessTiming {
  /** Pause between two checks of one probe. */
  readonly intervalMs: number;
  /** Longest one check may take before it counts as a failure. */
  readonly timeoutMs: number;
}

/** What {@link startServer} takes to report readiness. */
export interface ReadinessOptions extends ReadinessTiming {
  readonly probes: readonly ReadinessProbe[];
}

/** Default probe timing: a dependency that went away is seen within about 3 s, one that came back within about 2 s. */
export const DEFAULT_READINESS_TIMING: ReadinessTiming = Object.freeze({ intervalMs: 2_000, timeoutMs: 1_000 });

/**
 * readReadinessTiming reads READINESS_INTERVAL_MS (default 2000) and
 * READINESS_TIMEOUT_MS (default 1000, at most the interval) from a
 * service's environment, once at start.
 */
export function readReadinessTiming(env: EnvReader): ReadinessTiming {
  const intervalMs = env.int("READINESS_INTERVAL_MS", DEFAULT_READINESS_TIMING.intervalMs, { min: 100, max: 60_000 });
  const timeoutMs = env.int("READINESS_TIMEOUT_MS", Math.min(DEFAULT_READINESS_TIMING.timeoutMs, intervalMs), { min: 50, max: intervalMs });
  return Object.freeze({ intervalMs, timeoutMs });
}

/** The running probes of one server. */
export interface Readiness {
  /** Every probe's last result, by probe name (false until its first check ends). */
  dependencies(): Record<string, boolean>;
  /** Stops probing (shutdown); statuses stay as they are. */
  stop(): void;
}

/**
 * startReadiness checks every probe now and then every `intervalMs`, and
 * sets each service name's health status: SERVING when every probe naming
 * it passed its last check, NOT_SERVING otherwise. Watch streams see each
 * change. Each probe runs on its own loop, one check at a time, so a slow
 * dependency never delays the others and checks never pile up. The returned
 * promise resolves after the first round, so a server starts with statuses
 * that tell the truth rather than an optimistic SERVING.
 */
export async function startReadiness(health: HealthStatus, options: ReadinessOptions, logger: Logger): Promise<Readiness> {
  const log = logger.child({ component: "readiness" });
  const results = new Map<ReadinessProbe, boolean>(options.probes.map((p) => [p, false]));
  const stopped = new AbortController();

  const apply = () => {
    // "" leaves SERVING only at shutdown, whose NOT_SERVING must stand.
    if (stopped.signal.aborted || health.get("") !== ServingStatus.SERVING) return;
    for (const service of new Set(options.probes.flatMap((p) => p.services))) {
      const ready = options.probes.every((p) => !p.services.includes(service) || results.get(p) === true);
      const status = ready ? ServingStatus.SERVING : ServingStatus.NOT_SERVING;
      if (health.get(service) !== status) health.set(service, status);
    }
  };

  const checkOnce = async (probe: ReadinessProbe, first: boolean) => {
    const { ok, error } = await runCheck(probe, options.timeoutMs);
    const before = results.get(probe);
    results.set(probe, ok);
    if (ok && before === false && !first) log.info({ dependency: probe.name }, "dependency reachable again: ready");
    if (!ok && (before === true || first)) {
      log.warn({ dependency: probe.name, services: probe.services, error }, "dependency unreachable: not ready");
    }
    apply();
  };

  await Promise.all(options.probes.map((probe) => checkOnce(probe, true)));
  for (const probe of options.probes) {
    void (async () => {
      while (!(await pause(options.intervalMs, stopped.signal))) await checkOnce(probe, false);
    })();
  }
  return {
    dependencies: () => Object.fromEntries(options.probes.map((p) => [p.name, results.get(p) === true])),
    stop: () => stopped.abort(),
  };
}

/** One bounded check: false at the timeout even if the probe ignores its signal. */
async function runCheck(probe: ReadinessProbe, timeoutMs: number): Promise<{ ok: boolean; error?: string }> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<{ ok: boolean; error: string }>((resolve) => {
    timer = setTimeout(() => {
      resolve({ ok: false, error: `no answer within ${timeoutMs} ms` });
      controller.abort(new Error("readiness probe timeout"));
    }, timeoutMs);
  });
  // Through a promise so a probe that throws synchronously counts as a failed check too.
  const checked = Promise.resolve()
    .then(() => probe.check(controller.signal))
    .then(
      (ok) => (ok ? { ok } : { ok, error: "check failed" }),
      (error: unknown) => ({ ok: false, error: error instanceof Error ? error.message : String(error) }),
    );
  try {
    return await Promise.race([checked, timedOut]);
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
}

/** Waits `ms`; resolves true at once when `signal` aborts (stop the loop). */
function pause(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve(false);
    }, ms);
    timer.unref();
    const onAbort = () => {
      clearTimeout(timer);
      resolve(true);
    };
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

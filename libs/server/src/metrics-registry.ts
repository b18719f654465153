import { collectDefaultMetrics, Registry } from "prom-client";

/** The process's one Prometheus registry, passed from the composition root to everything that measures. */
export type MetricsRegistry = Registry;

/**
 * createMetricsRegistry makes the registry of one process with the standard
 * process metrics (`process_*`, `nodejs_*`: CPU, memory, event loop lag, GC)
 * already collected into it. Every metric of the services goes into this
 * registry, never prom-client's global one, so tests and the all-in-one
 * process get exactly one set of series per process.
 */
export function createMetricsRegistry(): MetricsRegistry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return registry;
}

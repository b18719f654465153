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

/**
 * metricsOf returns the metrics `create` builds for `registry`, building them
 * once per registry: in the all-in-one process several components share one
 * registry, and a metric name can be registered only once.
 */
export function metricsOf<T extends object>(cache: WeakMap<Registry, T>, registry: Registry, create: (registry: Registry) => T): T {
  let metrics = cache.get(registry);
  if (metrics === undefined) {
    metrics = create(registry);
    cache.set(registry, metrics);
  }
  return metrics;
}

import { Gauge, type Registry } from "prom-client";

/** What a pg pool holds now. */
export interface PoolCounts {
  /** Connections open (checked out or idle). */
  readonly total: number;
  /** Connections open and not checked out. */
  readonly idle: number;
  /** Callers waiting for a connection. */
  readonly waiting: number;
}

interface PoolGauges {
  readonly pools: Map<string, () => PoolCounts>;
}

const byRegistry = new WeakMap<Registry, PoolGauges>();

/**
 * registerPoolMetrics reports the pool `name` (the service's schema: a
 * handful of values) in `registry` as `planton_db_pool_connections{pool,
 * state="in_use"|"idle"}` and `planton_db_pool_waiting{pool}`, read from
 * `counts` at each scrape (nothing on the query path). Returns the function
 * that removes the pool again (when it is destroyed).
 */
export function registerPoolMetrics(registry: Registry, name: string, counts: () => PoolCounts): () => void {
  let gauges = byRegistry.get(registry);
  if (gauges === undefined) {
    const pools = new Map<string, () => PoolCounts>();
    new Gauge({
      name: "planton_db_pool_connections",
      help: "PostgreSQL connections of the service's pool, by pool (schema) and state (in_use, idle).",
      labelNames: ["pool", "state"] as const,
      registers: [registry],
      collect() {
        this.reset();
        for (const [pool, read] of pools) {
          const now = read();
          this.set({ pool, state: "in_use" }, now.total - now.idle);
          this.set({ pool, state: "idle" }, now.idle);
        }
      },
    });
    new Gauge({
      name: "planton_db_pool_waiting",
      help: "Queries waiting for a free connection of the pool.",
      labelNames: ["pool"] as const,
      registers: [registry],
      collect() {
        this.reset();
        for (const [pool, read] of pools) this.set({ pool }, read().waiting);
      },
    });
    gauges = { pools };
    byRegistry.set(registry, gauges);
  }
  const { pools } = gauges;
  pools.set(name, counts);
  return () => {
    if (pools.get(name) === counts) pools.delete(name);
  };
}

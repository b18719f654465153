/** Limits of the {@link DataKeyCache}. */
export interface DataKeyCacheOptions {
  /** Most keys held at once; the least recently used goes first. 0 disables caching. */
  readonly maxEntries: number;
  /** A key is dropped this long after it was unwrapped. */
  readonly maxAgeMs: number;
  /** A key is dropped after serving this many reads. */
  readonly maxUses: number;
  /** Clock, for tests. */
  readonly now?: () => number;
}

/** Cache counters, for the benchmark and metrics. */
export interface DataKeyCacheStats {
  hits: number;
  misses: number;
  /** Keys dropped before a clear(): expired (age or uses), least recently used over capacity, or evicted. */
  evictions: number;
  size: number;
}

/**
 * DataKeyCache holds unwrapped data keys on the read path so repeated opens of
 * the same version skip a KMS round trip. Bounded in size, age and uses, so a
 * stolen heap holds few keys and a revoked KMS grant takes effect quickly.
 * Concurrent misses for one key share a single load; a failed load is never
 * cached. Evicted keys are zeroed, and callers get their own copy, which they
 * zero after use.
 */
export interface DataKeyCache {
  /** Returns a copy of the cached key, loading it on a miss. */
  get(cacheKey: string, load: () => Promise<Uint8Array>): Promise<Uint8Array>;
  /** Drops a key (e.g. when its version is destroyed). */
  evict(cacheKey: string): void;
  clear(): void;
  stats(): DataKeyCacheStats;
}

interface Entry {
  readonly key: Uint8Array;
  readonly loadedAt: number;
  uses: number;
}

/** Creates a {@link DataKeyCache}. */
export function createDataKeyCache(options: DataKeyCacheOptions): DataKeyCache {
  const now = options.now ?? Date.now;
  const entries = new Map<string, Entry>();
  const loading = new Map<string, Promise<Uint8Array>>();
  const stats = { hits: 0, misses: 0, evictions: 0 };
  // Bumped by evict()/clear(): a load that started before must not put a key
  // back that was just destroyed.
  const generations = new Map<string, number>();
  let epoch = 0;
  const generationOf = (cacheKey: string) => `${epoch}:${generations.get(cacheKey) ?? 0}`;

  const drop = (cacheKey: string) => {
    const entry = entries.get(cacheKey);
    if (entry === undefined) return;
    entry.key.fill(0);
    entries.delete(cacheKey);
  };

  const take = (cacheKey: string): Uint8Array | undefined => {
    const entry = entries.get(cacheKey);
    if (entry === undefined) return undefined;
    if (now() - entry.loadedAt >= options.maxAgeMs || entry.uses >= options.maxUses) {
      drop(cacheKey);
      stats.evictions++;
      return undefined;
    }
    entry.uses++;
    // Re-insert to mark as most recently used (Map keeps insertion order).
    entries.delete(cacheKey);
    entries.set(cacheKey, entry);
    return Uint8Array.from(entry.key);
  };

  const store = (cacheKey: string, key: Uint8Array) => {
    if (options.maxEntries <= 0) return;
    drop(cacheKey);
    entries.set(cacheKey, { key: Uint8Array.from(key), loadedAt: now(), uses: 1 });
    while (entries.size > options.maxEntries) {
      const oldest = entries.keys().next().value;
      if (oldest === undefined) break;
      drop(oldest);
      stats.evictions++;
    }
  };

  return {
    async get(cacheKey, load) {
      const cached = take(cacheKey);
      if (cached !== undefined) {
        stats.hits++;
        return cached;
      }
      stats.misses++;
      let pending = loading.get(cacheKey);
      if (pending === undefined) {
        const generation = generationOf(cacheKey);
        pending = load().then((key) => {
          if (generationOf(cacheKey) === generation) store(cacheKey, key);
          return key;
        });
        loading.set(cacheKey, pending);
        // Success or failure, the next miss starts a fresh load: failures are not cached.
        const loaded = pending;
        const clear = () => {
          if (loading.get(cacheKey) !== loaded) return;
          loading.delete(cacheKey);
          generations.delete(cacheKey);
        };
        pending.then(clear, clear);
        // Every waiter copies the key in a microtask; zero the original after.
        pending.then(
          (key) => setImmediate(() => key.fill(0)),
          () => undefined,
        );
      }
      return Uint8Array.from(await pending);
    },
    evict(cacheKey) {
      if (loading.has(cacheKey)) generations.set(cacheKey, (generations.get(cacheKey) ?? 0) + 1);
      loading.delete(cacheKey);
      if (entries.has(cacheKey)) stats.evictions++;
      drop(cacheKey);
    },
    clear() {
      epoch++;
      generations.clear();
      loading.clear();
      for (const cacheKey of [...entries.keys()]) drop(cacheKey);
    },
    stats: () => ({ ...stats, size: entries.size }),
  };
}

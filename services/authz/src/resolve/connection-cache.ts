import type { Connection } from "@planton/proto/planton/connect/v1/connection_pb";
import type { ConnectionSpec } from "@planton/proto/planton/connect/v1/connection_spec_pb";
import type { RegistryLookup } from "../ports.js";

/** A connection as the registry's LookupConnection answers it: public fields only, never a secret. */
export interface LookedUpConnection {
  readonly connection: Connection;
  readonly publicSpec: ConnectionSpec;
}

/** Options of {@link createConnectionCache}. */
export interface ConnectionCacheOptions {
  /** How long an entry serves without a new lookup; 0 turns the cache off. */
  readonly ttlMs: number;
  /** Most entries; the oldest goes first. */
  readonly maxEntries: number;
  /** Clock, for tests. */
  readonly now?: () => number;
}

/**
 * The public half of connections that pinned deployments resolve, so a
 * repeat resolve skips the registry lookup and the decode of its answer.
 * It holds no secret (the registry's lookup answers none) and is used only
 * where the connection's current credential version does not matter: a
 * pinned deployment gets its pinned version, which is read from the pin and
 * opened in the vault on every resolve. First resolves, which pin the
 * current version, always look the connection up.
 *
 * An entry goes when authz applies an event of its connection (this
 * process), and after `ttlMs` in any case: the bound on what another
 * replica's change can leave stale here (a rename, an auth-mode change).
 */
export interface ConnectionCache {
  /** The connection by id, from the cache or from `registry` (then cached). */
  get(orgId: string, connectionId: string): Promise<LookedUpConnection>;
  /** Stores what a fresh lookup returned. */
  put(orgId: string, value: LookedUpConnection): void;
  /** Drops the connection (an event of it was applied). */
  invalidate(orgId: string, connectionId: string): void;
}

interface Entry {
  readonly value: LookedUpConnection;
  readonly expiresAt: number;
}

/** Creates the {@link ConnectionCache} over `registry`. */
export function createConnectionCache(registry: RegistryLookup, options: ConnectionCacheOptions): ConnectionCache {
  const now = options.now ?? Date.now;
  const entries = new Map<string, Entry>();
  // Lookups in flight; invalidate() marks them stale, so a lookup that
  // started before an event never puts back what the event replaced.
  const loading = new Map<string, { promise: Promise<LookedUpConnection>; stale: boolean }>();
  const keyOf = (orgId: string, connectionId: string) => `${orgId}\u0000${connectionId}`;
  const store = (key: string, value: LookedUpConnection) => {
    if (options.ttlMs <= 0) return;
    entries.delete(key);
    entries.set(key, { value, expiresAt: now() + options.ttlMs });
    while (entries.size > options.maxEntries) entries.delete(entries.keys().next().value!);
  };
  return {
    async get(orgId, connectionId) {
      const key = keyOf(orgId, connectionId);
      const entry = entries.get(key);
      if (entry !== undefined && entry.expiresAt > now()) return entry.value;
      const inFlight = loading.get(key);
      if (inFlight !== undefined && !inFlight.stale) return inFlight.promise;
      const load = {
        stale: false,
        promise: registry.lookup(orgId, connectionId).then((value) => {
          if (!load.stale) store(key, value);
          return value;
        }),
      };
      loading.set(key, load);
      const clear = () => {
        if (loading.get(key) === load) loading.delete(key);
      };
      load.promise.then(clear, clear);
      return load.promise;
    },
    put(orgId, value) {
      store(keyOf(orgId, value.connection.id), value);
    },
    invalidate(orgId, connectionId) {
      const key = keyOf(orgId, connectionId);
      entries.delete(key);
      const inFlight = loading.get(key);
      if (inFlight !== undefined) inFlight.stale = true;
    },
  };
}

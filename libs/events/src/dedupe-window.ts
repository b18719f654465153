/** Remembers ids for a while, like JetStream's duplicate window. */
export interface DedupeWindow {
  /** firstSeen records `id` and tells whether it was not already seen within the window. */
  firstSeen(id: string): boolean;
}

/**
 * createDedupeWindow forgets an id `windowMs` after it was first seen, so
 * memory stays bounded by the event rate times the window.
 */
export function createDedupeWindow(windowMs: number, now: () => number = Date.now): DedupeWindow {
  // Insertion order is expiry order, so pruning stops at the first live entry.
  const expiries = new Map<string, number>();
  return {
    firstSeen(id) {
      const time = now();
      for (const [seen, expiresAt] of expiries) {
        if (expiresAt > time) break;
        expiries.delete(seen);
      }
      if (expiries.has(id)) return false;
      expiries.set(id, time + windowMs);
      return true;
    },
  };
}
